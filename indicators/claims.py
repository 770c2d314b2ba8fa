"""The claims checker: every official figure stated in public, recomputed from the independent
series where one is loaded, and classified.

* ``consistent``: the independent value is within ``TOLERANCE`` of the claim (a lower bound,
  "más de …", is consistent when the independent value is at least the bound less the tolerance);
* ``inconsistent``: outside it, with the difference in the claim's unit and in percent;
* ``not_checkable``: no independent series is loaded for it, it is stated on another basis (INEGI
  death registrations are not SESNSP victims), or the independent figure is not published yet (the
  date it should be is given; past that date, the store is behind and the source needs a refresh).

Why 2 %: the government quotes SESNSP's preliminary monthly figure at the morning conference;
SESNSP's open-data cuts revise recent months, usually upward. Where both are public the revisions
are 0.5 % (December 2024: 72.8 stated, 73.2 in the June-2025 cut) and 0.8 % (April 2025: 65.3 and
65.8). 2 % leaves room for the newest month's larger revisions; a claim further off than that is
not explained by revision and is reported as inconsistent, by how much.

Cumulative claims (the cabinet's results since 1 October 2024) are also checked against the
government's own earlier figures: a total that falls below an earlier cut-off's total is flagged.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import logging
import math
import unicodedata

import pandas as pd
from sqlalchemy.engine import Engine

from catalogues import Message, languages
from etl.store import read_slice
from indicators.registry import get_indicator
from indicators.series import NotAvailable, read_series, sources_read

log = logging.getLogger(__name__)

TOLERANCE = 0.02
CLAIM_SOURCES = ("claims_homicide", "claims_security_results")
# Claimed indicator → the independent series that measures the same thing, and how.
INDEPENDENT = {
    "homicidio_doloso_promedio_diario": {"indicator": "sesnsp_homicide_victims", "geo": "MX",
                                         "how": "daily_average", "lag_days": 20},
}
CLAIM_LABELS: dict[str, Message] = {
    "homicidio_doloso_promedio_diario": Message("claim_label_homicidio_doloso_promedio_diario"),
    "defunciones_por_homicidio": Message("claim_label_defunciones_por_homicidio"),
    "armas_de_fuego_aseguradas": Message("claim_label_armas_de_fuego_aseguradas"),
    "armas_aseguradas": Message("claim_label_armas_aseguradas"),
    "armas_aseguradas_procedencia_eua": Message("claim_label_armas_aseguradas_procedencia_eua"),
    "droga_asegurada": Message("claim_label_droga_asegurada"),
    "fentanilo_asegurado": Message("claim_label_fentanilo_asegurado"),
    "pastillas_fentanilo_aseguradas": Message("claim_label_pastillas_fentanilo_aseguradas"),
    "personas_detenidas_delitos_alto_impacto": Message("claim_label_personas_detenidas_delitos_alto_impacto"),
    "laboratorios_desmantelados": Message("claim_label_laboratorios_desmantelados"),
    "cocaina_asegurada_altamar": Message("claim_label_cocaina_asegurada_altamar"),
    "extorsionadores_detenidos": Message("claim_label_extorsionadores_detenidos"),
}
# The curated tables' units and kinds of figure, in both languages (the tables are in Spanish).
UNIT_LABELS: dict[str, Message] = {
    "armas": Message("claim_unit_armas"),
    "defunciones": Message("claim_unit_defunciones"),
    "kilogramos": Message("claim_unit_kilogramos"),
    "laboratorios": Message("claim_unit_laboratorios"),
    "pastillas": Message("claim_unit_pastillas"),
    "personas": Message("claim_unit_personas"),
    "toneladas": Message("claim_unit_toneladas"),
    "víctimas/día": Message("claim_unit_víctimas/día"),
    "percent": Message("claim_unit_percent"),
    "lbs": Message("claim_unit_lbs"),
    "deaths": Message("claim_unit_deaths"),
}
KIND_LABELS: dict[str, Message] = {
    "acumulado": Message("claim_kind_acumulado"),
    "acumulado enero-agosto (interpretación)": Message("claim_kind_acumulado enero-agosto (interpretación)"),
    "anual": Message("claim_kind_anual"),
    "anual (base INEGI)": Message("claim_kind_anual (base INEGI)"),
    "anual definitivo": Message("claim_kind_anual definitivo"),
    "anual preliminar": Message("claim_kind_anual preliminar"),
    "mensual": Message("claim_kind_mensual"),
    "parcial": Message("claim_kind_parcial"),
    "periodo": Message("claim_kind_periodo"),
    "semestral preliminar": Message("claim_kind_semestral preliminar"),
    "level": Message("claim_kind_level"),
    "change": Message("claim_kind_change"),
}
# SESNSP RNID: the victims series a claim is checked against closed at this month; from January 2026
# SESNSP's new register is loaded as crimes (carpetas), another basis than victims per day, so a claim
# about a later month is not checkable until RNID's victims file is loaded.
SERIES_CLOSED = {"sesnsp_homicide_victims": "2025-12"}
RNID_BASIS = Message("claim_basis_rnid")
RNID_NEED = Message("claim_need_rnid")
# What would make a claim checkable, by claimed indicator (said when it is not).
WOULD_NEED: dict[str, Message] = {
    "defunciones_por_homicidio": Message("claim_need_defunciones_por_homicidio"),
}
DEFAULT_NEED = Message("claim_need_default")


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def claim_id(row: dict) -> str:
    """Stable id: the claimed indicator, its period and a digest of who said what when."""
    digest = hashlib.sha256("|".join(str(row.get(k, "")) for k in (
        "claimant", "claim", "period_start", "period_end", "kind", "value", "stated_on", "url")).encode()).hexdigest()
    return f"{row['claim']}-{row['period_start'][:7]}-{row['period_end'][:7]}-{digest[:8]}"


def sources() -> tuple[str, ...]:
    """The sources a check of the claims reads: the claims and each independent series' source
    (a cache of the checks keys on their versions only)."""
    from indicators import period_claims

    return (*CLAIM_SOURCES, *sorted({source for spec in INDEPENDENT.values()
                                     for source in sources_read(get_indicator(spec["indicator"]))}
                                    | set(period_claims.sources())))


def read_claims(engine: Engine, as_of: dt.date | None = None) -> pd.DataFrame:
    frames = []
    for source_id in CLAIM_SOURCES:
        rows = read_slice(engine, source_id, "MX", as_of=as_of).rows
        if not rows.empty:
            frames.append(rows.assign(source_id=source_id))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _independent_daily_average(engine: Engine, claim: dict, spec: dict, as_of: dt.date | None) -> dict:
    """Victims over the claim's months ÷ days, from the independent series; or why not."""
    start, end = _date(claim["period_start"]), _date(claim["period_end"])
    months = pd.period_range(start, end, freq="M")
    try:
        frame = read_series(engine, spec["indicator"], spec["geo"], as_of=as_of)
    except NotAvailable:
        return {"reason": "no_independent_series"}
    if frame.empty:  # every vintage withdrawn: nothing to check against until one is published
        return {"reason": "no_release_in_force"}
    values = frame.set_index(frame["period"].dt.to_period("M"))
    missing = [m for m in months if m not in values.index or pd.isna(values.loc[m, "value"])]
    if missing:
        last = months[-1]
        expected = (last + 1).start_time.date() + dt.timedelta(days=spec["lag_days"] - 1)
        overdue = expected <= (as_of or dt.date.today())
        return {"reason": "not_loaded_yet" if overdue else "not_published_yet", "expected_by": expected.isoformat(),
                "data_through": values.index.max().strftime("%Y-%m") if len(values) else None}
    used = values.loc[list(months)]
    days = sum(calendar.monthrange(m.year, m.month)[1] for m in months)
    return {
        "value": float(used["value"].sum() / days),
        "vintages": sorted(set(used["vintage"])),
        "vintage_published_on": max(used["vintage_published_on"]).isoformat(),
        "flags": sorted({f for item in used["flags"] for f in str(item).split(",") if f}),
    }


