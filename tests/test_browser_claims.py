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
    table = app_browser.find_element(f"#{ids.CLAIMS}").text
    for status, label in (("consistent", "Consistente"), ("inconsistent", "Inconsistente"),
                          ("not_checkable", "No verificable")):
        assert (label in table) == (status in counts), status
    assert app_browser.find_element("#claims-summary").text.startswith(f"{len(items)} cifras")
    assert "Cifras oficiales" in app_browser.find_element("header").text
