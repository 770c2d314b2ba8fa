"""Browser tests of the scorecard: the grid renders, a cell opens the explorer with the band."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard import ids
from etl.timeline import read_timeline
from indicators.registry import get_indicator
from indicators.scorecard import commitment_groups, links
from tests.helpers import WAIT

pytestmark = pytest.mark.browser

FIGURE = f"document.querySelector('#{ids.GRAPH} .js-plotly-plot')"
CELL = "cell-2025-02-03-tariff-pause-national-guard-cbp_fentanyl_seizures_swb_lbs"


def test_score001_grid_renders_with_verdicts(app_browser):
    # A past date not asked for before: the page says it is being computed and reloads itself.
    app_browser.wait_for_page(app_browser.server_url + "/scorecard?as_of=2026-11-25")
    app_browser.wait_for_element(f"#{ids.SCORECARD}", timeout=4 * WAIT)
    table = app_browser.find_element(f"#{ids.SCORECARD}").text
    assert "Fentanyl seizures at the Southwest border" in table
    assert "Not yet verifiable" in table
    groups = commitment_groups(read_timeline(), dt.date(2026, 11, 25))
    linked = {link for group in groups for event in group for link in links(event)}
    planned = [i for i in linked if get_indicator(i).status != "available"]
    assert ("No data loaded" in table) == bool(planned)
    # Annual figures (ATF) give descriptive cells with no interval (or, when the newest figure
    # predates the event, "no data after the event"): they render, in words.
    if any(get_indicator(i).semantics == "annual" for i in linked):
        assert "Descriptive only" in table or "No data after the event" in table
    rows = app_browser.find_elements(f"#{ids.SCORECARD} tbody tr")
    assert len(rows) == len(groups)
    tests = app_browser.find_element("#multiple-tests").text
    assert "would look significant by chance" in tests
    assert app_browser.find_elements(f"#{CELL} .badge")
    assert "smallest detectable ±" in app_browser.find_element(f"#{CELL}").text


def test_score002_cell_opens_the_explorer_with_the_counterfactual(app_browser):
    app_browser.wait_for_page(app_browser.server_url + "/scorecard")
    app_browser.wait_for_element(f"#{CELL}", timeout=30).click()
    app_browser.wait_for_contains_text(f"#{ids.ASSESSMENT}", "Effect (actual − counterfactual)", timeout=30)
    url = app_browser.driver.current_url
    assert "event=2025-02-03-tariff-pause-national-guard" in url and "indicator=cbp_fentanyl_seizures_swb_lbs" in url
    metas = app_browser.driver.execute_script(f"return {FIGURE}.data.map(t => t.meta)")
    assert "counterfactual" in metas and "counterfactual-band" in metas
    windows = app_browser.driver.execute_script(
        f"return ({FIGURE}.layout.shapes || []).map(s => s.name).filter(n => n && n.startsWith('window:'))")
    assert sorted(windows) == ["window:post", "window:pre"]
    panel = app_browser.find_element(f"#{ids.ASSESSMENT}").text
    assert "Placebo-in-time rank p" in panel and "Pre / post months" in panel
    png = app_browser.find_element("#explorer-download-png").get_attribute("href")
    assert "/api/indicators/cbp_fentanyl_seizures_swb_lbs.png?" in png
    assert "event=2025-02-03-tariff-pause-national-guard" in png


def test_score003_spanish_scorecard(app_browser):
    app_browser.wait_for_page(app_browser.server_url + "/scorecard?lang=es")
    app_browser.wait_for_contains_text("h2", "¿Cambió algo", timeout=30)
    assert "Aún no verificable" in app_browser.find_element(f"#{ids.SCORECARD}").text
    assert "parecerían significativas solo por azar" in app_browser.find_element("#multiple-tests").text
