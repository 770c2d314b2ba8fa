"""Official claims (shared by the two claim sources, ``claims_homicide`` and
``claims_security_results``): figures the governments stated in public (who, when, where, for what period,
what value, against which baseline), typed in from press reports of official statements.

Two inputs, both curated tables with a citation per row:

* homicide figures (``fuente_oficial, periodo, indicador, valor, unidad, tipo_dato, cita_url,
  fecha_publicacion, nota``): SESNSP daily averages and INEGI's registered homicide deaths;
* the security cabinet's cumulative results (``fuente_oficial, periodo_inicio, periodo_fin,
  tipo_cifra, indicador, valor, unidad, confianza, cita_url, fecha_publicacion, nota``).

Each claim becomes one observation of ``official_claims`` (geo ``MX``, at the month its period
ends) whose dimensions keep what was said: ``claim`` (the claimed indicator), ``claimant``,
``period_start`` / ``period_end`` (ISO dates), ``kind`` (monthly, annual, cumulative, …),
``unit``, ``bound`` (``lower`` for "más de …" figures, else ``exact``), ``baseline`` (a
comparison value stated with it, when one is), ``confidence`` (``low`` when the period is
ambiguous), ``url`` and ``stated_on``. The curated tables' free-text notes are read for these
fields and not stored. The claims checker (``indicators/claims.py``) compares them with the independent series.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re

import pandas as pd

from etl.common import SanityError, read_csv_cells, require_columns
from etl.source import publication_date

RAW_SUBDIR = "mexico"
HOMICIDE_COLUMNS = ["fuente_oficial", "periodo", "indicador", "valor", "unidad", "tipo_dato", "cita_url",
                    "fecha_publicacion", "nota"]
RESULTS_COLUMNS = ["fuente_oficial", "periodo_inicio", "periodo_fin", "tipo_cifra", "indicador", "valor", "unidad",
                   "confianza", "cita_url", "fecha_publicacion", "nota"]
LOWER_BOUND = re.compile(r"\bm[aá]s de\b", re.IGNORECASE)
# "-24.9% vs 87.2 (…)", "-40% vs sep-2024 (86.9)": the stated baseline has a decimal point.
BASELINE = re.compile(r"vs\.?\s+(?:[a-z]{3}-\d{4}\s*\()?(?P<value>\d+\.\d+)")


def _period(text: str, file_name: str) -> tuple[dt.date, dt.date]:
    """'2024-09' → (Sep 1, Sep 30); '2024' → the year; '2025-01/2025-08' → Jan 1 … Aug 31."""
    parts = text.strip().split("/")
    try:
        first, last = parts[0], parts[-1]
        start = dt.date(int(first[:4]), int(first[5:7]) if len(first) >= 7 else 1, 1)
        end_year, end_month = int(last[:4]), int(last[5:7]) if len(last) >= 7 else 12
    except ValueError:
        raise SanityError(f"{file_name}: unreadable period {text!r}") from None
    return start, dt.date(end_year, end_month, calendar.monthrange(end_year, end_month)[1])


def _date(text: str, file_name: str) -> str:
    text = text.strip()
    if not text:
        return ""
    if not re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", text):
        raise SanityError(f"{file_name}: unreadable date {text!r}")
    return text


# Claims are counts, weights and daily averages: never negative; a value above this is a typo or
# a unit slip (the largest curated figure, pills seized, is about 4.5 million).
MAX_CLAIMED = 1e9


def _value(text: str, file_name: str) -> float:
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        raise SanityError(f"{file_name}: claimed value is not a number: {text!r}") from None
    if not math.isfinite(value) or not 0 <= value <= MAX_CLAIMED:
        raise SanityError(f"{file_name}: claimed value {text!r} is not a finite count between 0 and {MAX_CLAIMED:,.0f}")
    return value


def _rows_homicide(raw: pd.DataFrame, file_name: str) -> list[dict]:
    rows = []
    for item in raw.to_dict("records"):
        start, end = _period(item["periodo"], file_name)
        baseline = BASELINE.search(item["nota"])
        kind = item["tipo_dato"].strip()
        rows.append({
            "start": start, "end": end, "claim": item["indicador"].strip(), "claimant": item["fuente_oficial"].strip(),
            "kind": kind, "unit": item["unidad"].strip(), "value": _value(item["valor"], file_name),
            "bound": "lower" if LOWER_BOUND.search(item["nota"]) else "exact",
            "baseline": baseline["value"] if baseline else "",
            "confidence": "low" if "ambiguo" in item["nota"].lower() else "medium",
            "url": item["cita_url"].strip(), "stated_on": _date(item["fecha_publicacion"], file_name),
            "note": item["nota"].strip(),
            "basis": "INEGI" if "INEGI" in kind or "INEGI" in item["fuente_oficial"] else "",
        })
    return rows


def _rows_results(raw: pd.DataFrame, file_name: str) -> list[dict]:
    rows = []
    for item in raw.to_dict("records"):
        start = dt.date.fromisoformat(_date(item["periodo_inicio"], file_name) or "1900-01-01")
        end = dt.date.fromisoformat(_date(item["periodo_fin"], file_name) or "1900-01-01")
        rows.append({
            "start": start, "end": end, "claim": item["indicador"].strip(), "claimant": item["fuente_oficial"].strip(),
            "kind": item["tipo_cifra"].strip(), "unit": item["unidad"].strip(),
            "value": _value(item["valor"], file_name),
            "bound": "lower" if LOWER_BOUND.search(item["nota"]) else "exact", "baseline": "",
            "confidence": item["confianza"].strip() or "medium", "url": item["cita_url"].strip(),
            "stated_on": _date(item["fecha_publicacion"], file_name), "note": item["nota"].strip(), "basis": "",
        })
    return rows


def parse(content: bytes, file_name: str, indicator: str) -> pd.DataFrame:
    """Tidy claims of one curated table (homicide figures, or the cabinet's results)."""
    raw = read_csv_cells(content, file_name)
    if indicator == "claims_security_results":
        require_columns(raw, RESULTS_COLUMNS, file_name)
        rows = _rows_results(raw, file_name)
    else:
        require_columns(raw, HOMICIDE_COLUMNS, file_name)
        rows = _rows_homicide(raw, file_name)
    if not rows:
        raise SanityError(f"{file_name}: no claims")
    bad = [r for r in rows if r["end"] < r["start"] or r["start"].year < 1990]
    if bad:
        raise SanityError(f"{file_name}: claim period {bad[0]['start']}..{bad[0]['end']} is not a period")
    frame = pd.DataFrame(rows)
    tidy = pd.DataFrame({
        "period": [d.replace(day=1) for d in frame["end"]],
        "geo": "MX",
        "period_start": [d.isoformat() for d in frame["start"]],
        "period_end": [d.isoformat() for d in frame["end"]],
        **{c: frame[c] for c in ("claim", "claimant", "kind", "unit", "bound", "baseline", "confidence", "url",
                                 "stated_on", "basis")},
        "value": frame["value"].astype(float),
        "flags": "claim",
        "indicator": indicator,
        "value_predicted": None,
    })
    return tidy


# Each claim is a publication of its own: a table is loaded as one release per statement date
# (etl.source: tables of dated publications), so the claims as known on a date are those stated by then.
DATED_BY = "fecha_publicacion"


def published_on(tidy: pd.DataFrame, file_name: str) -> tuple[dt.date, str]:
    stated = [publication_date(s) for s in tidy["stated_on"] if s]
    if not stated:
        raise SanityError(f"{file_name}: no claim has a {DATED_BY}")
    return max(stated), "the newest statement the table records (fecha_publicacion)"
