"""Every page at a phone's width (390 px) and a laptop's (1440 px): nothing scrolls sideways, the
chart keeps a usable width; a screenshot of each page at each width is saved for review (CI keeps
the folder as an artefact). On each page the language switch keeps the address and Back undoes it."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import dash
import pytest

from dashboard import ids
from tests.helpers import WAIT

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
WIDTHS = (390, 1440)
SETTLED = "return document.documentElement.scrollWidth <= window.innerWidth + 1"


def pages() -> list[str]:
    from dashboard.app_factory import create_app

    create_app(prepare_store=False)
    return sorted(page["path"] for page in dash.page_registry.values())


@pytest.mark.parametrize("path", pages())
def test_no_page_scrolls_sideways(app_browser, path):
    """Both widths in one browser session per page (a browser start costs more than a page)."""
    driver = app_browser.driver
    for width in WIDTHS:
        driver.set_window_size(width, 900)
        app_browser.wait_for_page(app_browser.server_url + path + "?lang=es")
        app_browser.wait_for_element("header h1", timeout=WAIT)
        if path == "/":
            app_browser.wait_for_element(f"#{ids.GRAPH} .main-svg", timeout=WAIT)
        inner = driver.execute_script("return window.innerWidth")
        # The chart is drawn, then fitted to the window (on a loaded machine a frame later): the
        # page must settle within the wait, never stay wider than the window.
        try:
            app_browser._wait_for(lambda d: d.execute_script(SETTLED), timeout=WAIT, msg="")
        except Exception:  # the assertion below says by how much
            pass
        scroll = driver.execute_script("return document.documentElement.scrollWidth")
        assert scroll <= inner + 1, f"{path} at {width}px: the page is {scroll}px wide in a {inner}px window"
        if path == "/":
            chart = driver.execute_script(
                f"return document.getElementById('{ids.GRAPH}').getBoundingClientRect().width")
            assert chart >= 0.85 * inner - 40, (chart, inner)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = (path.strip("/") or "explorer").replace("/", "_")
        driver.save_screenshot(str(SCREENSHOTS / f"{name}-{width}.png"))
    # The language switch: the same page in English, and Back returns to the Spanish one.
    before = driver.current_url
    app_browser.find_element(f"#{ids.LANGUAGE_LINK}").click()
    app_browser._wait_for(lambda d: d.execute_script("return document.documentElement.lang") == "en"
                          and "lang=es" not in d.current_url, timeout=WAIT, msg=f"{path}: no English page")
    assert urlsplit(driver.current_url).path == path
    from dashboard.i18n import t

    app_browser.wait_for_text_to_equal("header h1", t("app_title", "en"), timeout=WAIT)  # drawn, not only asked for
    driver.save_screenshot(str(SCREENSHOTS / f"{name}-{WIDTHS[-1]}-en.png"))
    driver.set_window_size(WIDTHS[0], 900)  # and the English page on a phone, once it has settled
    try:
        app_browser._wait_for(lambda d: d.execute_script(SETTLED), timeout=WAIT, msg="")
    except Exception:  # the assertion below says by how much
        pass
    assert driver.execute_script("return document.documentElement.scrollWidth") <= WIDTHS[0] + 1, path
    driver.save_screenshot(str(SCREENSHOTS / f"{name}-{WIDTHS[0]}-en.png"))
    driver.back()
    app_browser._wait_for(lambda d: d.current_url == before
                          and d.execute_script("return document.documentElement.lang") == "es",
                          timeout=WAIT, msg=f"{path}: Back did not return to the Spanish page")
