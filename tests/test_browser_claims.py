"""Browser test of the Claims page: every claim a row, statuses in words, in Spanish."""

from __future__ import annotations

import pytest

from dashboard import ids
from etl.store import read_events
from indicators.claims import check_claims, summary

pytestmark = pytest.mark.browser


def test_claims001_every_claim_is_a_row_with_its_status_in_spanish(app_browser, snapshot_store):
    items = check_claims(snapshot_store, read_events(snapshot_store))
    counts = summary(items)["by_status"]
    app_browser.wait_for_page(app_browser.server_url + "/claims?lang=es")
    app_browser.wait_for_element(f"#{ids.CLAIMS}", timeout=30)
    rows = app_browser.find_elements(f"#{ids.CLAIMS} tbody tr")
    assert len(rows) == len(items) > 0
    assert app_browser.find_element(f"#{ids.CLAIMS_SHOWN}").text.startswith(f"Se muestran {len(items)} de {len(items)}")
    table = app_browser.find_element(f"#{ids.CLAIMS}").text
    for status, label in (("consistent", "Consistente"), ("inconsistent", "Inconsistente"),
                          ("not_checkable", "No verificable")):
        assert (label in table) == (status in counts), status
    assert app_browser.find_element("#claims-summary").text.startswith(f"{len(items)} cifras")
    assert "Cifras oficiales" in app_browser.find_element("header").text


def test_claims002_a_reader_narrows_the_table_and_downloads_what_they_see(app_browser, snapshot_store):
    """The form: pick a status and type a search, press Show; the table, the count, the address
    and the download all follow the selection (a plain GET: the address can be shared)."""
    from selenium.webdriver.support.ui import Select

    items = check_claims(snapshot_store, read_events(snapshot_store))
    status = max({i["status"] for i in items}, key=lambda s: sum(i["status"] == s for i in items))
    app_browser.wait_for_page(app_browser.server_url + "/claims")
    app_browser.wait_for_element(f"#{ids.CLAIMS}", timeout=30)
    Select(app_browser.find_element("#claims-status")).select_by_value(status)
    app_browser.find_element(f"#{ids.CLAIMS_FILTER} button[type=submit]").click()
    app_browser._wait_for(lambda d: f"status={status}" in d.current_url, timeout=30, msg="the form did not submit")
    app_browser.wait_for_element(f"#{ids.CLAIMS}", timeout=30)
    rows = app_browser.find_elements(f"#{ids.CLAIMS} tbody tr")
    expected = [i for i in items if i["status"] == status]
    assert len(rows) == len(expected) > 0
    assert all(f"claim-{status}" in row.get_attribute("class") for row in rows)
    assert Select(app_browser.find_element("#claims-status")).first_selected_option.get_attribute("value") == status
    href = app_browser.find_element(f"#{ids.CLAIMS_CSV}").get_attribute("href")
    assert href.endswith(f"/api/claims.csv?status={status}")
