"""CDC NCHS VSRR provisional drug-overdose deaths: fetch → parse → sanity checks → vintage record.

Every value is the count of deaths in the **12 months ending** in its month, not a monthly count.
Reported (``value``) and predicted (``value_predicted``, adjusted for pending investigations) are
kept side by side. Suppressed or low-quality cells stay NULL, never 0. Jurisdiction codes are CDC's:
``US`` national, ``YC`` New York City, ``NY`` New York State without NYC, ``PR`` outside ``US``.

Accepted layouts: the Socrata API (JSON or CSV, snake_case fields), the bulk CSV download (title
case, thousands separators), a date-keyed derived CSV (``State, Indicator, Date, Death Count``),
and a derived state-month JSON of total overdose deaths keyed by FIPS code.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pandas as pd
import requests

from etl import http
from etl.common import (
    MONTH_NAMES,
    SanityError,
    load_origin,
    next_month,
    read_csv_cells,
    require_range,
    require_unique,
)
from etl.geography import FIPS_TO_CODE
from etl.source import FileSource
from etl.store import VintageRecord

SOURCE_ID = "cdc_vsrr"
RAW_SUBDIR = "cdc_vsrr"
API_URL = "https://data.cdc.gov/resource/xkb8-kh2a.json"
PAGE_SIZE = 50_000
MAX_PAGES = 20  # the whole dataset is about 80,000 rows: two pages; twenty is a misbehaving endpoint

INDICATORS: dict[str, str] = {
    "Number of Drug Overdose Deaths": "cdc_overdose_deaths_12m",
    "Synthetic opioids, excl. methadone (T40.4)": "cdc_synthetic_opioid_deaths_12m",
    "Psychostimulants with abuse potential (T43.6)": "cdc_psychostimulant_deaths_12m",
    "Cocaine (T40.5)": "cdc_cocaine_deaths_12m",
    "Heroin (T40.1)": "cdc_heroin_deaths_12m",
    "Opioids (T40.0-T40.4,T40.6)": "cdc_opioid_deaths_12m",
    "Methadone (T40.3)": "cdc_methadone_deaths_12m",
    "Natural & semi-synthetic opioids (T40.2)": "cdc_natural_semisynthetic_opioid_deaths_12m",
    "Natural & semi-synthetic opioids, incl. methadone (T40.2, T40.3)":
        "cdc_natural_semisynthetic_methadone_deaths_12m",
    "Natural, semi-synthetic, & synthetic opioids, incl. methadone (T40.2-T40.4)":
        "cdc_all_opioid_excl_heroin_deaths_12m",
    "Number of Deaths": "cdc_all_cause_deaths_12m",
    "Percent with drugs specified": "cdc_percent_drugs_specified_12m",
}
PERCENT_INDICATORS = {"cdc_percent_drugs_specified_12m"}

BULK_TO_API = {
    "State": "state", "Year": "year", "Month": "month", "Period": "period",
    "Indicator": "indicator", "Data Value": "data_value", "Percent Complete": "percent_complete",
    "Percent Pending Investigation": "percent_pending_investigation", "State Name": "state_name",
    "Footnote": "footnote", "Footnote Symbol": "footnote_symbol", "Predicted Value": "predicted_value",
}
DERIVED_TO_API = {"State": "state", "Indicator": "indicator", "Death Count": "data_value",
                  "Predicted Value": "predicted_value"}
# Twelve-month counts above this are not overdose deaths (all-cause deaths use their own bound).
MAX_DEATHS_12M = 500_000
MAX_ALL_CAUSE_12M = 5_000_000
RELEASE_DATE_IN_NAME = re.compile(r"(?:^|[_-])(20\d{2})(\d{2})(\d{2})(?=[_.-])")


def raw_files(raw_dir: Path) -> list[Path]:
    folder = raw_dir / RAW_SUBDIR
    # The reconstructed API example is a fixture of the response shape, not a release; the
    # WONDER export in the same folder is a different CDC product (etl.cdc_wonder).
    return sorted(
        p for p in folder.iterdir()
        if p.suffix in (".csv", ".json")
        and not p.name.startswith(("api_shape_example", "wonder_"))
    )


def parse(content: bytes, file_name: str) -> pd.DataFrame:
    text = _decode(content, file_name)
    stripped = text.lstrip()
    if not stripped:
        raise SanityError(f"{file_name}: empty file")
    if stripped.startswith("{"):
        return _parse_state_month_json(text, file_name)
    if stripped.startswith("["):
        try:
            rows = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SanityError(f"{file_name}: malformed JSON ({exc})") from exc
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise SanityError(f"{file_name}: expected a JSON array of objects")
        return _from_api_frame(pd.DataFrame(rows, dtype=object), file_name)
    frame = read_csv_cells(text.encode(), file_name)
    frame = frame.drop(columns=[c for c in frame.columns if c.startswith("Unnamed")])
    if "Death Count" in frame.columns and "Date" in frame.columns:
        dates = pd.to_datetime(frame["Date"], errors="coerce")
        if dates.isna().any():
            raise SanityError(f"{file_name}: unreadable Date {frame.loc[dates.isna(), 'Date'].iloc[0]!r}")
        frame = frame.rename(columns=DERIVED_TO_API)
        frame["year"] = dates.dt.year.astype(str)
        frame["month"] = dates.dt.month_name()
        frame["period"] = "12 month-ending"
        return _from_api_frame(frame, file_name)
    if "Data Value" in frame.columns:
        frame = frame.rename(columns=BULK_TO_API)
    return _from_api_frame(frame, file_name)


def _decode(content: bytes, file_name: str) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SanityError(f"{file_name}: not UTF-8 text ({exc})") from exc


def _count(column: pd.Series, file_name: str, name: str) -> pd.Series:
    """Numbers with or without thousands separators; empty or missing stays NULL."""
    text = column.astype("string").str.replace(",", "", regex=False).str.strip()
    text = text.mask(text == "")
    values = pd.to_numeric(text, errors="coerce")
    bad = values.isna() & text.notna()
    if bad.any():
        raise SanityError(f"{file_name}: {name} is not a number: {text[bad].iloc[0]!r}")
    return values.astype("Float64")


def _from_api_frame(frame: pd.DataFrame, file_name: str) -> pd.DataFrame:
    required = ["state", "year", "month", "indicator", "data_value"]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise SanityError(
            f"{file_name}: missing field(s) {', '.join(missing)}; found {', '.join(map(str, frame.columns))}"
        )
    for optional in ("predicted_value", "footnote", "footnote_symbol", "period"):
        if optional not in frame.columns:
            frame[optional] = None
    frame = frame.copy()
    period_kind = frame["period"].fillna("12 month-ending").astype(str).str.strip()
    frame = frame[period_kind.str.lower() == "12 month-ending"]
    known = frame["indicator"].astype(str).str.strip().map(INDICATORS)
    frame = frame.assign(indicator_id=known)[known.notna()]
    if frame.empty:
        raise SanityError(f"{file_name}: no rows of a known VSRR indicator with 12 month-ending periods")

    months = frame["month"].astype(str).str.strip().map(MONTH_NAMES)
    years = pd.to_numeric(frame["year"], errors="coerce")
    bad = months.isna() | years.isna()
    if bad.any():
        row = frame[bad].iloc[0]
        raise SanityError(f"{file_name}: unreadable month {row['year']!r} {row['month']!r}")

    value = _count(frame["data_value"], file_name, "data_value")
    fractional = value.notna() & (value != value.round())
    if fractional.any():  # deaths are whole; "1.234" is a thousands point read as a decimal
        raise SanityError(f"{file_name}: data_value must be whole deaths: {int(fractional.sum())} value(s) are "
                          f"not, e.g. {float(value[fractional].iloc[0]):g} (a thousands separator?)")
    predicted = _count(frame["predicted_value"], file_name, "predicted_value")
    footnote = frame["footnote"].fillna("").astype(str)
    flags = [
        _flags(note, symbol, has_value)
        for note, symbol, has_value in zip(
            footnote, frame["footnote_symbol"].fillna("").astype(str), value.notna(), strict=True
        )
    ]
    tidy = pd.DataFrame(
        {
            "indicator": frame["indicator_id"].to_numpy(),
            "period": [dt.date(int(y), int(m), 1) for y, m in zip(years, months, strict=True)],
            "geo": frame["state"].astype(str).str.strip().str.upper().to_numpy(),
            "value": value.to_numpy(dtype=object),
            "value_predicted": predicted.to_numpy(dtype=object),
            "flags": flags,
        }
    )
    tidy["value"] = pd.to_numeric(tidy["value"])
    tidy["value_predicted"] = pd.to_numeric(tidy["value_predicted"])
    _check(tidy, file_name)
    return tidy


def _flags(footnote: str, symbol: str, has_value: bool) -> str:
    flags = ["provisional", "rolling_12m"]
    lowered = footnote.lower()
    if symbol.strip() == "*" or "underreported" in lowered:
        flags.append("underreported")
    if "suppressed" in lowered:
        flags.append("suppressed")
    if "low data quality" in lowered:
        flags.append("low_quality")
    if not has_value and "suppressed" not in flags and "low_quality" not in flags:
        flags.append("missing")
    return ",".join(flags)


def _parse_state_month_json(text: str, file_name: str) -> pd.DataFrame:
    """Derived total-overdose-death JSON: {FIPS: {"YYYY-MonthName": {"mort": n, ...}}}."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SanityError(f"{file_name}: malformed JSON ({exc})") from exc
    rows = []
    for fips, months in data.items():
        code = FIPS_TO_CODE.get(str(fips).zfill(2))
        if code is None:
            raise SanityError(f"{file_name}: unknown state FIPS code {fips!r}")
        # This layout adds New York City to New York State; CDC's own "NY" excludes the city.
        geo = "NYS" if code == "NY" else code
        if not isinstance(months, dict):
            raise SanityError(f"{file_name}: state {fips} is not an object of months")
        for key, cell in months.items():
            match = re.fullmatch(r"(\d{4})-([A-Za-z]+)", key)
            if not match or match.group(2) not in MONTH_NAMES:
                raise SanityError(f"{file_name}: unreadable month key {key!r}")
            mort = cell.get("mort") if isinstance(cell, dict) else None
            if mort is not None and not isinstance(mort, (int, float)):
                raise SanityError(f"{file_name}: {fips} {key}: mort is not a number: {mort!r}")
            rows.append(
                {
                    "indicator": "cdc_overdose_deaths_12m",
                    "period": dt.date(int(match.group(1)), MONTH_NAMES[match.group(2)], 1),
                    "geo": geo,
                    "value": float(mort) if mort is not None else None,
                    "value_predicted": None,
                    "flags": "provisional,rolling_12m" + ("" if mort is not None else ",missing"),
                }
            )
    if not rows:
        raise SanityError(f"{file_name}: no state-months")
    tidy = pd.DataFrame(rows)
    _check(tidy, file_name)
    return tidy


