"""CBP nationwide drug seizures (OFO + USBP): fetch → parse → sanity checks → vintage record.

Each CSV release covers about four fiscal years by month, component, region, land filter, area of
responsibility (AOR) and drug type. A missing combination means zero. Months of the fiscal year in
progress (``2026 (FYTD)``) are revised by later releases, so they are flagged ``provisional``.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import requests

from etl import http
from etl.common import (
    MONTH_ABBREVIATIONS,
    SanityError,
    fiscal_to_calendar,
    next_month,
    read_csv_cells,
    require_columns,
    require_range,
    require_unique,
)
from etl.store import VintageRecord, make_record

SOURCE_ID = "cbp_drug_seizures"
RAW_SUBDIR = "cbp/drug-seizures"
LISTING_URL = "https://www.cbp.gov/document/stats/nationwide-drug-seizures"

INDICATOR_LBS = "cbp_drug_seizures_lbs"
INDICATOR_EVENTS = "cbp_drug_seizure_events"

COLUMNS = [
    "FY",
    "Month (abbv)",
    "Component",
    "Region",
    "Land Filter",
    "Area of Responsibility",
    "Drug Type",
    "Count of Event",
    "Sum Qty (lbs)",
]
DIMENSION_COLUMNS = {
    "Component": "component",
    "Region": "region",
    "Land Filter": "land_filter",
    "Area of Responsibility": "area",
    "Drug Type": "category",
}
# The largest monthly single-AOR weight in the published files is of the order of 10^5 lbs
# (marijuana); a value past this bound is a unit or parsing error, not a seizure.
MAX_LBS_PER_ROW = 2_000_000
FILE_NAME_PATTERN = re.compile(
    r"nationwide-drugs-fy(?P<start>\d{2})-fy(?P<end>\d{2})(?:-(?P<month>[a-z]{3}))?(?:_\d+)?\.csv$"
)


def raw_files(raw_dir: Path) -> list[Path]:
    return sorted((raw_dir / RAW_SUBDIR).glob("*.csv"))


def parse(content: bytes, file_name: str) -> pd.DataFrame:
    """Tidy observations (lbs and event counts) from one release's CSV bytes."""
    raw = read_csv_cells(content, file_name)
    require_columns(raw, COLUMNS, file_name)
    if raw.empty:
        raise SanityError(f"{file_name}: no data rows")
    raw = raw[COLUMNS].apply(lambda col: col.str.strip())

    fiscal_year = pd.to_numeric(raw["FY"].str.extract(r"^(\d{4})")[0], errors="coerce")
    bad_fy = fiscal_year.isna()
    if bad_fy.any():
        raise SanityError(f"{file_name}: unreadable fiscal year {raw.loc[bad_fy, 'FY'].iloc[0]!r}")
    month = raw["Month (abbv)"].str.upper().map(MONTH_ABBREVIATIONS)
    if month.isna().any():
        bad = raw.loc[month.isna(), "Month (abbv)"].iloc[0]
        raise SanityError(f"{file_name}: unknown month {bad!r}")
    lbs = _numbers(raw["Sum Qty (lbs)"], file_name, "Sum Qty (lbs)")
    events = _numbers(raw["Count of Event"], file_name, "Count of Event")
    require_range(lbs, 0, MAX_LBS_PER_ROW, f"{file_name}: Sum Qty (lbs)")
    require_range(events, 0, 1_000_000, f"{file_name}: Count of Event")

    tidy = pd.DataFrame(
        {
            "period": [
                fiscal_to_calendar(int(fy), int(m)) for fy, m in zip(fiscal_year, month, strict=True)
            ],
            "geo": "US",
        }
    )
    for raw_name, dimension in DIMENSION_COLUMNS.items():
        tidy[dimension] = raw[raw_name].to_numpy()
    tidy["area"] = tidy["area"].str.upper()
    tidy["flags"] = raw["FY"].str.contains("FYTD", case=False).map(
        {True: "provisional", False: ""}
    ).to_numpy()
    key = ["period", *DIMENSION_COLUMNS.values()]
    require_unique(tidy, key, file_name)

    weights = tidy.assign(indicator=INDICATOR_LBS, value=lbs.to_numpy())
    counts = tidy.assign(indicator=INDICATOR_EVENTS, value=events.to_numpy())
    return pd.concat([weights, counts], ignore_index=True)


def _numbers(column: pd.Series, file_name: str, name: str) -> pd.Series:
    values = pd.to_numeric(column.str.replace(",", "", regex=False), errors="coerce")
    if values.isna().any():
        bad = column[values.isna()].iloc[0]
        raise SanityError(f"{file_name}: {name} is not a number: {bad!r}")
    return values


def sanity_check_outputs(tidy: pd.DataFrame, file_name: str) -> None:
    periods = pd.to_datetime(tidy["period"]).dt.to_period("M")
    months = pd.period_range(periods.min(), periods.max(), freq="M")
    missing = months.difference(periods.unique())
    if len(missing):
        raise SanityError(f"{file_name}: months with no rows inside the release window: {list(map(str, missing))[:6]}")
    fentanyl = tidy[(tidy["indicator"] == INDICATOR_LBS) & (tidy["category"] == "Fentanyl")]
    if fentanyl.empty:
        raise SanityError(f"{file_name}: no fentanyl rows; is this a drug-seizure file?")


def published_on(tidy: pd.DataFrame, file_name: str) -> tuple[dt.date, str]:
    """CBP posts a release in the month after its last data month; the day is not recorded."""
    last = max(tidy["period"])
    return (
        next_month(last).replace(day=15),
        "estimated: mid-month after the last data month (CBP uploads in the following month)",
    )


def build_record(content: bytes, file_name: str, *, url: str | None = None,
                 published: tuple[dt.date, str] | None = None) -> VintageRecord:
    tidy = parse(content, file_name)
    sanity_check_outputs(tidy, file_name)
    return make_record(SOURCE_ID, content, file_name, tidy, published or published_on(tidy, file_name), url)


def record_from_file(path: Path) -> VintageRecord:
    return build_record(path.read_bytes(), path.name)


def _release_order(file_name: str) -> tuple[int, int]:
    match = FILE_NAME_PATTERN.search(file_name)
    if not match:
        return (-1, -1)
    month = match.group("month")
    # A fiscal-year-final file (no month) closes the year: September is the 12th FY month.
    fiscal_month = 12 if month is None else (MONTH_ABBREVIATIONS[month.upper()] - 10) % 12 + 1
    return (int(match.group("end")), fiscal_month)


def discover_latest_url(listing_html: str, base_url: str = LISTING_URL) -> str:
    """The newest nationwide-drugs CSV linked from CBP's listing page (names change monthly)."""
    links = http.csv_links(listing_html, base_url)
    candidates = [link for link in links if FILE_NAME_PATTERN.search(link.rsplit("/", 1)[-1])]
    if not candidates:
        raise SanityError(f"no nationwide-drugs CSV link found on {base_url}")
    return max(candidates, key=lambda link: _release_order(link.rsplit("/", 1)[-1]))


def fetch_latest(session: requests.Session | None = None) -> VintageRecord:
    session = session or http.make_session()
    listing = http.get(session, LISTING_URL)
    url = discover_latest_url(listing.text, LISTING_URL)
    response = http.get(session, url)
    file_name = url.rsplit("/", 1)[-1]
    return build_record(
        response.content, file_name, url=url, published=http.last_modified(response)
    )
