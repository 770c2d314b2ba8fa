"""Browser tests of the explorer as a briefing tool: Back/Forward keep the address and the view in
step, a scorecard cell takes one Back to leave, the language switch keeps the view, download
buttons and the toolbar camera give the cited files, transforms and comparisons draw."""

from __future__ import annotations

import io
import struct
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pandas as pd
import pytest

from dashboard import ids
from dashboard.exports import DEFAULT_SIZE, SIZES
from dashboard.i18n import t
from tests.helpers import WAIT

pytestmark = pytest.mark.browser

FIGURE = f"document.querySelector('#{ids.GRAPH} .js-plotly-plot')"
STATES = "cdc_synthetic_opioid_deaths_12m"  # published for every state


def title(duo) -> str:
    return duo.driver.execute_script(
        f"const gd = {FIGURE}; return gd && gd.layout && gd.layout.title ? gd.layout.title.text : ''"
    ).replace("\u00a0", " ").replace("<br>", " ") or ""  # (no-break space: a number and its unit; wrapped lines)


def wait_title(duo, text: str) -> None:
    duo._wait_for(lambda _: text in title(duo), timeout=WAIT, msg=f"the chart never showed {text!r}: {title(duo)!r}")


def query(duo) -> dict:
    return dict(parse_qsl(urlsplit(duo.driver.current_url).query, keep_blank_values=True))


def choose(duo, dropdown: str, text: str) -> None:
    """Pick an option as a keyboard user does: open the dropdown, type, Enter (the option list
    scrolls to the current value, so clicking by position can land on the search box)."""
    from selenium.webdriver.common.keys import Keys

    duo.find_element(f"#{dropdown}").click()
    search = duo.wait_for_element(f"#{dropdown} input, .dash-dropdown-search", timeout=10)
    search.send_keys(text)
    search.send_keys(Keys.ENTER)


def geo_shown(duo) -> str:
    return duo.find_element(f"#{ids.GEO}").text


def test_view001_back_and_forward_keep_the_address_and_the_chart_in_step(app_browser):
    duo = app_browser
    duo.wait_for_page(f"{duo.server_url}/?indicator={STATES}&geo=US")
    wait_title(duo, "United States")
    duo.select_dcc_dropdown(f"#{ids.GEO}", value="Arizona (AZ)")
    wait_title(duo, "Arizona")
    duo.select_dcc_dropdown(f"#{ids.GEO}", value="Texas (TX)")
    wait_title(duo, "Texas")
    assert query(duo)["geo"] == "TX"
    for step, geo, name in (("back", "AZ", "Arizona"), ("back", "US", "United States"),
                            ("forward", "AZ", "Arizona")):
        getattr(duo.driver, step)()
        duo._wait_for(lambda _, g=geo: query(duo).get("geo") == g, timeout=10, msg=f"address not at {geo}")
        wait_title(duo, name)
        assert name in geo_shown(duo), (step, geo_shown(duo))
    # Back/Forward did not push new entries: one more Back returns to Arizona's predecessor.
    duo.driver.back()
    duo._wait_for(lambda _: query(duo).get("geo") == "US", timeout=10, msg="history has extra entries")


def test_view002_a_scorecard_cell_takes_one_back_to_leave(app_browser):
    duo = app_browser
    duo.wait_for_page(f"{duo.server_url}/scorecard")
    duo.wait_for_element(f"#{ids.SCORECARD} td.cell a", timeout=4 * WAIT)  # the first request computes the grid
    cell = duo.find_elements(f"#{ids.SCORECARD} td.cell a")[0]
    href = cell.get_attribute("href")
    cell.click()
    duo._wait_for(lambda _: urlsplit(duo.driver.current_url).path == "/", timeout=10, msg="no explorer")
    wait_title(duo, "")
    duo._wait_for(lambda _: duo.driver.execute_script(f"return !!{FIGURE}"), timeout=WAIT, msg="no chart")
    time.sleep(1.0)  # any extra history entry the callback might push lands by now
    assert duo.driver.current_url == href
    duo.driver.back()
    duo._wait_for(lambda _: urlsplit(duo.driver.current_url).path == "/scorecard", timeout=10,
                  msg=f"one Back did not leave the explorer: {duo.driver.current_url}")
    duo.wait_for_element(f"#{ids.SCORECARD}", timeout=10)