def _check(tidy: pd.DataFrame, file_name: str) -> None:
    require_unique(tidy, ["indicator", "period", "geo"], file_name)
    counts = tidy[~tidy["indicator"].isin(PERCENT_INDICATORS | {"cdc_all_cause_deaths_12m"})]
    require_range(counts["value"], 0, MAX_DEATHS_12M, f"{file_name}: 12-month deaths")
    require_range(counts["value_predicted"], 0, MAX_DEATHS_12M, f"{file_name}: predicted deaths")
    all_cause = tidy[tidy["indicator"] == "cdc_all_cause_deaths_12m"]
    require_range(all_cause["value"], 0, MAX_ALL_CAUSE_12M, f"{file_name}: all-cause deaths")
    percent = tidy[tidy["indicator"].isin(PERCENT_INDICATORS)]
    require_range(percent["value"], 0, 100, f"{file_name}: percent with drugs specified")


def published_on(tidy: pd.DataFrame, file_name: str) -> tuple[dt.date, str]:
    match = RELEASE_DATE_IN_NAME.search(file_name)
    if match:
        return (
            dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3))),
            "release date in the file name",
        )
    # VSRR releases trail the last 12-month-ending month by about four and a half months
    # (the release of 2026-02-14 ends at 2025-09).
    return (
        next_month(max(tidy["period"]), 5).replace(day=15),
        "estimated: mid-month, five months after the last 12-month-ending month",
    )


