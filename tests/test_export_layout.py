"""Exported figures read in print: at every report size and in both languages, no piece of text
prints over another, every piece lies inside the image, and none is smaller than 12 px (9 pt at
the image's print size). Measured on the SVG as Chromium lays it out (the real text extents of
the fonts it draws with), for real views of the snapshot: two with a tested event among the
crowded January-February 2026 meetings, one without."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from dashboard.exports import REPORT_FONT, SIZES
from tests.helpers import overlapping

SCREENSHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"

VIEWS = {
    "tested-seizures": "/api/indicators/cbp_fentanyl_seizures_swb_lbs.svg?event=2026-01-15-joint-statement-verifiable-outcomes",
    "not-yet-homicides": "/api/indicators/sesnsp_homicides_daily_avg.svg?event=2026-01-23-sig-3-washington",
    "deaths-12m": "/api/indicators/cdc_synthetic_opioid_deaths_12m.svg?from=2023-01",
}

# Every text element with its own text: its box in the image and the font sizes of its lines.
TEXT_BOXES = """
const out = [];
for (const el of document.querySelectorAll('text')) {
  const text = el.textContent.trim();
  if (!text) continue;
  const box = el.getBoundingClientRect();
  if (!box.width || !box.height || getComputedStyle(el).display === 'none') continue;
  const sizes = [el, ...el.querySelectorAll('tspan')].filter(n => n.textContent.trim())
    .map(n => parseFloat(getComputedStyle(n).fontSize));
  out.push({text: text.slice(0, 50), full: text, cls: (el.getAttribute('class') || '') + ' ' + (el.parentNode.getAttribute('class') || ''), left: box.left, right: box.right,
            top: box.top, bottom: box.bottom, size: Math.min(...sizes)});
}
return out;
"""


def test_overlap_check_sees_overlaps():
    """The check itself: two boxes sharing a corner overlap, two side by side do not."""
    a = {"text": "a", "left": 0, "right": 50, "top": 0, "bottom": 12}
    assert overlapping([a, {**a, "text": "b", "left": 40, "right": 90, "top": 6, "bottom": 18}]) == [("a", "b")]
    assert overlapping([a, {**a, "text": "b", "left": 51, "right": 90}]) == []


@pytest.mark.browser
@pytest.mark.parametrize("view", list(VIEWS))
def test_exported_text_never_overlaps_and_prints_at_9pt(browser_ready, dash_duo, client, view):
    problems = []
    for size, (width, height) in SIZES.items():
        for lang in ("en", "es"):
            response = client.get(f"{VIEWS[view]}&size={size}&lang={lang}")
            assert response.status_code == 200, response.get_data(as_text=True)[:300]
            svg = response.get_data()
            dash_duo.driver.get("data:image/svg+xml;base64," + base64.b64encode(svg).decode())
            boxes = dash_duo.driver.execute_script(TEXT_BOXES)
            where = f"{view} {size} {lang}"
            # The figure's own texts are all there: the title, the citation, the axis ticks.
            assert any("Verifica, " in b["full"] for b in boxes), where
            assert len([b for b in boxes if "tick" in b["cls"]]) >= 4, where
            problems += [f"{where}: overlap {pair}" for pair in overlapping(boxes)]
            problems += [f"{where}: {b['text']!r} at {b['size']} px" for b in boxes if b["size"] < REPORT_FONT]
            problems += [f"{where}: {b['text']!r} outside the image" for b in boxes
                         if b["left"] < -0.5 or b["top"] < -0.5 or b["right"] > width + 0.5
                         or b["bottom"] > height + 0.5]
            if view == "tested-seizures":  # every export size, both languages, kept for review
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                png = client.get(f"{VIEWS[view].replace('.svg?', '.png?')}&size={size}&lang={lang}").data
                (SCREENSHOTS / f"export-{size}-{lang}.png").write_bytes(png)
    assert problems == []
