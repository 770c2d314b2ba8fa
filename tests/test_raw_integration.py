"""Integration on the real public files: the ETL reproduces the figures their provenance cites."""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from etl import cdc_vsrr, snapshot
from etl.store import list_vintages, read_observations, vintage_observations
from indicators.series import read_series

pytestmark = pytest.mark.raw

# PROVENANCE.md (cbp): fentanyl lbs, all components and Southwest border, by fiscal year.
FENTANYL_CHECKSUMS = {
    2019: (2803.60, 2633.29),
    2020: (4791.06, 4557.74),
    2021: (11201.32, 10586.39),
    2022: (14699.88, 14104.11),
    2023: (27022.85, 26717.83),
    2024: (21889.21, 21148.15),
    2025: (12027.28, 11488.28),
}
# The fiscal year in progress (FYTD, provisional) as each release states it: revised by later ones.
FENTANYL_FYTD_CHECKSUMS = {
    "nationwide-drugs-fy23-fy26-dec.csv": (2026, 3398.28, 3353.70),  # Oct-Dec 2025
    "nationwide-drugs-fy23-fy26-apr.csv": (2026, 6725.62, 6262.41),  # Oct 2025-Apr 2026
}
CBP = "cbp_drug_seizures"


def fiscal_year_totals(frame: pd.DataFrame) -> dict[int, float]:
    periods = pd.to_datetime(frame["period"])
    fiscal_year = periods.dt.year + (periods.dt.month >= 10).astype(int)
    return frame.groupby(fiscal_year)["value"].sum().to_dict()


def newest_drug_release(store):
    """The drug-seizure vintage the store serves its newest months from."""
    return max(list_vintages(store, CBP), key=lambda v: (v.published_on, v.id))


@pytest.mark.parametrize(("indicator", "column"),
                         [("cbp_fentanyl_seizures_lbs", 0), ("cbp_fentanyl_seizures_swb_lbs", 1)])
def test_fentanyl_checksums_by_fiscal_year(built_store, indicator, column):
    totals = fiscal_year_totals(read_series(built_store, indicator))
    for fiscal_year, expected in FENTANYL_CHECKSUMS.items():
        assert totals[fiscal_year] == pytest.approx(expected[column], abs=0.01), fiscal_year
    # The year in progress is served from the newest release.
    fiscal_year, *expected = FENTANYL_FYTD_CHECKSUMS[newest_drug_release(built_store).file_name]
    assert totals[fiscal_year] == pytest.approx(expected[column], abs=0.01), fiscal_year
    assert max(totals) == fiscal_year


def test_every_vintage_reproduces_the_completed_fiscal_years(built_store):
    # Completed fiscal years are identical in every release that covers them.
    for vintage in list_vintages(built_store, CBP):
        rows = vintage_observations(built_store, [vintage.id])
        fentanyl = rows[(rows["indicator"] == "cbp_drug_seizures_lbs") & (rows["category"] == "Fentanyl")]
        complete = fentanyl[fentanyl["flags"] != "provisional"]  # the year in progress is FYTD
        for fiscal_year, total in fiscal_year_totals(complete).items():
            assert total == pytest.approx(FENTANYL_CHECKSUMS[fiscal_year][0], abs=0.01), (vintage.file_name, fiscal_year)


def test_the_releases_reproduce_the_fytd_checksums(built_store):
    # PROVENANCE.md gives the FYTD of the two newest releases (not of May 2025's). The newest
    # release must have one: a new file comes with its checksum.
    assert newest_drug_release(built_store).file_name in FENTANYL_FYTD_CHECKSUMS
    checked = set()
    for vintage in list_vintages(built_store, CBP):
        if vintage.file_name not in FENTANYL_FYTD_CHECKSUMS:
            continue
        rows = vintage_observations(built_store, [vintage.id])
        provisional = rows[(rows["indicator"] == "cbp_drug_seizures_lbs") & (rows["category"] == "Fentanyl")
                           & (rows["flags"] == "provisional")]
        fiscal_year, everywhere, southwest = FENTANYL_FYTD_CHECKSUMS[vintage.file_name]
        assert fiscal_year_totals(provisional) == {fiscal_year: pytest.approx(everywhere, abs=0.01)}
        swb = provisional[provisional["region"] == "Southwest Border"]
        assert fiscal_year_totals(swb) == {fiscal_year: pytest.approx(southwest, abs=0.01)}
        checked.add(vintage.file_name)
    assert checked == set(FENTANYL_FYTD_CHECKSUMS)


