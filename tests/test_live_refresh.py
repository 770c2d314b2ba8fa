"""Live refresh against local HTTP mocks: discovery, paging, and failures that publish nothing."""

from __future__ import annotations

import json

import pytest
import requests
import responses
from responses import matchers
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from etl import cbp_drug_seizures, cdc_vsrr, pipeline
from etl.store import Observation, PublishError, Vintage, failing_sources, list_vintages, recent_runs
from indicators.series import read_series
from tests.helpers import full_window

FILE_URL = "https://www.cbp.gov/sites/default/files/2026-01/nationwide-drugs-fy23-fy26-dec.csv"
LISTING = f'<html><a href="{FILE_URL}">Dec</a><a href="/sites/default/files/2025-06/nationwide-drugs-fy22-fy25-may.csv">May</a></html>'


def observations(store) -> int:
    with Session(store) as session:
        return session.scalar(select(func.count()).select_from(Observation))


@responses.activate
def test_cbp_refresh_discovers_and_publishes_the_newest_release(store):
    responses.get(cbp_drug_seizures.LISTING_URL, body=LISTING)
    responses.get(FILE_URL, body=full_window(), headers={"Last-Modified": "Wed, 14 Jan 2026 16:02:11 GMT"})
    run = pipeline.refresh(store, "cbp_drug_seizures")
    assert run.outcome == "ok"
    [vintage] = list_vintages(store, "cbp_drug_seizures")
    assert vintage.file_name == "nationwide-drugs-fy23-fy26-dec.csv"
    assert vintage.url == FILE_URL
    assert str(vintage.published_on) == "2026-01-14"
    assert vintage.published_on_basis == "HTTP Last-Modified of the download"
    assert read_series(store, "cbp_fentanyl_seizures_swb_lbs")["value"].sum() == pytest.approx(15 * 2.5)
    # The same release again is recognised and not loaded twice.
    assert pipeline.refresh(store, "cbp_drug_seizures").outcome == "unchanged"


@responses.activate
@pytest.mark.parametrize(
    ("listing_status", "file_body", "message"),
    [
        (403, None, "HTTP 403"),
        (200, b"<html>Access denied</html>", "missing column(s)"),
        (200, full_window().replace(b",2.5\r\n", b",2.5x\r\n", 1), "is not a number"),
    ],
)
def test_failed_or_malformed_cbp_refresh_keeps_the_last_good_data(store, listing_status, file_body, message):
    responses.get(cbp_drug_seizures.LISTING_URL, body=LISTING)
    responses.get(FILE_URL, body=full_window())
    pipeline.refresh(store, "cbp_drug_seizures")
    before = (observations(store), read_series(store, "cbp_fentanyl_seizures_swb_lbs"))

    responses.reset()
    newer = FILE_URL.replace("fy23-fy26-dec", "fy23-fy26-jan").replace("2026-01", "2026-02")
    responses.get(cbp_drug_seizures.LISTING_URL, body=LISTING.replace(FILE_URL, newer),
                  status=listing_status)
    if file_body is not None:
        responses.get(newer, body=file_body)
    with pytest.raises(PublishError) as caught:
        pipeline.refresh(store, "cbp_drug_seizures")
    assert message in str(caught.value)
    assert observations(store) == before[0]
    assert read_series(store, "cbp_fentanyl_seizures_swb_lbs").equals(before[1])
    [failure] = failing_sources(store)
    assert failure.source_id == "cbp_drug_seizures" and message in failure.message


@responses.activate
def test_network_error_is_a_clear_failure(store):
    responses.get(cbp_drug_seizures.LISTING_URL, body=requests.exceptions.ConnectionError("connection refused"))
    with pytest.raises(PublishError, match=r"could not fetch .*: the host cannot be reached \(refused or reset\) \(after 3 retries"):
        pipeline.refresh(store, "cbp_drug_seizures")
    assert recent_runs(store, 1)[0].outcome == "failed"


def api_row(state: str, month: str, value: str | None) -> dict:
    row = {"state": state, "year": "2025", "month": month, "period": "12 month-ending",
           "indicator": "Synthetic opioids, excl. methadone (T40.4)", "footnote_symbol": "*",
           "footnote": "Underreported due to incomplete data."}
    if value is not None:
        row["data_value"] = value
        row["predicted_value"] = str(int(value) + 100)
    return row


def page_matcher(offset: int):
    return matchers.query_param_matcher(
        {"$order": "state,indicator,year,month", "$limit": "2", "$offset": str(offset)}
    )


@responses.activate
def test_cdc_refresh_pages_through_the_socrata_api(store, monkeypatch):
    monkeypatch.setattr(cdc_vsrr, "PAGE_SIZE", 2)
    rows = [api_row("AK", "May", None), api_row("TX", "May", "1400"), api_row("US", "May", "38000")]
    responses.get(cdc_vsrr.API_URL, json=rows[:2], match=[page_matcher(0)])
    responses.get(cdc_vsrr.API_URL, json=rows[2:], match=[page_matcher(2)],
                  headers={"X-SODA2-Truth-Last-Modified": "Wed, 17 Sep 2025 14:00:00 GMT"})
    run = pipeline.refresh(store, "cdc_vsrr")
    assert run.outcome == "ok" and run.rows == 3
    us = read_series(store, "cdc_synthetic_opioid_deaths_12m", "US")
    assert us[["value", "value_predicted"]].values.tolist() == [[38000, 38100]]
    assert read_series(store, "cdc_synthetic_opioid_deaths_12m", "AK")["value"].isna().all()
    [vintage] = list_vintages(store, "cdc_vsrr")
    assert str(vintage.published_on) == "2025-09-17"


@responses.activate
def test_cdc_refresh_recognises_an_unchanged_release_whatever_the_key_order(store, monkeypatch):
    monkeypatch.setattr(cdc_vsrr, "PAGE_SIZE", 50)
    rows = [api_row("US", "May", "38000")]
    responses.get(cdc_vsrr.API_URL, json=rows)
    pipeline.refresh(store, "cdc_vsrr")
    responses.reset()
    reordered = [dict(reversed(list(rows[0].items())))]
    responses.get(cdc_vsrr.API_URL, body=json.dumps(reordered))
    assert pipeline.refresh(store, "cdc_vsrr").outcome == "unchanged"


@responses.activate
@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ("<html>maintenance</html>", 200, "not JSON"),
        (json.dumps({"error": True, "message": "query timeout"}), 200, "expected a JSON array"),
        ("[]", 503, "HTTP 503"),
        (json.dumps([{"state": "US", "year": "2025", "month": "May", "indicator": "Cocaine (T40.5)",
                      "data_value": "n/a"}]), 200, "data_value is not a number"),
    ],
)
def test_failed_cdc_refresh_publishes_nothing(store, monkeypatch, body, status, message):
    monkeypatch.setattr("etl.http.Retry", lambda **kwargs: 0)  # no retry back-off in tests
    responses.get(cdc_vsrr.API_URL, body=body, status=status)
    with pytest.raises(PublishError) as caught:
        pipeline.refresh(store, "cdc_vsrr")
    assert message in str(caught.value)
    with Session(store) as session:
        assert session.scalar(select(func.count()).select_from(Vintage)) == 0
    assert failing_sources(store)[0].source_id == "cdc_vsrr"


def test_source_without_a_live_endpoint_says_to_import(store):
    with pytest.raises(PublishError, match="no live endpoint; use 'import'"):
        pipeline.refresh(store, "cdc_wonder")