def _classify(claim: dict, independent: float) -> tuple[str, str, float, float]:
    difference = claim["value"] - independent
    relative = difference / independent if independent else float("inf")
    if claim["bound"] == "lower":
        ok = independent >= claim["value"] * (1 - TOLERANCE)
    else:
        ok = abs(relative) <= TOLERANCE
    if ok:
        reason = "within_tolerance" if abs(relative) > 0.0005 else "matches"
        return "consistent", reason, difference, relative * 100
    reason = "higher_than_independent" if difference > 0 else "lower_than_independent"
    return "inconsistent", reason, difference, relative * 100


def _own_figures(claims: pd.DataFrame) -> dict[int, dict]:
    """Cumulative claims against the government's own earlier totals for the same start date."""
    flags: dict[int, dict] = {}
    cumulative = claims[claims["kind"] == "acumulado"]
    for _, group in cumulative.groupby(["claim", "period_start", "unit"]):
        ordered = group.sort_values("period_end")
        best = None
        for index, row in ordered.iterrows():
            if best is not None and row["value"] < best["value"] and row["bound"] == "exact":
                flags[index] = {"status": "decreases", "earlier_value": float(best["value"]),
                                "earlier_period_end": best["period_end"]}
            elif best is not None:
                flags[index] = {"status": "ok"}
            if best is None or row["value"] >= best["value"]:
                best = row
    return flags


