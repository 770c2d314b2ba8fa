"""CBP nationwide encounters (state flavour): fetch → parse → sanity checks → vintage record.

One row per fiscal month × land border region × state × demographic × citizenship × title of
authority, with the encounter count. ``Month Grouping`` (``FYTD`` / ``Remaining``) is a label
for same-period comparisons, not a subtotal: it is ignored. The store keeps the national total
(``US``) with region, demographic, citizenship and authority, and each state with region,
demographic and authority (citizenship summed, to keep the store small). The state flavour has
no component (OFO / Border Patrol); the AOR flavour, which has, is a different file.
"""

from __future__ import annotations

import pandas as pd

from etl import cbp
from etl.common import SanityError, require_range

SOURCE_ID = "cbp_encounters"
RAW_SUBDIR = "cbp/encounters"
LISTING_URL = "https://www.cbp.gov/document/stats/nationwide-encounters"
DATASET = "nationwide-encounters"
INDICATOR = "cbp_encounters"
COLUMNS = ["Fiscal Year", "Month (abbv)", "Land Border Region", "State", "Demographic", "Citizenship",
           "Title of Authority", "Encounter Count"]
REGIONS = {"Southwest Land Border", "Northern Land Border", "Other"}
# Nationwide encounters peaked near 370,000 in a month (Dec 2023); far above is an error.
MAX_NATIONAL_PER_MONTH = 1_000_000


def parse(content: bytes, file_name: str) -> pd.DataFrame:
    raw = cbp.read_release(content, file_name, COLUMNS)
    periods, flags = cbp.months(raw["Fiscal Year"], raw["Month (abbv)"], file_name)
    unknown = set(raw["Land Border Region"]) - REGIONS
    if unknown:
        raise SanityError(f"{file_name}: unknown Land Border Region {sorted(unknown)[0]!r}")
    states = raw["State"].str.upper()
    bad = ~states.str.fullmatch(r"[A-Z]{2}")
    if bad.any():
        raise SanityError(f"{file_name}: State is not a 2-letter code: {states[bad].iloc[0]!r}")
    count = cbp.numbers(raw["Encounter Count"], file_name, "Encounter Count")
    rows = pd.DataFrame({
        "period": periods, "flags": flags.to_numpy(), "state": states.to_numpy(),
        "region": raw["Land Border Region"].to_numpy(), "demographic": raw["Demographic"].to_numpy(),
        "citizenship": raw["Citizenship"].to_numpy(), "authority": raw["Title of Authority"].to_numpy(),
        "value": count.to_numpy(),
    })
    require_range(rows["value"], 0, MAX_NATIONAL_PER_MONTH, f"{file_name}: Encounter Count")
    national = (rows.groupby(["period", "region", "demographic", "citizenship", "authority"], as_index=False)
                .agg(value=("value", "sum"), flags=("flags", "first")).assign(geo="US"))
    by_state = (rows.groupby(["period", "state", "region", "demographic", "authority"], as_index=False)
                .agg(value=("value", "sum"), flags=("flags", "first")).rename(columns={"state": "geo"}))
    tidy = pd.concat([national, by_state], ignore_index=True)
    tidy["indicator"] = INDICATOR
    tidy["value_predicted"] = None
    cbp.require_every_month(tidy["period"], file_name)
    monthly = national.groupby("period")["value"].sum()
    require_range(monthly, 1_000, MAX_NATIONAL_PER_MONTH, f"{file_name}: national encounters per month")
    return tidy


SOURCE = cbp.ListingSource(SOURCE_ID, f"{RAW_SUBDIR}/*-state.csv", parse, cbp.tidy_published_on, dataset=DATASET,
                           listing_url=LISTING_URL, flavour="-state")
raw_files, build_record, record_from_file = SOURCE.raw_files, SOURCE.build_record, SOURCE.record_from_file
discover_latest_url, fetch_latest = SOURCE.discover_latest_url, SOURCE.fetch_latest
