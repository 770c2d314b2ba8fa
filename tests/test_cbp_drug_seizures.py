"""CBP drug-seizure parser: hand-written fixtures, including malformed ones."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from etl import cbp_drug_seizures as cbp
from etl.common import SanityError
from tests.helpers import cbp_csv as csv
from tests.helpers import full_window

GOOD = csv(
    "2026 (FYTD),DEC,Office of Field Operations,Southwest Border,Land Only,SAN DIEGO FIELD OFFICE,Fentanyl,3,147.04832875399998",
    "2026 (FYTD),OCT,U.S. Border Patrol,Southwest Border,Land Only,Tucson Sector ,Fentanyl,1,6.61386786e-05",
    "2026 (FYTD),NOV,Office of Field Operations,Coastal/Interior,Other,ATLANTA FIELD OFFICE,Marijuana,2,10.5",
    "2025,SEP,Office of Field Operations,Southwest Border,Land Only,SAN DIEGO FIELD OFFICE,Fentanyl,4,20",
    "2025,JAN,Office of Field Operations,Northern Border,Other,DETROIT FIELD OFFICE,Cocaine,1,1.25",
)


def test_fiscal_months_become_calendar_months_and_fytd_is_provisional():
    tidy = cbp.parse(GOOD, "nationwide-drugs-fy23-fy26-dec.csv")
    lbs = tidy[tidy["indicator"] == cbp.INDICATOR_LBS].set_index(["period", "area"])
    assert lbs.loc[(dt.date(2025, 12, 1), "SAN DIEGO FIELD OFFICE"), "value"] == pytest.approx(147.048328754)
    assert lbs.loc[(dt.date(2025, 10, 1), "TUCSON SECTOR"), "value"] == pytest.approx(6.61386786e-05)
    assert lbs.loc[(dt.date(2025, 9, 1), "SAN DIEGO FIELD OFFICE"), "flags"] == ""
    assert lbs.loc[(dt.date(2025, 12, 1), "SAN DIEGO FIELD OFFICE"), "flags"] == "provisional"
    assert lbs.loc[(dt.date(2025, 1, 1), "DETROIT FIELD OFFICE"), "value"] == 1.25


def test_event_counts_are_a_second_indicator():
    tidy = cbp.parse(GOOD, "x.csv")
    events = tidy[tidy["indicator"] == cbp.INDICATOR_EVENTS]
    assert len(events) == 5
    assert events["value"].sum() == 3 + 1 + 2 + 4 + 1


def test_area_names_are_normalised_upper_case_and_dimensions_kept():
    tidy = cbp.parse(GOOD, "x.csv")
    assert "TUCSON SECTOR" in set(tidy["area"])
    assert set(tidy["component"]) == {"Office of Field Operations", "U.S. Border Patrol"}
    assert {"region", "land_filter", "category"} <= set(tidy.columns)


def test_lf_line_endings_and_row_order_do_not_matter():
    crlf = cbp.parse(GOOD, "x.csv")
    lines = GOOD.decode().split("\r\n")
    shuffled = "\n".join([lines[0], *reversed([line for line in lines[1:] if line])]).encode()
    lf = cbp.parse(shuffled, "x.csv")
    key = ["indicator", "period", "area", "category"]
    pd.testing.assert_frame_equal(
        crlf.sort_values(key).reset_index(drop=True), lf.sort_values(key).reset_index(drop=True)
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (csv("2025,JAN,OFO,Southwest Border,Land Only,X,Fentanyl,1,1",
             header="FY,Month (abbv),Component,Region,Land Filter,Area of Responsibility,Drug Type,Count of Event"),
         "missing column(s) Sum Qty (lbs)"),
        (csv("2025,JNA,OFO,Southwest Border,Land Only,X,Fentanyl,1,1"), "unknown month 'JNA'"),
        (csv("FY25,JAN,OFO,Southwest Border,Land Only,X,Fentanyl,1,1"), "unreadable fiscal year 'FY25'"),
        (csv("2025,JAN,OFO,Southwest Border,Land Only,X,Fentanyl,1,twelve"), "Sum Qty (lbs) is not a number"),
        (csv("2025,JAN,OFO,Southwest Border,Land Only,X,Fentanyl,1,-5"), "outside the plausible range"),
        (csv("2025,JAN,OFO,Southwest Border,Land Only,X,Fentanyl,1,1",
             "2025,JAN,OFO,Southwest Border,Land Only,X,Fentanyl,2,3"), "share a key"),
        (csv(), "no data rows"),
        (b"", "not a readable CSV"),
        (b"\xff\xfe\x00garbage", "not a readable CSV"),
    ],
)
def test_malformed_input_is_rejected_with_a_clear_message(content: bytes, message: str):
    with pytest.raises(SanityError, match=None) as caught:
        cbp.parse(content, "bad.csv")
    assert message in str(caught.value)
    assert str(caught.value).startswith("bad.csv")


def test_release_with_a_missing_month_fails_output_checks():
    content = csv(
        "2025,JAN,OFO,Southwest Border,Land Only,X,Fentanyl,1,1",
        "2025,MAR,OFO,Southwest Border,Land Only,X,Fentanyl,1,1",
    )
    with pytest.raises(SanityError, match="months with no rows"):
        cbp.build_record(content, "gap.csv")


def test_release_without_fentanyl_rows_fails_output_checks():
    content = csv("2025,JAN,OFO,Southwest Border,Land Only,X,Cocaine,1,1")
    with pytest.raises(SanityError, match="no fentanyl rows"):
        cbp.build_record(content, "nofent.csv")


def test_record_carries_sha256_and_estimated_release_date():
    record = cbp.build_record(full_window(), "nationwide-drugs-fy23-fy26-dec.csv")
    assert len(record.sha256) == 64
    assert record.published_on == dt.date(2026, 1, 15)
    assert "estimated" in record.published_on_basis


LISTING = """
<html><body>
<a href="/sites/default/files/2026-08/nationwide-drugs-fy23-fy26-jul.csv">July</a>
<a href="https://www.cbp.gov/sites/default/files/2026-09/nationwide-drugs-fy23-fy26-aug_0.csv">August</a>
<a href="/sites/default/files/2025-10/nationwide-drugs-fy22-fy25.csv">FY25 final</a>
<a href="/sites/default/files/2026-09/amo-drug-seizures-fy23-fy26-aug.csv">AMO</a>
<a href="/document/stats/other">page</a>
</body></html>
"""


def test_listing_discovery_takes_the_newest_nationwide_file():
    url = cbp.discover_latest_url(LISTING, "https://www.cbp.gov/document/stats/nationwide-drug-seizures")
    assert url == "https://www.cbp.gov/sites/default/files/2026-09/nationwide-drugs-fy23-fy26-aug_0.csv"


def test_fiscal_year_final_file_ranks_after_its_own_monthly_files():
    html = ('<a href="/f/nationwide-drugs-fy22-fy25-aug.csv">a</a>'
            '<a href="/f/nationwide-drugs-fy22-fy25.csv">b</a>'
            '<a href="/f/nationwide-drugs-fy23-fy26-oct.csv">c</a>')
    assert cbp.discover_latest_url(html, "https://x.test/p").endswith("fy23-fy26-oct.csv")
    html_without_new_year = html.replace('<a href="/f/nationwide-drugs-fy23-fy26-oct.csv">c</a>', "")
    assert cbp.discover_latest_url(html_without_new_year, "https://x.test/p").endswith("fy22-fy25.csv")


def test_listing_without_a_drug_file_is_an_error():
    with pytest.raises(SanityError, match="no nationwide-drugs CSV link"):
        cbp.discover_latest_url("<a href='/x/amo-drug-seizures-fy23-fy26-aug.csv'>x</a>", "https://x.test/")


def test_extra_columns_in_a_later_release_are_tolerated_and_said(caplog):
    lines = full_window().decode().splitlines()
    widened = "\r\n".join([lines[0] + ",Notes"] + [line + ",n/a" for line in lines[1:]]) + "\r\n"
    with caplog.at_level("WARNING"):
        tidy = cbp.parse(widened.encode(), "nationwide-drugs-fy23-fy26-dec.csv")
    assert len(tidy) == 2 * (len(lines) - 1)
    assert "column(s) not read: Notes" in caplog.text


# --- the committed snapshot (what a fresh clone serves) -------------------------------------

def test_the_april_2026_release_is_in_the_snapshot_store_and_the_swb_fentanyl_series_runs_to_2026_04(snapshot_store):
    from etl.store import list_vintages
    from indicators.series import read_series

    vintages = list_vintages(snapshot_store, cbp.SOURCE_ID)
    [april] = [v for v in vintages if v.file_name == "nationwide-drugs-fy23-fy26-apr.csv"]
    assert april.published_on == dt.date(2026, 5, 15) and april.period_end == dt.date(2026, 4, 1)
    assert max(vintages, key=lambda v: (v.published_on, v.id)).id == april.id  # the newest release
    series = read_series(snapshot_store, "cbp_fentanyl_seizures_swb_lbs", "US")
    months = pd.to_datetime(series["period"]).dt.to_period("M")
    assert months.max() == pd.Period("2026-04", "M")
    assert len(months) == months.nunique() == len(pd.period_range(months.min(), "2026-04", freq="M"))  # no gap
    # The months after December 2025 come from the April release, still provisional (FY2026 in progress).
    newest = series[months > pd.Period("2025-12", "M")]
    assert len(newest) == 4 and set(newest["vintage"]) == {april.file_name}
    assert set(newest["flags"]) == {"provisional"}