def _linked_events(events: list[dict], stated_on: str) -> list[str]:
    if len(stated_on) != 10:
        return []
    day = _date(stated_on)
    return [e["id"] for e in events
            if abs((dt.date.fromisoformat(str(e["date"])) - day).days) <= 2]


def check_claims(engine: Engine, events: list[dict] | None = None, as_of: dt.date | None = None) -> list[dict]:
    """Every claim stated by ``as_of``: the curated tables' figures and the period's headline
    claims (:mod:`indicators.period_claims`), one list, each checked."""
    from indicators import period_claims  # the curated headline claims, checked their own way

    results = period_claims.check(engine, as_of)
    claims = read_claims(engine, as_of)
    if claims.empty:
        return results
    own = _own_figures(claims)
    for index, row in claims.iterrows():
        claim = {k: (None if isinstance(v, float) and pd.isna(v) else v) for k, v in row.items()}
        if claim["value"] is None or not math.isfinite(float(claim["value"])):
            # The parser refuses these now; a store loaded before that may still hold one.
            log.warning("claim %s (%s) has no finite value; left out", claim["claim"], claim.get("period_start"))
            continue
        out = {
            "id": claim_id(claim),
            "claim": claim["claim"],
            "label": (CLAIM_LABELS[claim["claim"]].as_dict() if claim["claim"] in CLAIM_LABELS
                      else dict.fromkeys(languages(), claim["claim"])),
            **{k: claim.get(k) or "" for k in ("claimant", "period_start", "period_end", "kind", "unit", "bound",
                                               "baseline", "confidence", "url", "stated_on")},
            "value": float(claim["value"]),
            "claim_source_id": claim["source_id"],
            "claim_vintage": claim["vintage"],
            "events": _linked_events(events or [], claim.get("stated_on") or ""),
            "own_figures": own.get(index),
            "independent": None,
        }
        spec = INDEPENDENT.get(claim["claim"])
        if claim.get("basis") == "INEGI":
            out.update(status="not_checkable", reason="different_basis")
        elif spec is None:
            out.update(status="not_checkable", reason="no_independent_series",
                       would_need=WOULD_NEED.get(claim["claim"], DEFAULT_NEED).as_dict())
        elif str(claim["period_end"])[:7] > SERIES_CLOSED.get(spec["indicator"], "9999-12"):
            out.update(status="not_checkable", reason="rnid_crimes_not_victims", basis_note=RNID_BASIS.as_dict(),
                       would_need=RNID_NEED.as_dict())
        else:
            found = _independent_daily_average(engine, claim, spec, as_of)
            indicator = get_indicator(spec["indicator"])
            if "value" not in found:
                out.update(status="not_checkable", reason=found["reason"], expected_by=found.get("expected_by"),
                           data_through=found.get("data_through"))
            else:
                status, reason, difference, percent = _classify(claim, found["value"])
                out.update(status=status, reason=reason, difference=difference, difference_pct=percent)
                out["independent"] = {
                    "value": found["value"], "indicator": indicator.id, "source_id": indicator.source_id,
                    "vintages": found["vintages"], "vintage_published_on": found["vintage_published_on"],
                    "provisional": "provisional" in found["flags"],
                }
            if claim["confidence"] == "low":
                out["ambiguous"] = True
        results.append(out)
    results.sort(key=lambda r: (r["claim"], r["period_end"], r["stated_on"]))
    return results


