"""The strict Content-Security-Policy keeps every page working in a real browser: each page draws
and the browser logs no blocked script, style or request (the fixture fails on severe console
errors, which is where Chromium reports a CSP violation)."""

from __future__ import annotations

import pytest
import requests

from dashboard import ids

pytestmark = pytest.mark.browser

PAGES = ["/", "/overview", "/scorecard", "/timeline", "/claims", "/sources", "/?lang=es"]


def test_every_page_draws_under_the_strict_policy(app_browser):
    duo = app_browser
    policy = requests.get(f"{duo.server_url}/", timeout=30).headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self' 'sha256-" in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    for page in PAGES:
        duo.wait_for_page(f"{duo.server_url}{page}")
        duo.wait_for_element("h1", timeout=30)
    duo.wait_for_page(f"{duo.server_url}/")
    duo._wait_for(lambda driver: driver.execute_script(
        f"return !!document.querySelector('#{ids.GRAPH} .js-plotly-plot .main-svg')"), timeout=30,
        msg="the explorer chart never drew")
