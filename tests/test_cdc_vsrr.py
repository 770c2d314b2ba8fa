"""CDC VSRR parser: every accepted layout, suppression kept NULL, malformed input rejected."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from etl import cdc_vsrr
from etl.common import SanityError

T404 = "Synthetic opioids, excl. methadone (T40.4)"

API_ROWS = [
    {"state": "US", "year": "2025", "month": "December", "period": "12 month-ending", "indicator": T404,
     "data_value": "37000", "predicted_value": "37600", "footnote": "Underreported due to incomplete data.",
     "footnote_symbol": "*", "percent_complete": "100", "percent_pending_investigation": "0.2",
     "state_name": "United States"},
    # Suppressed cell: the API leaves the value keys out.
    {"indicator": T404, "state": "WY", "month": "March", "year": "2016", "period": "12 month-ending",
     "footnote": "Numbers may differ from published reports using final data. See Technical Notes.  Data suppressed (<10).",
     "footnote_symbol": "**", "percent_complete": "100", "percent_pending_investigation": "0",
     "state_name": "Wyoming"},
    {"state": "YC", "year": "2024", "month": "July", "period": "12 month-ending",
     "indicator": "Number of Drug Overdose Deaths", "data_value": "2900", "predicted_value": "2950",
     "footnote": "Numbers may differ from published reports using final data. See Technical Notes.",
     "footnote_symbol": "**"},
    {"state": "US", "year": "2024", "month": "July", "period": "12 month-ending",
     "indicator": "Some indicator added next year", "data_value": "5"},
]


def test_api_json_rows_keep_suppressed_cells_null_and_flag_them():
    tidy = cdc_vsrr.parse(json.dumps(API_ROWS).encode(), "api.json").set_index(["geo", "period"])
    us = tidy.loc[("US", dt.date(2025, 12, 1))]
    assert (us["value"], us["value_predicted"]) == (37000, 37600)
    assert us["indicator"] == "cdc_synthetic_opioid_deaths_12m"
    assert "underreported" in us["flags"].split(",")
    wy = tidy.loc[("WY", dt.date(2016, 3, 1))]
    assert wy["value"] != wy["value"]  # NaN: never 0
    assert "suppressed" in wy["flags"].split(",")
    assert tidy.loc[("YC", dt.date(2024, 7, 1)), "indicator"] == "cdc_overdose_deaths_12m"


def test_unknown_indicators_are_left_out_not_guessed():
    tidy = cdc_vsrr.parse(json.dumps(API_ROWS).encode(), "api.json")
    assert len(tidy) == 3


BULK = (
    "State,Year,Month,Period,Indicator,Data Value,Percent Complete,Percent Pending Investigation,"
    "State Name,Footnote,Footnote Symbol,Predicted Value\r\n"
    'US,2025,September,12 month-ending,Number of Drug Overdose Deaths,"71,520",100,0.31,United States,'
    'Underreported due to incomplete data.,*,"72,804"\r\n'
    "AK,2015,January,12 month-ending,\"Synthetic opioids, excl. methadone (T40.4)\",,100,0,Alaska,"
    "Numbers may differ from published reports using final data. See Technical Notes. Data not shown due to low data quality.,**,\r\n"
)


def test_bulk_csv_with_thousands_separators():
    tidy = cdc_vsrr.parse(BULK.encode(), "VSRR_Provisional_Drug_Overdose_Death_Counts_20251015.csv")
    us = tidy[tidy["geo"] == "US"].iloc[0]
    assert (us["value"], us["value_predicted"]) == (71520, 72804)
    ak = tidy[tidy["geo"] == "AK"].iloc[0]
    assert ak["value"] != ak["value"] and "low_quality" in ak["flags"]


def test_release_date_comes_from_the_file_name_when_present():
    record = cdc_vsrr.build_record(BULK.encode(), "VSRR_Provisional_Drug_Overdose_Death_Counts_20251015.csv")
    assert record.published_on == dt.date(2025, 10, 15)
    assert record.published_on_basis == "release date in the file name"


def test_release_date_is_estimated_from_the_last_month_otherwise():
    record = cdc_vsrr.build_record(BULK.encode(), "download.csv")
    assert record.published_on == dt.date(2026, 2, 15)  # 2025-09 + 5 months, mid-month
    assert "estimated" in record.published_on_basis


DERIVED = (
    "State,Indicator,Date,Death Count,Percent Complete,Percent Pending Investigation,State Name,Predicted Value\n"
    'US,Cocaine (T40.5),2025-08-01,"19,500",100,0.3,United States,"19,866"\n'
    'US,Heroin (T40.1),2025-08-01,"2,300",100,0.3,United States,"2,408"\n'
)


def test_date_keyed_derived_layout():
    tidy = cdc_vsrr.parse(DERIVED.encode(), "derived.csv")
    assert set(tidy["indicator"]) == {"cdc_cocaine_deaths_12m", "cdc_heroin_deaths_12m"}
    assert set(tidy["period"]) == {dt.date(2025, 8, 1)}
    assert tidy["value_predicted"].sum() == 19866 + 2408


def test_state_month_json_keeps_new_york_city_apart_from_cdc_ny():
    content = json.dumps({
        "36": {"2024-January": {"mort": 5000, "mort_100k": 25.0}},
        "48": {"2024-January": {"mort": 4000, "mort_100k": 13.0}, "2024-February": {"mort": 4100}},
    }).encode()
    tidy = cdc_vsrr.parse(content, "od_statemonths_20250917.json")
    assert set(tidy["geo"]) == {"NYS", "TX"}
    assert tidy[tidy["geo"] == "TX"]["value"].tolist() == [4000, 4100]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file"),
        (b"[{\"state\": \"US\",", "malformed JSON"),
        (b"{\"36\": {\"2024-Janvier\": {\"mort\": 1}}}", "unreadable month key"),
        (b"{\"99\": {\"2024-January\": {\"mort\": 1}}}", "unknown state FIPS"),
        (json.dumps([{**API_ROWS[0], "data_value": "lots"}]).encode(), "data_value is not a number"),
        (json.dumps([{**API_ROWS[0], "data_value": "-4"}]).encode(), "outside the plausible range"),
        (json.dumps([{**API_ROWS[0], "month": "Smarch"}]).encode(), "unreadable month"),
        (json.dumps([API_ROWS[0], API_ROWS[0]]).encode(), "share a key"),
        (json.dumps([API_ROWS[3]]).encode(), "no rows of a known VSRR indicator"),
        (b"a,b\n1,2\n", "missing field(s)"),
        (json.dumps({"error": True, "message": "throttled"}).encode(), "unknown state FIPS"),
    ],
)
def test_malformed_input_is_rejected_with_a_clear_message(content: bytes, message: str):
    with pytest.raises(SanityError) as caught:
        cdc_vsrr.parse(content, "bad.json")
    assert message in str(caught.value)