def test_view003_the_language_switch_keeps_the_view(app_browser):
    duo = app_browser
    duo.wait_for_page(f"{duo.server_url}/?indicator={STATES}&geo=TX&from=2023-01&transform=index")
    wait_title(duo, "Texas")
    choose(duo, ids.GEO, "Arizona")  # the switch follows the controls
    wait_title(duo, "Arizona")
    duo._wait_for(lambda _: "geo=AZ" in duo.find_element(f"#{ids.LANGUAGE_LINK}").get_attribute("href"),
                  timeout=10, msg="the language link did not follow the view")
    duo.find_element(f"#{ids.LANGUAGE_LINK}").click()
    duo._wait_for(lambda _: query(duo).get("lang") == "es", timeout=10, msg="no Spanish address")
    wait_title(duo, "Arizona")
    assert {k: v for k, v in query(duo).items() if k != "lang"} == {
        "indicator": STATES, "geo": "AZ", "from": "2023-01", "transform": "index"}
    wait_title(duo, "índice")
    assert duo.driver.execute_script("return document.documentElement.lang") == "es"


def downloaded(duo, suffix: str, timeout: float = 30) -> Path:
    folder = Path(duo.download_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [p for p in folder.glob(f"*{suffix}") if not p.name.endswith(".crdownload")]
        if done:
            return done[0]
        time.sleep(0.2)
    raise AssertionError(f"no {suffix} file in {folder}: {[p.name for p in folder.iterdir()]}")


def allow_downloads(duo) -> None:
    duo.driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": duo.download_path})


def test_view004_a_download_button_gives_the_cited_file_of_the_view(app_browser):
    duo = app_browser
    duo.wait_for_page(f"{duo.server_url}/?indicator={STATES}&geo=TX&from=2024-01&transform=yoy")
    wait_title(duo, "Texas")
    allow_downloads(duo)
    duo.find_element(f"#{ids.DOWNLOAD_BUTTON}-csv").click()
    path = downloaded(duo, ".csv")
    text = path.read_text()
    assert path.name == f"{STATES}_TX.csv"
    table = pd.read_csv(io.StringIO(text))  # a plain table, the window the page shows
    assert table["period"].min() >= "2024-01"
    # How to cite it: the view's metadata, linked beside the downloads.
    cite = duo.find_element(f"#{ids.CITE_LINK}").get_attribute("href")
    assert f"/api/indicators/{STATES}.metadata.json?" in cite and "geo=TX" in cite and "transform=yoy" in cite
    assert {"value", "value_yoy", "vintage_id"} <= set(table.columns) and len(table) > 0


def test_view005_the_toolbar_camera_downloads_the_cited_image(app_browser):
    duo = app_browser
    duo.wait_for_page(f"{duo.server_url}/?indicator={STATES}&geo=TX")
    wait_title(duo, "Texas")
    allow_downloads(duo)
    selector = f"#{ids.GRAPH} .modebar-btn[data-title='{t('camera_title', 'en')}']"
    duo.wait_for_element(selector, timeout=WAIT)
    # The plain screenshot button is gone: the only image the toolbar gives is the cited one.
    assert duo.driver.execute_script(
        f"return document.querySelectorAll('#{ids.GRAPH} .modebar-btn[data-val=\"png\"]').length") == 0
    duo.driver.execute_script(f'document.querySelector("{selector}").click()')
    path = downloaded(duo, ".png", timeout=60)
    body = path.read_bytes()
    assert body[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", body[16:24]) == SIZES[DEFAULT_SIZE]


def test_view006_transforms_comparison_table_and_map_draw(app_browser):
    duo = app_browser
    duo.wait_for_page(f"{duo.server_url}/?indicator=sesnsp_homicide_victims&geo=MX-SIN&compare=MX-CHH"
                      "&transform=per100k&log=1&lang=es")
    wait_title(duo, "100,000 habitantes")
    layout = duo.driver.execute_script(f"return {FIGURE}.layout.yaxis.type")
    assert layout == "log"
    names = duo.driver.execute_script(f"return {FIGURE}.data.filter(t => t.meta === 'compare').map(t => t.name)")
    assert names == ["Chihuahua"]
    # The numbers under the chart, as shown (the rate), newest first.
    duo.find_element(f"#{ids.TABLE} summary").click()  # the rows come when unfolded
    duo.wait_for_element(f"#{ids.TABLE} tbody tr", timeout=WAIT)
    rows = duo.find_elements(f"#{ids.TABLE} tbody tr")
    assert len(rows) > 12
    # The map of states: a tile per state; choosing one charts it.
    duo.find_element(f"#{ids.MAP} summary").click()
    duo.wait_for_element(f"#{ids.MAP_GRAPH} .heatmaplayer", timeout=WAIT)
    duo.driver.execute_script(
        f"const gd = document.querySelector('#{ids.MAP_GRAPH} .js-plotly-plot');"
        "gd.emit('plotly_click', {points: [{customdata: 'MX-JAL', curveNumber: 0, pointNumber: [3, 1]}]});")
    duo._wait_for(lambda _: query(duo).get("geo") == "MX-JAL", timeout=15, msg="the map did not chart Jalisco")
    wait_title(duo, "Jalisco")
