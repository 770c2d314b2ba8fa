"""CBP Air and Marine Operations (AMO) drug seizures: fetch → parse → sanity checks → record.

The nationwide drug-seizure files cover the Office of Field Operations and the Border Patrol only;
AMO (aircraft and vessels, e.g. 1,847 lbs of fentanyl in FY2024) publishes its own monthly files
by region, land filter (``Land`` / ``Other``), branch and drug type. A missing combination means
zero; months of the fiscal year in progress are ``provisional``.
"""

from __future__ import annotations

import pandas as pd

from etl import cbp
from etl.common import SanityError, require_range, require_unique

SOURCE_ID = "cbp_amo_drug_seizures"
RAW_SUBDIR = "cbp/amo-drug-seizures"
LISTING_URL = "https://www.cbp.gov/document/stats/amo-drug-seizures"
DATASET = "amo-drug-seizures"
INDICATOR_LBS = "cbp_amo_drug_seizures_lbs"
INDICATOR_EVENTS = "cbp_amo_drug_seizure_events"
COLUMNS = ["FY", "Month (abbv)", "Component", "Region", "Land Filter", "Branch", "Drug Type", "Count of Event",
           "Sum Qty (lbs)"]
DIMENSION_COLUMNS = {"Region": "region", "Land Filter": "land_filter", "Branch": "branch", "Drug Type": "category"}
MAX_LBS_PER_ROW = 2_000_000


def parse(content: bytes, file_name: str) -> pd.DataFrame:
    raw = cbp.read_release(content, file_name, COLUMNS)
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


SOURCE = cbp.ListingSource(SOURCE_ID, f"{RAW_SUBDIR}/*.csv", parse, cbp.tidy_published_on, dataset=DATASET,
                           listing_url=LISTING_URL)
raw_files, build_record, record_from_file = SOURCE.raw_files, SOURCE.build_record, SOURCE.record_from_file
discover_latest_url, fetch_latest = SOURCE.discover_latest_url, SOURCE.fetch_latest