def test_revised_month_differs_by_vintage_and_as_of_recovers_the_old_value(built_store):
    october = dt.date(2024, 10, 1)

    def all_drugs(as_of, month=october, indicator="cbp_drug_seizures_lbs"):
        rows = read_observations(built_store, indicator, "US", period_from=month, period_to=month, as_of=as_of)
        return round(rows["value"].sum(), 2), set(rows["vintage"])

    newest = newest_drug_release(built_store).file_name
    # FY2025 OCT: provisional in May 2025, then complete and unchanged in every later release.
    assert all_drugs(dt.date(2025, 7, 1)) == (42618.98, {"nationwide-drugs-fy22-fy25-may.csv"})
    assert all_drugs(dt.date(2026, 2, 1)) == (40714.67, {"nationwide-drugs-fy23-fy26-dec.csv"})
    assert all_drugs(None) == (40714.67, {newest})
    # FY2026 OCT events: 4,642 in the Dec-2025 release, 5,507 (+19 %) in the Apr-2026 one (PROVENANCE.md).
    events = dict(month=dt.date(2025, 10, 1), indicator="cbp_drug_seizure_events")
    assert all_drugs(dt.date(2026, 2, 1), **events) == (4642, {"nationwide-drugs-fy23-fy26-dec.csv"})
    assert all_drugs(dt.date(2026, 6, 1), **events) == (5507, {"nationwide-drugs-fy23-fy26-apr.csv"})


def test_series_runs_without_a_gap_from_oct_2018_to_the_newest_release(built_store):
    series = read_series(built_store, "cbp_fentanyl_seizures_swb_lbs")
    months = pd.to_datetime(series["period"]).dt.to_period("M")
    end = pd.Period(newest_drug_release(built_store).period_end, "M")
    assert months.min() == pd.Period("2018-10", "M") and months.max() == end
    assert len(months) == months.nunique() == len(pd.period_range("2018-10", end, freq="M"))
    assert set(series.loc[months > pd.Period("2025-12", "M"), "vintage"]) <= {newest_drug_release(built_store).file_name}


def test_the_april_2026_release_is_loaded_as_a_new_vintage(built_store):
    [vintage] = [v for v in list_vintages(built_store, CBP) if v.file_name == "nationwide-drugs-fy23-fy26-apr.csv"]
    # PROVENANCE.md: sha256 (first 16) and 8,673 rows, each a weight and an event count.
    assert vintage.sha256.startswith("ae83ef9ffb0d7db2")
    assert vintage.row_count == 2 * 8673
    assert (vintage.period_start, vintage.period_end) == (dt.date(2022, 10, 1), dt.date(2026, 4, 1))
    # Published the month after its last data month (cbp.gov's files/2026-05/ folder), day estimated.
    assert vintage.published_on == dt.date(2026, 5, 15) and vintage.published_on_basis.startswith("estimated")
    assert newest_drug_release(built_store).id == vintage.id


def test_cdc_api_example_rows_match_the_loaded_release(built_store, raw_dir):
    # The reconstructed API example carries real rows of the T40.4 release.
    example = cdc_vsrr.parse((raw_dir / "cdc_vsrr" / "api_shape_example_reconstructed.json").read_bytes(), "ex.json")
    for row in example.itertuples():
        loaded = read_series(built_store, row.indicator, row.geo, start=row.period, end=row.period)
        assert len(loaded) == 1
        if pd.isna(row.value):
            assert pd.isna(loaded["value"].iloc[0])
        else:
            assert loaded["value"].iloc[0] == row.value
            assert loaded["value_predicted"].iloc[0] == row.value_predicted
    us = read_series(built_store, "cdc_synthetic_opioid_deaths_12m", "US",
                     start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 1)).iloc[0]
    assert (us["value"], us["value_predicted"]) == (36825, 37488)


