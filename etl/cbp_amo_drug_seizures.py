"""CBP Air and Marine Operations (AMO) drug seizures: fetch → parse → sanity checks → record.

The nationwide drug-seizure files cover the Office of Field Operations and the Border Patrol only;
AMO (aircraft and vessels, e.g. 1,847 lbs of fentanyl in FY2024) publishes its own monthly files
by region, land filter (``Land`` / ``Other``), branch and drug type. A missing combination means
zero; months of the fiscal year in progress are ``provisional``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import requests

from etl import cbp
from etl.common import SanityError, read_csv_cells, require_columns, require_range, require_unique
from etl.store import VintageRecord, make_record

SOURCE_ID = "cbp_amo_drug_seizures"
RAW_SUBDIR = "cbp/amo-drug-seizures"
LISTING_URL = "https://www.cbp.gov/document/stats/amo-drug-seizures"
DATASET = "amo-drug-seizures"
FILE_NAME_PATTERN = cbp.release_pattern(DATASET)
INDICATOR_LBS = "cbp_amo_drug_seizures_lbs"
INDICATOR_EVENTS = "cbp_amo_drug_seizure_events"
COLUMNS = ["FY", "Month (abbv)", "Component", "Region", "Land Filter", "Branch", "Drug Type", "Count of Event",
           "Sum Qty (lbs)"]
DIMENSION_COLUMNS = {"Region": "region", "Land Filter": "land_filter", "Branch": "branch", "Drug Type": "category"}
MAX_LBS_PER_ROW = 2_000_000


def raw_files(raw_dir: Path) -> list[Path]:
    return sorted((raw_dir / RAW_SUBDIR).glob("*.csv"))


def parse(content: bytes, file_name: str) -> pd.DataFrame:
    raw = read_csv_cells(content, file_name)
    require_columns(raw, COLUMNS, file_name)
    if raw.empty:
        raise SanityError(f"{file_name}: no data rows")
    raw = raw[COLUMNS].apply(lambda col: col.str.strip())
    components = set(raw["Component"])
    if components != {"Air and Marine Operations"}:
        raise SanityError(f"{file_name}: expected only Air and Marine Operations, found {sorted(components)}")
    periods, flags = cbp.months(raw["FY"], raw["Month (abbv)"], file_name)
    lbs = cbp.numbers(raw["Sum Qty (lbs)"], file_name, "Sum Qty (lbs)")
    events = cbp.numbers(raw["Count of Event"], file_name, "Count of Event")
    require_range(lbs, 0, MAX_LBS_PER_ROW, f"{file_name}: Sum Qty (lbs)")
    require_range(events, 0, 100_000, f"{file_name}: Count of Event")
    tidy = pd.DataFrame({"period": periods, "geo": "US", "flags": flags.to_numpy()})
    for raw_name, dimension in DIMENSION_COLUMNS.items():
        tidy[dimension] = raw[raw_name].to_numpy()
    # AMO writes "Land" where the nationwide files write "Land Only": one vocabulary in the store.
    tidy["land_filter"] = tidy["land_filter"].replace({"Land": "Land Only"})
    require_unique(tidy, ["period", *DIMENSION_COLUMNS.values()], file_name)
    tidy["value_predicted"] = None
    tidy = pd.concat([tidy.assign(indicator=INDICATOR_LBS, value=lbs.to_numpy()),
                      tidy.assign(indicator=INDICATOR_EVENTS, value=events.to_numpy())], ignore_index=True)
    cbp.require_every_month(tidy["period"], file_name)
    if not (tidy["category"] == "Fentanyl").any():
        raise SanityError(f"{file_name}: no fentanyl rows; is this an AMO drug-seizure file?")
    return tidy


def published_on(tidy: pd.DataFrame, file_name: str) -> tuple[dt.date, str]:
    return cbp.published_on(tidy["period"], file_name)


def build_record(content: bytes, file_name: str, *, url: str | None = None,
                 published: tuple[dt.date, str] | None = None) -> VintageRecord:
    tidy = parse(content, file_name)
    return make_record(SOURCE_ID, content, file_name, tidy, published or published_on(tidy, file_name), url)


def record_from_file(path: Path) -> VintageRecord:
    return build_record(path.read_bytes(), path.name)


def discover_latest_url(listing_html: str, base_url: str = LISTING_URL) -> str:
    return cbp.discover_latest_url(listing_html, base_url, FILE_NAME_PATTERN, DATASET)


def fetch_latest(session: requests.Session | None = None) -> VintageRecord:
    return cbp.fetch_latest(session, LISTING_URL, FILE_NAME_PATTERN, DATASET, build_record)
