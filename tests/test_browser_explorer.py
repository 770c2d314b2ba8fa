"""Browser tests of the real app in headless Chromium (dash_duo), named by area and number."""

from __future__ import annotations

import pytest

from dashboard import ids
from etl.store import RefreshRun, list_vintages, record_run, utcnow
from etl.timeline import read_timeline
from tests.helpers import WAIT

pytestmark = pytest.mark.browser

EVENTS = read_timeline()
DEFAULT = "cbp_fentanyl_seizures_swb_lbs"


def shown(indicator: str, types: set[str] | None = None, since: str = "") -> list[dict]:
    """The events a chart of ``indicator`` draws by default: those the timeline links to it (all,
    if it links none), of the selected types, from ``since``."""
    linked = [e for e in EVENTS if any(i["indicator"] == indicator for i in e.get("indicators") or [])]
    return [e for e in (linked or EVENTS)
            if (types is None or {e["type"], *e.get("also", [])} & types) and str(e["date"]) >= since]
FIGURE = f"document.querySelector('#{ids.GRAPH} .js-plotly-plot')"


def newest_drug_release(store):
    """The drug-seizure release the default chart's newest months come from."""
    return max(list_vintages(store, "cbp_drug_seizures"), key=lambda v: (v.published_on, v.id))


@pytest.fixture
def explorer(app_browser):
    return app_browser


def figure_ready(duo, text: str) -> None:
    duo.wait_for_contains_text(f"#{ids.GRAPH} .gtitle", text, timeout=WAIT)


def event_shapes(duo) -> list[str]:
    return duo.driver.execute_script(
        f"return ({FIGURE}.layout.shapes || []).map(s => s.name)"
    )


def event_traces(duo) -> list[dict]:
    return duo.driver.execute_script(
        f"return {FIGURE}.data.filter(t => t.meta === 'events').map(t => ({{name: t.name, n: t.x.length}}))"
    )


def test_expl001_explorer_loads_with_the_linked_events_drawn_and_listed(explorer, snapshot_store):
    explorer.wait_for_page("/".join([explorer.server_url, ""]))
    figure_ready(explorer, "Fentanyl seizures at the Southwest border")
    expected = shown(DEFAULT)
    assert 0 < len(expected) < len(EVENTS)
    shapes = event_shapes(explorer)
    assert sorted(shapes) == sorted(f"event:{e['id']}" for e in expected)
    traces = event_traces(explorer)
    assert sum(t["n"] for t in traces) == len(expected)
    # Lines are really drawn in the SVG, with their date labels.
    assert len(explorer.find_elements(".shapelayer path")) >= len(expected)
    last = max(e["date"] for e in expected)
    assert f"{last:%d %b %y}" in explorer.find_element(f"#{ids.GRAPH}").text
    # The same events as a list under the chart, readable without a mouse.
    items = explorer.find_elements(f"#{ids.EVENT_LIST} li")
    assert len(items) == len(expected)
    # On demand, every event.
    explorer.find_elements(f"#{ids.ALL_EVENTS} input")[0].click()
    explorer._wait_for(lambda _: len(event_shapes(explorer)) == len(EVENTS), timeout=10,
                       msg="the other events were not added")
    assert "all_events=1" in explorer.driver.current_url
    assert newest_drug_release(snapshot_store).file_name in explorer.find_element(f"#{ids.INFO}").text


def test_expl002_switch_indicator_and_geography(explorer):
    explorer.wait_for_page(explorer.server_url + "/")
    figure_ready(explorer, "Fentanyl seizures")
    explorer.select_dcc_dropdown(f"#{ids.INDICATOR}",
                                 value="Synthetic-opioid (fentanyl) overdose deaths, 12 months ending")
    figure_ready(explorer, "Synthetic-opioid (fentanyl) overdose deaths")
    explorer.select_dcc_dropdown(f"#{ids.GEO}", value="Texas (TX)")
    figure_ready(explorer, "Texas")
    url = explorer.driver.current_url
    assert "indicator=cdc_synthetic_opioid_deaths_12m" in url and "geo=TX" in url
    names = explorer.driver.execute_script(f"return {FIGURE}.data.map(t => t.name)")
    assert "reported" in names and any(n.startswith("predicted") for n in names)
    assert len(event_shapes(explorer)) == len(shown("cdc_synthetic_opioid_deaths_12m"))
    assert "/api/indicators/cdc_synthetic_opioid_deaths_12m.csv?geo=TX" in \
        explorer.find_element(f"#{ids.DOWNLOAD_CSV}").get_attribute("href")


def test_expl003_toggle_event_types(explorer):
    explorer.wait_for_page(explorer.server_url + "/")
    figure_ready(explorer, "Fentanyl seizures")
    before = len(event_shapes(explorer))
    meetings = explorer.find_elements(f"#{ids.EVENT_TYPES} input")[0]
    meetings.click()
    # An event stays if its type, or one of its secondary types, is still selected.
    selected = {"statement", "commitment", "action", "measurement_change"}
    expected = [e["id"] for e in shown(DEFAULT, selected)]
    explorer._wait_for(lambda _: len(event_shapes(explorer)) < before, timeout=10,
                       msg="meeting lines were not removed")
    assert sorted(event_shapes(explorer)) == sorted(f"event:{i}" for i in expected)
    assert "events=statement,commitment,action,measurement_change" in explorer.driver.current_url


