"""CBP weapons seizures, AMO drug seizures and encounters: hand-written files for the rules, the
real files for the numbers (derived from the files themselves, not typed), live discovery."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import responses

from etl import cbp_amo_drug_seizures, cbp_encounters, cbp_weapons_seizures, pipeline
from etl.common import SanityError
from etl.store import list_vintages
from indicators.series import read_series

WEAPONS_HEADER = ("Fiscal Year,Month (abbv),Component,Region,Area of Responsibility,Inbound/Outbound,"
                  "Mode of Transportation,Seizure Type,Category,Event ID,Quantity Seized")


def weapons_file(rows: list[str]) -> bytes:
    return ("\r\n".join([WEAPONS_HEADER, *rows]) + "\r\n").encode()


SWB = "U.S. Border Patrol,Southwest Border,Laredo Sector"
EVENTS = weapons_file([
    # One event, weapons and ammunition: one event in "all", one in each type.
    f"2025 (FYTD),OCT,{SWB},OUTBOUND,Land,Weapons,Handgun,1001.0,2.0",
    f"2025 (FYTD),OCT,{SWB},OUTBOUND,Land,Ammunition & Gun Parts,Ammunition,1001.0,500.0",
    f"2025 (FYTD),OCT,{SWB},OUTBOUND,Land,Ammunition & Gun Parts,Magazine,1001.0,4.0",
    f"2025 (FYTD),OCT,{SWB},OUTBOUND,Land,Weapons,Long Arm,1002.0,1.0",
    f"2025 (FYTD),OCT,{SWB},INBOUND,Land,Weapons,Handgun,1003.0,",
    f"2025 (FYTD),NOV,{SWB},OUTBOUND,Land,Ammunition & Gun Parts,Ammunition,1004.0,50.0",
])


def level(tidy, region="all", direction="all", seizure_type="all"):
    events = tidy[tidy["indicator"] == cbp_weapons_seizures.INDICATOR_EVENTS]
    chosen = events[(events["region"] == region) & (events["direction"] == direction)
                    & (events["seizure_type"] == seizure_type)]
    return chosen.set_index("period")["value"].to_dict()


def test_weapons_events_are_counted_once_at_every_level():
    tidy = cbp_weapons_seizures.parse(EVENTS, "weapons-ammunition-seizures-fy22-fy25-nov.csv")
    oct_, nov = dt.date(2024, 10, 1), dt.date(2024, 11, 1)
    assert level(tidy) == {oct_: 3, nov: 1}
    assert level(tidy, "Southwest Border", "outbound") == {oct_: 2, nov: 1}
    assert level(tidy, "Southwest Border", "outbound", "weapons") == {oct_: 2}
    assert level(tidy, "Southwest Border", "outbound", "ammunition_parts") == {oct_: 1, nov: 1}
    items = tidy[tidy["indicator"] == cbp_weapons_seizures.INDICATOR_ITEMS]
    assert items.groupby("category")["value"].sum().to_dict() == {
        "Ammunition": 550.0, "Handgun": 2.0, "Long Arm": 1.0, "Magazine": 4.0}
    blank = items[(items["direction"] == "inbound")]
    assert "quantity_missing" in blank["flags"].iloc[0] and "provisional" in blank["flags"].iloc[0]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (EVENTS.replace(b"INBOUND", b"SIDEWAYS"), "unknown Inbound/Outbound 'SIDEWAYS'"),
        (EVENTS.replace(b",1.0\r\n", b",one\r\n"), "Quantity Seized is not a number: 'one'"),
        (weapons_file([f"2025,OCT,{SWB},OUTBOUND,Land,Weapons,Handgun,{i}.0," for i in range(30)]),
         "Quantity Seized is blank in 30 of 30 rows"),
        (EVENTS.replace(b"OUTBOUND", b"INBOUND"), "no outbound Southwest Border events"),
        (EVENTS.replace(b"Seizure Type,", b"Type,"), "missing column(s) Seizure Type"),
    ],
)
def test_bad_weapons_files_are_refused(content, message):
    with pytest.raises(SanityError, match=None) as caught:
        cbp_weapons_seizures.parse(content, "w.csv")
    assert message in str(caught.value)


@pytest.mark.raw
def test_real_weapons_file_counts_distinct_events(raw_dir):
    path = cbp_weapons_seizures.raw_files(raw_dir)[0]
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    tidy = cbp_weapons_seizures.record_from_file(path).observations
    assert sum(level(tidy).values()) == raw["Event ID"].nunique()
    southbound = raw[(raw["Inbound/Outbound"] == "OUTBOUND") & (raw["Region"] == "Southwest Border")]
    expected = southbound.groupby(["Fiscal Year", "Month (abbv)"])["Event ID"].nunique()
    assert sum(level(tidy, "Southwest Border", "outbound").values()) == expected.sum()
    items = tidy[tidy["indicator"] == cbp_weapons_seizures.INDICATOR_ITEMS]["value"].sum()
    assert items == pytest.approx(pd.to_numeric(raw["Quantity Seized"], errors="coerce").sum())


@pytest.mark.raw
def test_amo_fentanyl_fy2024_and_its_own_component(raw_dir):
    tidy = cbp_amo_drug_seizures.record_from_file(cbp_amo_drug_seizures.raw_files(raw_dir)[-1]).observations
    fy2024 = tidy[(tidy["indicator"] == cbp_amo_drug_seizures.INDICATOR_LBS) & (tidy["category"] == "Fentanyl")
                  & (tidy["period"] >= dt.date(2023, 10, 1)) & (tidy["period"] <= dt.date(2024, 9, 1))]
    assert round(fy2024["value"].sum()) == 1847  # the figure the nationwide series used to leave out
    assert set(tidy["land_filter"]) <= {"Land Only", "Other"}
    raw = cbp_amo_drug_seizures.raw_files(raw_dir)[-1].read_bytes()
    with pytest.raises(SanityError, match="expected only Air and Marine Operations"):
        cbp_amo_drug_seizures.parse(raw.replace(b"Air and Marine Operations", b"U.S. Border Patrol", 1), "a.csv")


@pytest.mark.raw
def test_encounters_national_is_the_sum_of_the_file_and_of_the_states(raw_dir):
    for path in cbp_encounters.raw_files(raw_dir):
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
        tidy = cbp_encounters.record_from_file(path).observations
        national = tidy[tidy["geo"] == "US"]
        states = tidy[tidy["geo"] != "US"]
        assert national["value"].sum() == pd.to_numeric(raw["Encounter Count"]).sum()
        assert (national.groupby("period")["value"].sum() == states.groupby("period")["value"].sum()).all()


@pytest.mark.raw
def test_encounter_months_overlapping_two_releases_agree(built_store):
    vintages = list_vintages(built_store, cbp_encounters.SOURCE_ID)
    assert len(vintages) >= 2
    older = read_series(built_store, "cbp_swb_encounters", as_of=vintages[0].published_on).set_index("period")
    newer = read_series(built_store, "cbp_swb_encounters").set_index("period")
    common = older.index.intersection(newer.index)
    assert len(common) >= 12
    changed = (older.loc[common, "value"] != newer.loc[common, "value"])
    # Completed fiscal years never change; only months flagged provisional in the older release may.
    assert not changed[~older.loc[common, "flags"].str.contains("provisional")].any()


LISTINGS = [
    (cbp_weapons_seizures, "weapons-ammunition-seizures-fy23-fy26-jul.csv", "weapons-ammunition-seizures-fy23-fy26-jun.csv"),
    (cbp_amo_drug_seizures, "amo-drug-seizures-fy23-fy26-jul.csv", "amo-drug-seizures-fy22-fy25.csv"),
    (cbp_encounters, "nationwide-encounters-fy23-fy26-jun-state.csv", "nationwide-encounters-fy23-fy26-jul-aor.csv"),
]


@pytest.mark.parametrize(("module", "newest", "other"), LISTINGS)
def test_listing_discovery_takes_the_newest_file_of_the_dataset(module, newest, other):
    html = (f'<a href="/sites/default/files/2026-07/{other}">a</a>'
            f'<a href="/sites/default/files/2026-08/{newest}">b</a>'
            '<a href="/sites/default/files/2026-08/currency-seizures-fy23-fy26-jul.csv">c</a>')
    assert module.discover_latest_url(html, module.LISTING_URL).endswith(newest)
    with pytest.raises(SanityError, match=f"no {module.DATASET} CSV link"):
        module.discover_latest_url('<a href="/x/currency-seizures-fy23-fy26-jul.csv">c</a>', module.LISTING_URL)


@responses.activate
def test_weapons_refresh_publishes_and_a_broken_file_publishes_nothing(store):
    url = "https://www.cbp.gov/sites/default/files/2024-12/weapons-ammunition-seizures-fy22-fy25-nov.csv"
    responses.get(cbp_weapons_seizures.LISTING_URL, body=f'<a href="{url}">Nov</a>')
    responses.get(url, body=EVENTS)
    assert pipeline.refresh(store, cbp_weapons_seizures.SOURCE_ID).outcome == "ok"
    before = read_series(store, "cbp_weapons_seizures_outbound")
    assert before.set_index("period")["value"].to_dict() == {pd.Timestamp("2024-10-01"): 2, pd.Timestamp("2024-11-01"): 1}
    responses.reset()
    newer = url.replace("nov", "dec").replace("2024-12", "2025-01")
    responses.get(cbp_weapons_seizures.LISTING_URL, body=f'<a href="{newer}">Dec</a>')
    responses.get(newer, body=EVENTS.replace(b"OUTBOUND", b"SIDEWAYS"))
    with pytest.raises(Exception, match="unknown Inbound/Outbound"):
        pipeline.refresh(store, cbp_weapons_seizures.SOURCE_ID)
    assert read_series(store, "cbp_weapons_seizures_outbound").equals(before)


@pytest.mark.raw
def test_only_geographies_with_matching_rows_are_offered(built_store, raw_dir):
    from indicators.series import geographies

    raw = pd.concat(pd.read_csv(p, dtype=str, keep_default_na=False) for p in cbp_encounters.raw_files(raw_dir))
    southwest = set(raw.loc[raw["Land Border Region"] == "Southwest Land Border", "State"])
    assert set(geographies(built_store, "cbp_swb_encounters")) == southwest | {"US"}


def test_new_york_means_the_whole_state_except_in_cdc_vsrr():
    from etl.geography import geo_name

    assert geo_name("NY", "en", "cdc_vsrr") == "New York (excl. New York City)"
    assert geo_name("NY", "en", "cdc_wonder") == geo_name("NY", "en", "cbp_encounters") == "New York"
