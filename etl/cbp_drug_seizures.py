"""CBP nationwide drug seizures (OFO + USBP): fetch → parse → sanity checks → vintage record.

Each CSV release covers about four fiscal years by month, component, region, land filter, area of
responsibility (AOR) and drug type. A missing combination means zero. Months of the fiscal year in
progress (``2026 (FYTD)``) are revised by later releases, so they are flagged ``provisional``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from etl import cbp
from etl.common import SanityError, per_value, require_range, require_unique

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
DATASET = "nationwide-drugs"


def parse(content: bytes, file_name: str) -> pd.DataFrame:
    """Tidy observations (lbs and event counts) from one release's CSV bytes."""
    raw = cbp.read_release(content, file_name, COLUMNS)

    periods, flags = cbp.months(raw["FY"], raw["Month (abbv)"], file_name)
    lbs = cbp.numbers(raw["Sum Qty (lbs)"], file_name, "Sum Qty (lbs)")
    events = cbp.numbers(raw["Count of Event"], file_name, "Count of Event")
    require_range(lbs, 0, MAX_LBS_PER_ROW, f"{file_name}: Sum Qty (lbs)")
    require_range(events, 0, 1_000_000, f"{file_name}: Count of Event")

    tidy = pd.DataFrame({"period": periods, "geo": "US"})
    for raw_name, dimension in DIMENSION_COLUMNS.items():
        tidy[dimension] = raw[raw_name].to_numpy()
    del raw  # a large release: its text cells are not needed past here
    tidy["area"] = per_value(tidy["area"], str.upper)
    tidy["flags"] = flags.to_numpy()
    key = ["period", *DIMENSION_COLUMNS.values()]
    require_unique(tidy, key, file_name)

    # The weights, then the counts: each column stacked once (no intermediate frames).
    stacked = {column: np.concatenate([tidy[column].to_numpy(dtype=object)] * 2) for column in tidy.columns}
    stacked["indicator"] = np.repeat(np.array([INDICATOR_LBS, INDICATOR_EVENTS], dtype=object), len(tidy))
    stacked["value"] = np.concatenate([lbs.to_numpy(dtype=float), events.to_numpy(dtype=float)])
    # Object columns as built (inferring a string dtype would copy every column once more).
    return pd.DataFrame({name: pd.Series(values, dtype=values.dtype, copy=False) for name, values in stacked.items()},
                        copy=False)


def sanity_check_outputs(tidy: pd.DataFrame, file_name: str) -> None:
    cbp.require_every_month(tidy["period"], file_name)
    fentanyl = tidy[(tidy["indicator"] == INDICATOR_LBS) & (tidy["category"] == "Fentanyl")]
    if fentanyl.empty:
        raise SanityError(f"{file_name}: no fentanyl rows; is this a drug-seizure file?")


SOURCE = cbp.ListingSource(SOURCE_ID, f"{RAW_SUBDIR}/*.csv", parse, cbp.tidy_published_on, dataset=DATASET,
                           listing_url=LISTING_URL, check=sanity_check_outputs)
raw_files, build_record, record_from_file = SOURCE.raw_files, SOURCE.build_record, SOURCE.record_from_file
discover_latest_url, fetch_latest = SOURCE.discover_latest_url, SOURCE.fetch_latest