def test_expl004_permalink_in_spanish(explorer):
    explorer.wait_for_page(explorer.server_url + "/?indicator=cdc_overdose_deaths_12m&geo=US&from=2023-01"
                           "&events=meeting,commitment&lang=es")
    figure_ready(explorer, "Muertes por sobredosis (todas las drogas)")
    assert "Verifica — compromisos de seguridad" in explorer.find_element("header h1").text
    expected = [e["id"] for e in shown("cdc_overdose_deaths_12m", {"meeting", "commitment"}, "2023-01")]
    assert sorted(event_shapes(explorer)) == sorted(f"event:{i}" for i in expected)
    assert {t["name"] for t in event_traces(explorer)} <= {"Reuniones", "Compromisos", "Declaraciones",
                                                            "Acciones", "Cambios de medición"}
    assert "English" in explorer.find_element(f"#{ids.LANGUAGE_LINK}").text
    assert explorer.driver.execute_script("return document.documentElement.lang") == "es"
    # The axis speaks Spanish: month names from the plotly locale, none in English.
    ticks = " ".join(e.text for e in explorer.find_elements(f"#{ids.GRAPH} .xtick text"))
    english = {"Jan", "Feb", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
    spanish = {"Ene", "Feb", "Mar", "Abr", "May", "Jun", "Jul", "Ago", "Sep", "Oct", "Nov", "Dic"}
    words = set(ticks.split())
    assert words & spanish, ticks
    assert not (words & (english - spanish)), ticks
    labels = explorer.driver.execute_script(
        f"return ({FIGURE}.layout.annotations || []).filter(a => (a.name || '').startsWith('event-label:'))"
        ".map(a => a.text)")
    assert len(labels) == len(expected)
    label_words = {w.capitalize() for label in labels for w in label.split()}
    assert label_words & spanish and not label_words & (english - spanish), labels


def test_expl005_failed_refresh_is_shown_and_last_data_served(explorer, snapshot_store):
    record_run(snapshot_store, RefreshRun(source_id="cbp_drug_seizures", kind="refresh", started_at=utcnow(),
                                          outcome="failed", message="could not fetch listing: HTTP 403"))
    try:
        explorer.wait_for_page(explorer.server_url + "/")
        explorer.wait_for_contains_text(f"#{ids.STATUS_BANNER}", "cbp_drug_seizures (scheduled refresh)",
                                        timeout=10)
        assert "HTTP 403" not in explorer.find_element(f"#{ids.STATUS_BANNER}").text  # no internals in public
        figure_ready(explorer, "Fentanyl seizures")
        # The data served stays the newest release's, to its last month.
        assert f"..{newest_drug_release(snapshot_store).period_end:%Y-%m}" in explorer.find_element(f"#{ids.INFO}").text
        explorer.wait_for_page(explorer.server_url + "/?lang=es")  # the banner in Spanish, kind included
        explorer.wait_for_contains_text(f"#{ids.STATUS_BANNER}", "(actualización programada) fue rechazada",
                                        timeout=10)
    finally:
        record_run(snapshot_store, RefreshRun(source_id="cbp_drug_seizures", kind="refresh",
                                              started_at=utcnow(), outcome="ok", message="test cleanup"))


def test_expl006_a_mexican_state_in_spanish(explorer):
    explorer.wait_for_page(explorer.server_url + "/?indicator=sesnsp_homicides_daily_avg&geo=MX-SIN&lang=es")
    figure_ready(explorer, "Sinaloa")
    points = explorer.driver.execute_script(
        f"const gd = {FIGURE}; const t = gd._fullData.filter(t => t.meta !== 'events')[0];"
        " return Array.from(t.y || [])")
    assert points and all(y >= 0 for y in points)
    options = explorer.driver.execute_script(
        f"return document.querySelector('#{ids.GEO}').innerText")
    assert "Sinaloa" in options


def test_expl007_yearly_windows_are_drawn_as_spans(explorer):
    explorer.wait_for_page(explorer.server_url + "/?indicator=atf_mexico_us_sourced_traces")
    figure_ready(explorer, "Firearms recovered in Mexico")
    traces = explorer.driver.execute_script(
        f"return {FIGURE}.data.filter(t => t.meta !== 'events').map(t => ({{name: t.name, x: t.x}}))")
    assert traces and all(t["name"].startswith("confidence") for t in traces)
    # A six-year window is one span from its first January to its last December.
    xs = [x for t in traces for x in t["x"] if x]
    assert any(str(x).startswith("2018-01-01") for x in xs) and any(str(x).startswith("2023-12-31") for x in xs)


def test_expl008_the_chart_takes_the_whole_row_without_a_tested_event(explorer):
    explorer.wait_for_page(explorer.server_url + "/")
    figure_ready(explorer, "Fentanyl seizures")
    widths = explorer.driver.execute_script(
        f"return [document.getElementById('{ids.GRAPH}').getBoundingClientRect().width,"
        " document.querySelector('.chart-row').getBoundingClientRect().width]")
    assert widths[0] >= 0.95 * widths[1], widths
