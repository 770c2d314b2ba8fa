"""CBP weapons and ammunition seizures: fetch → parse → sanity checks → vintage record.

The release is event level: one row per seizure event × item category, with the event's fiscal
month, component, region, area of responsibility, direction (``INBOUND`` / ``OUTBOUND`` /
``OTHER``; outbound at the Southwest border is southbound, the arms commitment), transport mode,
seizure type (``Weapons`` / ``Ammunition & Gun Parts``) and the quantity seized.

Two series come out of it:

* ``cbp_weapons_seized_items``: quantity seized, summed by month, region, area, direction, mode,
  seizure type and category (additive in every dimension);
* ``cbp_weapons_seizure_events``: distinct ``Event ID`` per month, counted at every level of
  region × direction × seizure type, ``all`` included (an event with both weapons and
  ammunition counts once in ``all``; events are never added up across levels, so indicators
  filter on all three dimensions).
"""

from __future__ import annotations

from itertools import product

import pandas as pd

from etl import cbp
from etl.common import SanityError, require_range

SOURCE_ID = "cbp_weapons_seizures"
RAW_SUBDIR = "cbp/weapons-ammunition-seizures"
LISTING_URL = "https://www.cbp.gov/document/stats/weapons-and-ammunition-seizures"
DATASET = "weapons-ammunition-seizures"
INDICATOR_ITEMS = "cbp_weapons_seized_items"
INDICATOR_EVENTS = "cbp_weapons_seizure_events"
ALL = "all"

COLUMNS = ["Fiscal Year", "Month (abbv)", "Component", "Region", "Area of Responsibility", "Inbound/Outbound",
           "Mode of Transportation", "Seizure Type", "Category", "Event ID", "Quantity Seized"]
DIRECTIONS = {"INBOUND": "inbound", "OUTBOUND": "outbound", "OTHER": "other"}
SEIZURE_TYPES = {"Weapons": "weapons", "Ammunition & Gun Parts": "ammunition_parts"}
# One event of hundreds of thousands of rounds is on record; more than this in one row is an error.
MAX_ITEMS_PER_ROW = 5_000_000
MAX_BLANK_QUANTITY_SHARE = 0.01


def parse(content: bytes, file_name: str) -> pd.DataFrame:
    raw = cbp.read_release(content, file_name, COLUMNS)
    periods, flags = cbp.months(raw["Fiscal Year"], raw["Month (abbv)"], file_name)
    direction = raw["Inbound/Outbound"].str.upper().map(DIRECTIONS)
    if direction.isna().any():
        bad = raw.loc[direction.isna(), "Inbound/Outbound"].iloc[0]
        raise SanityError(f"{file_name}: unknown Inbound/Outbound {bad!r}")
    seizure_type = raw["Seizure Type"].map(SEIZURE_TYPES)
    if seizure_type.isna().any():
        raise SanityError(f"{file_name}: unknown Seizure Type {raw.loc[seizure_type.isna(), 'Seizure Type'].iloc[0]!r}")
    # A few events (5 of 22,559 rows in FY2022-25) have no quantity: the event counts, the items
    # are unknown (left out of the sum, the month flagged). More than 1 % blank (and more than a
    # handful) is a broken file.
    blank = raw["Quantity Seized"] == ""
    if blank.sum() > max(10, MAX_BLANK_QUANTITY_SHARE * len(raw)):
        raise SanityError(f"{file_name}: Quantity Seized is blank in {int(blank.sum())} of {len(raw)} rows")
    quantity = cbp.numbers(raw["Quantity Seized"], file_name, "Quantity Seized", blank_ok=True)
    require_range(quantity, 0, MAX_ITEMS_PER_ROW, f"{file_name}: Quantity Seized")
    event = cbp.numbers(raw["Event ID"], file_name, "Event ID").astype("int64")
    rows = pd.DataFrame({
        "period": periods, "flags": flags.to_numpy(), "provisional": flags.to_numpy(),
        "region": raw["Region"].to_numpy(),
        "area": raw["Area of Responsibility"].str.upper().to_numpy(), "direction": direction.to_numpy(),
        "mode": raw["Mode of Transportation"].str.lower().to_numpy(), "seizure_type": seizure_type.to_numpy(),
        "category": raw["Category"].to_numpy(), "event": event.to_numpy(), "value": quantity.to_numpy(),
    })
    rows["flags"] = [",".join(f for f in (flag, "quantity_missing" if pd.isna(v) else "") if f)
                     for flag, v in zip(rows["flags"], rows["value"], strict=True)]
    items = (rows.groupby(["period", "region", "area", "direction", "mode", "seizure_type", "category"], as_index=False)
             .agg(value=("value", "sum"), flags=("flags", _merged_flags)))
    items["indicator"] = INDICATOR_ITEMS
    events = []
    for by_region, by_direction, by_type in product((True, False), repeat=3):
        keys = ["period"] + [name for name, on in (("region", by_region), ("direction", by_direction),
                                                   ("seizure_type", by_type)) if on]
        counted = rows.groupby(keys, as_index=False).agg(value=("event", "nunique"), flags=("provisional", "first"))
        for name, on in (("region", by_region), ("direction", by_direction), ("seizure_type", by_type)):
            if not on:
                counted[name] = ALL
        events.append(counted)
    events = pd.concat(events, ignore_index=True).assign(indicator=INDICATOR_EVENTS)
    tidy = pd.concat([items, events], ignore_index=True)
    tidy["geo"] = "US"
    tidy["value_predicted"] = None
    cbp.require_every_month(tidy["period"], file_name)
    if not ((tidy["indicator"] == INDICATOR_EVENTS) & (tidy["direction"] == "outbound")
            & (tidy["region"] == "Southwest Border")).any():
        raise SanityError(f"{file_name}: no outbound Southwest Border events; is this a weapons file?")
    return tidy


def _merged_flags(flags: pd.Series) -> str:
    return ",".join(sorted({flag for item in flags for flag in item.split(",") if flag}))


SOURCE = cbp.ListingSource(SOURCE_ID, f"{RAW_SUBDIR}/*.csv", parse, cbp.tidy_published_on, dataset=DATASET,
                           listing_url=LISTING_URL)
raw_files, build_record, record_from_file = SOURCE.raw_files, SOURCE.build_record, SOURCE.record_from_file
discover_latest_url, fetch_latest = SOURCE.discover_latest_url, SOURCE.fetch_latest
