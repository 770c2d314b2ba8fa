"""The period's headline claims (``data/period_claims.yaml``), recomputed from the loaded series.

A claim is either a **level** (a value for a period: "990 lbs in January 2025") or a **change** (a
percentage change between two periods: "fentanyl crossing fell 50 % in one year"). Each is
recomputed over the periods the file names, from the series that measures the same thing, as
known on ``as_of`` (default: the latest data). Months combine by the series' meaning: monthly
counts are summed, a 12-month-ending count is read at the period's last month, a daily average is
averaged over the period's days. Where the series publishes a predicted count (CDC's provisional
deaths, adjusted for deaths still under investigation), it is used, as the publisher's headline
figures do.

The tolerance rule (README.md, "How a claim is checked"):

* a level is consistent within 2 % of the independent value, the rule of every other claim
  (:data:`indicators.claims.TOLERANCE`: preliminary figures are revised by about that much);
* a change is consistent within half the unit it is stated to (5 points for "50 %" or "half",
  0.5 for "43 %", 0.05 for "41.5 %"), doubled when the claim says "about", plus 2 points for the
  revisions of the months it compares. Outside that it is inconsistent, by how many points.

A claim whose months are not all loaded is not checkable, saying when the data were due. Where
the claim names no period, the file states the reading taken (``reading``) and the other
plausible readings (``alternatives``), each recomputed and returned beside the claim: a reader
sees whether the verdict depends on the reading.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import logging
from functools import lru_cache
from pathlib import Path

import jsonschema
import pandas as pd
import yaml
from sqlalchemy.engine import Engine

from etl.common import iso_dates
from indicators.registry import INDICATORS, get_indicator
from indicators.series import NotAvailable, read_series, sources_read

log = logging.getLogger(__name__)

PATH = Path(__file__).resolve().parent.parent / "data" / "period_claims.yaml"
LEVEL_TOLERANCE = 0.02  # the same 2 % as every other claim (indicators.claims.TOLERANCE)
REVISION_POINTS = 2.0  # a change compares months that are revised: this many points allowed for it
LAG_DAYS = {"monthly": 45, "rolling_12m": 150}  # how long after a month its figure is due, at most
UNITS = {"cbp_fentanyl_seizures_swb_lbs": "lbs", "cdc_overdose_deaths_12m": "deaths",
         "cdc_synthetic_opioid_deaths_12m": "deaths", "sesnsp_homicides_daily_avg": "víctimas/día"}

_MONTH = {"type": "string", "pattern": r"^\d{4}-\d{2}$"}
_PERIOD = {"type": "object", "required": ["start", "end"], "additionalProperties": False,
           "properties": {"start": _MONTH, "end": _MONTH}}
_BILINGUAL = {"type": "object", "required": ["en", "es"], "additionalProperties": False,  # more languages may follow
              "properties": {"en": {"type": "string", "minLength": 3}, "es": {"type": "string", "minLength": 3}},
              "patternProperties": {"^[a-z]{2,3}(_[A-Z]{2})?$": {"type": "string", "minLength": 3}}}
SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["id", "stated_on", "side", "claimant", "text", "reported", "reported_lang", "url", "indicator",
                     "geo", "kind", "value", "stated_to", "period"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string", "pattern": r"^[a-z0-9]+(-[a-z0-9]+)+$"},
            "stated_on": {"type": "string", "pattern": r"^\d{4}-\d{2}(-\d{2})?$"},
            "event": {"type": "string"},
            "side": {"enum": ["US", "MX"]},
            "claimant": {"type": "string", "minLength": 3},
            "text": _BILINGUAL,
            "reported": {"type": "string", "minLength": 5},
            "reported_lang": {"enum": ["en", "es"]},
            "url": {"type": "string", "pattern": r"^https?://"},
            "indicator": {"type": "string"},
            "geo": {"type": "string"},
            "kind": {"enum": ["level", "change"]},
            "value": {"type": "number"},
            "stated_to": {"type": "number", "exclusiveMinimum": 0},
            "about": {"type": "boolean"},
            "period": _PERIOD,
            "base": _PERIOD,
            "reading": _BILINGUAL,
            "alternatives": {"type": "array", "items": {
                "type": "object", "required": ["label", "period"], "additionalProperties": False,
                "properties": {"label": _BILINGUAL, "period": _PERIOD, "base": _PERIOD}}},
        },
        "if": {"properties": {"kind": {"const": "change"}}},
        "then": {"required": ["base"]},
    },
}


class PeriodClaimError(ValueError):
    """The curated claims file breaks its schema."""


@lru_cache(maxsize=4)
def _read(path: str, _mtime: float) -> tuple[dict, ...]:
    records = iso_dates(yaml.safe_load(Path(path).read_text(encoding="utf-8")) or [])
    # YAML reads 2025-03 as text but 2025-03-04 as a date: both are text here.
    try:
        jsonschema.validate(records, SCHEMA)
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path)
        raise PeriodClaimError(f"{Path(path).name}: {where}: {exc.message}") from None
    ids = [r["id"] for r in records]
    if len(set(ids)) != len(ids):
        raise PeriodClaimError(f"{Path(path).name}: a claim id appears twice")
    for record in records:
        if record["indicator"] not in INDICATORS:
            raise PeriodClaimError(f"{record['id']}: unknown indicator {record['indicator']!r}")
        spec = INDICATORS[record["indicator"]]
        unit = spec.unit.get("en", "")
        if spec.semantics == "annual" or (spec.semantics != "rolling_12m" and "per day" not in unit and any(
                word in unit for word in ("%", "per 100", "share", "rate"))):
            raise PeriodClaimError(f"{record['id']}: {spec.id} is a rate, a share or a yearly figure; months of it "
                                   "cannot be summed (check the claim against its counts)")
        for period in [record["period"], record.get("base")] + [a["period"] for a in record.get("alternatives", [])]:
            if period and period["start"] > period["end"]:
                raise PeriodClaimError(f"{record['id']}: a period starts after it ends ({period})")
    return tuple(records)


def load(path: Path = PATH) -> list[dict]:
    return [dict(r) for r in _read(str(path), path.stat().st_mtime)]


def digest(path: Path = PATH) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def sources() -> tuple[str, ...]:
    """The sources the checks read (a cache of them keys on their versions)."""
    return tuple(sorted({s for r in load() for s in sources_read(get_indicator(r["indicator"]))}))


def stated_by(text: str) -> dt.date:
    """The last day the statement can have been made (a month counts from its last day)."""
    if len(text) == 7:
        year, month = int(text[:4]), int(text[5:])
        return dt.date(year, month, calendar.monthrange(year, month)[1])
    return dt.date.fromisoformat(text)


def tolerance_points(record: dict) -> float:
    half_unit = record["stated_to"] / 2
    return (2 * half_unit if record.get("about") else half_unit) + REVISION_POINTS


def _months(period: dict) -> pd.PeriodIndex:
    return pd.period_range(period["start"], period["end"], freq="M")


def _values(engine: Engine, indicator: str, geo: str, as_of: dt.date | None) -> tuple[pd.DataFrame, object]:
    spec = get_indicator(indicator)
    frame = read_series(engine, spec, geo, as_of=as_of)
    frame = frame.set_index(pd.PeriodIndex(frame["period"], freq="M"))
    values = frame["value"].astype(float)
    if spec.has_predicted and "value_predicted" in frame:
        values = pd.to_numeric(frame["value_predicted"], errors="coerce").fillna(values)
    return frame.assign(used=values), spec


def aggregate(frame: pd.DataFrame, spec, period: dict) -> dict:
    """The period's value from the series' months, or which months are missing."""
    months = _months(period)
    missing = [str(m) for m in months if m not in frame.index or pd.isna(frame.loc[m, "used"])]
    if missing:
        return {"missing": missing}
    used = frame.loc[list(months)]
    if spec.semantics == "rolling_12m":
        value = float(used["used"].iloc[-1])
    elif "/día" in UNITS.get(spec.id, "") or "per day" in spec.unit.get("en", ""):
        days = [calendar.monthrange(m.year, m.month)[1] for m in months]
        value = float(sum(v * d for v, d in zip(used["used"], days, strict=True)) / sum(days))
    else:
        value = float(used["used"].sum())
    return {"value": value, "vintages": sorted(set(used["vintage"])),
            "vintage_published_on": max(used["vintage_published_on"]).isoformat(),
            "provisional": any("provisional" in str(f) for f in used["flags"])}


def _change(frame: pd.DataFrame, spec, period: dict, base: dict) -> dict:
    now, then = aggregate(frame, spec, period), aggregate(frame, spec, base)
    if "missing" in now or "missing" in then:
        return {"missing": now.get("missing", []) + then.get("missing", [])}
    if not then["value"]:
        return {"missing": [], "zero_base": True}
    return {"value": (now["value"] / then["value"] - 1) * 100, "period_value": now["value"],
            "base_value": then["value"], "vintages": sorted(set(now["vintages"]) | set(then["vintages"])),
            "vintage_published_on": max(now["vintage_published_on"], then["vintage_published_on"]),
            "provisional": now["provisional"] or then["provisional"]}


def _text(period: dict | None) -> str:
    if not period:
        return ""
    return period["start"] if period["start"] == period["end"] else f"{period['start']}…{period['end']}"


def check_one(engine: Engine, record: dict, as_of: dt.date | None = None) -> dict:
    spec = get_indicator(record["indicator"])
    out = {
        "id": record["id"], "claim": record["id"], "label": record["text"], "claimant": record["claimant"],
        "side": record["side"], "stated_on": record["stated_on"], "url": record["url"],
        "reported": record["reported"], "reported_lang": record["reported_lang"], "kind": record["kind"],
        "period_start": record["period"]["start"], "period_end": record["period"]["end"],
        "baseline": _text(record.get("base")), "base": record.get("base"), "period": record["period"],
        "value": float(record["value"]), "unit": "percent" if record["kind"] == "change" else UNITS.get(
            spec.id, spec.unit["en"]), "bound": "exact", "confidence": "", "events": [record["event"]] if record.get(
            "event") else [], "own_figures": None, "independent": None, "reading": record.get("reading"),
        "alternatives": [], "curated": True, "indicator": spec.id,
    }
    try:
        frame, spec = _values(engine, record["indicator"], record["geo"], as_of)
    except NotAvailable:
        out.update(status="not_checkable", reason="no_independent_series")
        return out
    if frame.empty:
        out.update(status="not_checkable", reason="no_release_in_force")
        return out
    through = str(frame.index.max())
    if record["kind"] == "level":
        found = aggregate(frame, spec, record["period"])
    else:
        found = _change(frame, spec, record["period"], record["base"])
    if "value" not in found:
        if record["kind"] == "change":  # the other readings, recomputed where their months are loaded
            _alternatives(out, record, frame, spec, found)
        last = pd.Period(max(found.get("missing") or [record["period"]["end"]]), "M")
        expected = (last + 1).start_time.date() + dt.timedelta(days=LAG_DAYS.get(spec.semantics, 45))
        overdue = expected <= (as_of or dt.date.today())
        out.update(status="not_checkable", reason="not_loaded_yet" if overdue else "not_published_yet",
                   expected_by=expected.isoformat(), data_through=through, missing=found.get("missing", []))
        return out
    independent = found["value"]
    out["independent"] = {"value": independent, "indicator": spec.id, "source_id": spec.source_id,
                          "vintages": found["vintages"], "vintage_published_on": found["vintage_published_on"],
                          "provisional": found["provisional"]}
    if record["kind"] == "level":
        difference = record["value"] - independent
        relative = difference / independent if independent else float("inf")
        ok = abs(relative) <= LEVEL_TOLERANCE
        reason = ("matches" if abs(relative) <= 0.0005 else "within_tolerance") if ok else (
            "higher_than_independent" if difference > 0 else "lower_than_independent")
        out.update(status="consistent" if ok else "inconsistent", reason=reason, difference=difference,
                   difference_pct=relative * 100)
    else:
        allowed = tolerance_points(record)
        difference = record["value"] - independent  # in percentage points
        ok = abs(difference) <= allowed
        out["independent"].update(period_value=found["period_value"], base_value=found["base_value"])
        out.update(status="consistent" if ok else "inconsistent", reason="change_within" if ok else "change_off",
                   difference=difference, difference_pct=None, tolerance_points=allowed)
        _alternatives(out, record, frame, spec, found)
    return out


def _alternatives(out: dict, record: dict, frame: pd.DataFrame, spec, found: dict) -> None:
    """The other plausible readings of a change, each recomputed and classified by the same rule,
    and whether the status depends on the reading (None: it may, a reading is not computable yet)."""
    allowed = tolerance_points(record)
    out["alternatives"] = []
    for alternative in record.get("alternatives", []):
        alt = _change(frame, spec, alternative["period"], alternative.get("base") or record["base"])
        status = None if alt.get("value") is None else (
            "consistent" if abs(record["value"] - alt["value"]) <= allowed else "inconsistent")
        out["alternatives"].append({"label": alternative["label"], "period": alternative["period"],
                                    "base": alternative.get("base") or record["base"],
                                    "value": alt.get("value"), "status": status, "missing": alt.get("missing")})
    if "value" not in found:
        out["reading_matters"] = None
        return
    statuses = [a["status"] for a in out["alternatives"]]
    out["reading_matters"] = (True if any(x not in (None, out["status"]) for x in statuses)
                              else None if None in statuses else False)


def check(engine: Engine, as_of: dt.date | None = None) -> list[dict]:
    """Every curated claim stated by ``as_of`` (all when None), checked."""
    out = []
    for record in load():
        if as_of is not None and stated_by(record["stated_on"]) > as_of:
            continue
        try:
            out.append(check_one(engine, record, as_of))
        except NotAvailable as exc:  # a definition reading another series that is not loaded
            log.warning("claim %s not checked: %s", record["id"], exc)
    return out