def test_cdc_t404_us_is_identical_across_releases_until_revisions_start(built_store):
    by_release = {}
    for vintage in list_vintages(built_store, "cdc_vsrr"):
        rows = vintage_observations(built_store, [vintage.id])
        us = rows[(rows["indicator"] == "cdc_synthetic_opioid_deaths_12m") & (rows["geo"] == "US")]
        if not us.empty:
            by_release[vintage.file_name] = us.set_index("period")["value"]
    feb, later = (by_release["vsrr_20260214_US_national_5indicators_subset.csv"],
                  by_release["vsrr_api_T40.4_states_2015-01_to_2026-01.csv"])
    stable = [p for p in feb.index if "2015-01" <= str(p)[:7] <= "2024-01"]
    assert len(stable) == 109
    assert (feb[stable] == later[stable]).all()
    assert (feb.drop(stable) != later[feb.drop(stable).index]).any()  # provisional revisions


def test_us_overdose_deaths_equal_the_sum_of_states_of_another_release(built_store):
    us = read_series(built_store, "cdc_overdose_deaths_12m", "US",
                     start=dt.date(2015, 1, 1), end=dt.date(2024, 12, 1)).set_index("period")["value"]
    states = vintage_observations(
        built_store,
        [v.id for v in list_vintages(built_store, "cdc_vsrr") if v.file_name.startswith("guardian")],
    )
    states["period"] = pd.to_datetime(states["period"])
    state_sum = states.groupby("period")["value"].sum()
    assert len(us) == 120
    assert (state_sum[us.index] == us).all()


def test_suppressed_cells_stay_null(built_store):
    rows = read_observations(built_store, "cdc_synthetic_opioid_deaths_12m", "AK")
    suppressed = rows[rows["flags"].str.contains("low_quality|suppressed")]
    assert not suppressed.empty and suppressed["value"].isna().all()
    assert (rows["value"].dropna() > 0).all()


def test_vintage_release_dates_are_the_publishers(built_store):
    dates = {v.file_name: (v.published_on, v.published_on_basis) for v in list_vintages(built_store)}
    assert dates["vsrr_20260214_US_national_5indicators_subset.csv"][0] == dt.date(2026, 2, 14)
    assert dates["guardian_od_statemonths_from_vsrr_20250917.json"][0] == dt.date(2025, 9, 17)
    assert dates["nationwide-drugs-fy23-fy26-dec.csv"][0] == dt.date(2026, 1, 15)
    assert dates["nationwide-drugs-fy23-fy26-apr.csv"][0] == dt.date(2026, 5, 15)
    assert all(basis for _, basis in dates.values())


def test_committed_snapshot_matches_a_build_from_the_raw_files(built_store, tmp_path):
    manifest = snapshot.write(built_store, tmp_path)
    committed = snapshot.read_manifest()
    key = lambda m: sorted((v["source_id"], v["sha256"], v["row_count"], v["published_on"]) for v in m["vintages"])  # noqa: E731
    assert key(manifest) == key(committed), "data/snapshot is stale: run 'python -m etl snapshot'"
    for item in manifest["vintages"]:
        assert (tmp_path / item["file"]).read_bytes() == (snapshot.SNAPSHOT_DIR / item["file"]).read_bytes(), item["file"]


def test_snapshot_store_serves_the_same_series_as_the_raw_build(built_store, snapshot_store):
    for indicator, geo in [("cbp_fentanyl_seizures_swb_lbs", "US"), ("cdc_synthetic_opioid_deaths_12m", "TX"),
                           ("cdc_overdose_deaths_12m", "NYS"), ("cdc_synthetic_opioid_deaths_monthly", "CA"),
                           ("cbp_drug_seizures_by_type_lbs", "US")]:
        # Vintage ids are per store (the order releases were loaded in); file names identify them.
        pd.testing.assert_frame_equal(read_series(built_store, indicator, geo).drop(columns="vintage_id"),
                                      read_series(snapshot_store, indicator, geo).drop(columns="vintage_id"),
                                      check_dtype=False)


def test_no_raw_file_is_copied_into_the_repository(raw_dir):
    project_root = Path(__file__).resolve().parent.parent
    raw = {hashlib.sha256(p.read_bytes()).hexdigest() for p in raw_dir.rglob("*") if p.is_file() and p.suffix != ".md"}
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=project_root, capture_output=True, check=True).stdout
    for name in filter(None, tracked.decode().split("\0")):
        path = project_root / name
        if path.is_file():
            assert hashlib.sha256(path.read_bytes()).hexdigest() not in raw, name