# The raw folder holds other products too, so raw_files above picks the releases.
SOURCE = FileSource(SOURCE_ID, f"{RAW_SUBDIR}/*", parse, published_on)
build_record, record_from_file = SOURCE.build_record, SOURCE.record_from_file


def fetch_all_rows(session: requests.Session, url: str = API_URL,
                   page_size: int | None = None) -> tuple[list[dict], requests.Response]:
    """Every row of the dataset through SoQL paging with a stable order."""
    page_size = page_size or PAGE_SIZE
    hosts = load_origin(SOURCE_ID).get("hosts")
    rows: list[dict] = []
    offset = 0
    last_response = None
    for _page in range(MAX_PAGES):
        params = {
            "$order": "state,indicator,year,month",
            "$limit": str(page_size),
            "$offset": str(offset),
        }
        last_response = http.get(session, url, params=params, hosts=hosts)
        try:
            page = last_response.json()
        except ValueError as exc:
            raise SanityError(f"{url}: the API answered with something that is not JSON") from exc
        if not isinstance(page, list):
            raise SanityError(f"{url}: expected a JSON array, got {type(page).__name__}: {str(page)[:200]}")
        rows.extend(page)
        if len(page) < page_size:
            return rows, last_response
        offset += page_size
    raise SanityError(f"{url}: still more rows after {MAX_PAGES} pages of {page_size:,}: a misbehaving endpoint")


def fetch_latest(session: requests.Session | None = None) -> VintageRecord:
    session = session or http.make_session()
    rows, response = fetch_all_rows(session)
    # Key order in API rows is not guaranteed: hash a canonical form so an unchanged release
    # is recognised as such.
    canonical = json.dumps(
        sorted(rows, key=lambda r: json.dumps(r, sort_keys=True)), sort_keys=True
    ).encode()
    retrieved = dt.date.today().isoformat()
    published = None
    truth = response.headers.get("X-SODA2-Truth-Last-Modified")
    if truth:
        published = http.last_modified_value(truth, "Socrata X-SODA2-Truth-Last-Modified")
    return build_record(
        canonical, f"xkb8-kh2a.json (API, retrieved {retrieved})", url=API_URL,
        published=published,
    )
