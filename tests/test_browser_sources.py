"""Browser test of the Sources page: a card per source and per indicator with data, in Spanish."""

from __future__ import annotations

import pytest

from etl.sources import SOURCES
from indicators.registry import INDICATORS

pytestmark = pytest.mark.browser


def test_sources001_a_card_per_source_and_indicator(app_browser):
    app_browser.wait_for_page(app_browser.server_url + "/sources?lang=es")
    app_browser.wait_for_element("#sources", timeout=30)
    for source_id in SOURCES:
        assert app_browser.find_elements(f"#source-{source_id}"), source_id
    for spec in INDICATORS.values():
        if spec.status == "available":
            card = app_browser.find_element(f"#card-{spec.id}")
            assert "Por qué puede engañar" in card.text and "Frecuencia" in card.text, spec.id
    assert "Fuentes e indicadores" in app_browser.find_element("h2").text
