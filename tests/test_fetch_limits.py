"""The fetch a timer can be trusted with: https only, each source's hosts only (redirects too), a
size cap, one deadline, a page cap, sane newest-file selection, no release date from the future."""

from __future__ import annotations

import datetime as dt

import pytest
import responses

from etl import cbp_drug_seizures, cdc_vsrr, http, pipeline
from etl.common import SanityError
from etl.store import PublishError, list_vintages
from tests.helpers import full_window

CBP = ["www.cbp.gov"]


def test_only_https_to_the_sources_hosts():
    session = http.make_session()
    with pytest.raises(SanityError, match="only https is fetched"):
        http.get(session, "http://www.cbp.gov/x.csv", hosts=CBP)
    with pytest.raises(SanityError, match=r"evil\.example is not one of this source's hosts"):
        http.get(session, "https://evil.example/x.csv", hosts=CBP)


@responses.activate
def test_a_redirect_to_another_host_is_refused():
    responses.get("https://www.cbp.gov/x.csv", status=302, headers={"Location": "https://evil.example/x.csv"})
    responses.get("https://evil.example/x.csv", body=b"FY,Month\n")
    with pytest.raises(SanityError, match=r"evil\.example is not one of this source's hosts"):
        http.get(http.make_session(), "https://www.cbp.gov/x.csv", hosts=CBP)


@responses.activate
def test_the_size_cap_and_the_deadline():
    responses.get("https://www.cbp.gov/big.csv", body=b"x" * 5000)
    with pytest.raises(SanityError, match="more than the cap of 1,000 bytes"):
        http.get(http.make_session(), "https://www.cbp.gov/big.csv", hosts=CBP, max_bytes=1000)
    with pytest.raises(SanityError, match="deadline has passed"):
        http.get(http.make_session(deadline_seconds=0), "https://www.cbp.gov/big.csv", hosts=CBP)


@responses.activate
def test_a_listing_that_links_to_another_host_publishes_nothing(store):
    responses.get(cbp_drug_seizures.LISTING_URL,
                  body='<a href="http://mirror.example/nationwide-drugs-fy23-fy26-dec.csv">x</a>')
    with pytest.raises(PublishError, match=r"mirror\.example is not one of this source's hosts"):
        pipeline.refresh(store, "cbp_drug_seizures")
    assert list_vintages(store, "cbp_drug_seizures") == []


def test_fy99_is_the_last_century_not_the_newest_release():
    html = ('<a href="/f/nationwide-drugs-fy96-fy99.csv">old</a>'
            '<a href="/f/nationwide-drugs-fy23-fy26-dec.csv">new</a>')
    assert cbp_drug_seizures.discover_latest_url(html).endswith("fy23-fy26-dec.csv")


@responses.activate
def test_a_last_modified_in_the_future_is_not_believed(store):
    url = "https://www.cbp.gov/sites/default/files/2026-01/nationwide-drugs-fy23-fy26-dec.csv"
    responses.get(cbp_drug_seizures.LISTING_URL, body=f'<a href="{url}">Dec</a>')
    responses.get(url, body=full_window(), headers={"Last-Modified": "Tue, 01 Jan 2030 00:00:00 GMT"})
    pipeline.refresh(store, "cbp_drug_seizures")
    [vintage] = list_vintages(store, "cbp_drug_seizures")
    assert vintage.published_on < dt.date(2030, 1, 1) and vintage.published_on_basis.startswith("estimated")


@responses.activate
def test_a_misbehaving_paged_endpoint_is_cut_off(store, monkeypatch):
    monkeypatch.setattr(cdc_vsrr, "PAGE_SIZE", 2)
    monkeypatch.setattr(cdc_vsrr, "MAX_PAGES", 5)
    row = {"state": "US", "year": "2025", "month": "January", "period": "12 month-ending",
           "indicator": "Number of Drug Overdose Deaths", "data_value": "80000"}
    responses.get(cdc_vsrr.API_URL, json=[row, row])  # every page full, forever
    with pytest.raises(PublishError, match="still more rows after 5 pages of 2"):
        pipeline.refresh(store, "cdc_vsrr")
    assert len(responses.calls) == 5