def summary(results: list[dict]) -> dict:
    counts: dict[str, int] = {}
    for item in results:
        counts[item["status"]] = counts.get(item["status"], 0) + 1
    return {"claims": len(results), "by_status": counts, "tolerance_pct": TOLERANCE * 100}


STATUSES = ("consistent", "inconsistent", "not_checkable")
SORTS = ("stated_on", "period_end", "status", "difference", "claim")
_STATUS_ORDER = {"inconsistent": 0, "consistent": 1, "not_checkable": 2}


def _folded(text: str) -> str:
    """Lower case without accents: "homicidio" finds "Homicidios", "sedena" finds "SEDENA"."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


# Each sort's own direction, as the page labels it: newest, latest, largest first; inconsistent
# first; A to Z. ``order`` (asc/desc) overrides it.
NATURAL_DESCENDING = {"stated_on": True, "period_end": True, "difference": True, "status": False, "claim": False}


def select(items: list[dict], *, status: str | None = None, claimant: str | None = None, q: str | None = None,
           sort: str = "stated_on", descending: bool | None = None, lang: str = "en") -> list[dict]:
    """The claims a reader asked for: of one status and one claimant, with every word of ``q`` in
    the claim's names (EN and ES), claimant, kind or id (case and accents ignored), sorted by
    ``sort`` in its own direction unless ``descending`` says otherwise (names in ``lang``);
    claims with nothing to sort by (undated, no difference) come last either way."""
    if status and status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}")
    if descending is None:
        descending = NATURAL_DESCENDING[sort]
    words = _folded(q or "").split()
    out = []
    for item in items:
        if (status and item["status"] != status) or (claimant and item["claimant"] != claimant):
            continue
        label = item.get("label") or {}
        haystack = _folded(" ".join([*map(str, label.values()), item["claimant"],
                                     item["kind"], item["id"]]))
        if all(word in haystack for word in words):
            out.append(item)

    def key(item: dict):
        if sort == "status":
            return _STATUS_ORDER.get(item["status"], 9)
        if sort == "difference":
            return abs(item["difference_pct"]) if item.get("difference_pct") is not None else None
        if sort == "claim":
            label = item.get("label") or {}
            return _folded(str(label.get(lang) or label.get("en") or item["claim"]))
        return item.get(sort) or None

    present = [i for i in out if key(i) is not None]
    missing = [i for i in out if key(i) is None]
    return sorted(present, key=key, reverse=descending) + missing


CSV_COLUMNS = ["id", "claim", "label_en", "label_es", "kind", "claimant", "stated_on", "source_url", "period_start",
               "period_end", "compared_with", "value", "unit", "bound", "status", "reason", "difference",
               "difference_pct", "independent_value", "independent_indicator", "independent_vintages", "reading",
               "events"]


def table(items: list[dict]) -> pd.DataFrame:
    """The claims as one plain table (the page's download): one row each, the fields a reader cites."""
    rows = []
    for item in items:
        found = item.get("independent") or {}
        label = item.get("label") or {}
        rows.append({
            "id": item["id"], "claim": item["claim"], "label_en": label.get("en"), "label_es": label.get("es"),
            "kind": item["kind"], "claimant": item["claimant"], "stated_on": item["stated_on"] or None,
            "source_url": item["url"], "period_start": item["period_start"], "period_end": item["period_end"],
            "compared_with": item.get("baseline") or None, "value": item["value"], "unit": item["unit"],
            "bound": item["bound"], "status": item["status"],
            "reason": item["reason"], "difference": item.get("difference"),
            "difference_pct": item.get("difference_pct"),
            "independent_value": found.get("value"), "independent_indicator": found.get("indicator"),
            "independent_vintages": "; ".join(found.get("vintages") or []) or None,
            "reading": (item.get("reading") or {}).get("en"),
            "events": "; ".join(item.get("events") or []) or None,
        })
    return pd.DataFrame(rows, columns=CSV_COLUMNS)
