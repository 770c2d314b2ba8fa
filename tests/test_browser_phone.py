"""A phone (390 x 844): the explorer leads with the answer. The tested event's verdict and the
chart are in the first screen, the settings are folded behind one button, nothing of the chart's
title, result or legend is cut off on the right, and the event's window takes a fifth of the plot or more. On the
scorecard the row names stay in view when the table scrolls sideways. Screenshots are saved."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard import ids
from tests.helpers import WAIT, overlapping

pytestmark = pytest.mark.browser
SCREEN = (390, 844)
SCREENSHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
FIGURE = f"document.querySelector('#{ids.GRAPH} .js-plotly-plot')"
EVENT = "2026-01-15-joint-statement-verifiable-outcomes"

# The boxes a person sees: the verdict, the chart, the chart's texts (title, legend), the post
# window's width on the axis, and the settings.
MEASURE = f"""
const box = el => {{ const r = el.getBoundingClientRect(); return {{top: r.top, bottom: r.bottom, left: r.left,
                                                                    right: r.right, height: r.height}}; }};
const gd = {FIGURE};
const xa = gd._fullLayout.xaxis;
const post = (gd.layout.shapes || []).find(s => s.name === 'window:post');
return {{
  badge: box(document.querySelector('#{ids.ASSESSMENT} .badge')),
  sentence: box(document.querySelector('#{ids.ASSESSMENT} .explanation')),
  chart: box(document.getElementById('{ids.GRAPH}')),
  texts: [...gd.querySelectorAll('.gtitle, .legendtext, .annotation-text')].map(e => ({{
    text: e.textContent.slice(0, 40), ...box(e)}})),
  post: post ? xa.r2p(xa.d2r(post.x1)) - xa.r2p(xa.d2r(post.x0)) : null,
  controls: box(document.getElementById('{ids.CONTROLS}')),
  inner: [window.innerWidth, window.innerHeight],
}};
"""


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_answer_and_the_chart_are_the_first_screen(app_browser, lang):
    duo = app_browser
    duo.driver.set_window_size(*SCREEN)
    width, height = duo.driver.execute_script("return [window.innerWidth, window.innerHeight]")
    if height < SCREEN[1]:  # the window's own bars: make the page itself 390 x 844
        duo.driver.set_window_size(SCREEN[0] + SCREEN[0] - width, SCREEN[1] + SCREEN[1] - height)
    duo.wait_for_page(f"{duo.server_url}/?indicator=cbp_fentanyl_seizures_swb_lbs&event={EVENT}&lang={lang}")
    duo.wait_for_element(f"#{ids.ASSESSMENT} .badge", timeout=WAIT)
    duo._wait_for(lambda d: d.execute_script(f"const gd = {FIGURE}; return gd && gd.layout.shapes && "
                                             "gd.layout.shapes.some(s => s.name === 'window:post')"),
                  timeout=WAIT, msg="the tested event's window was never drawn")
    seen = duo.driver.execute_script(MEASURE)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    duo.driver.save_screenshot(str(SCREENSHOTS / f"explorer-tested-390-{lang}.png"))
    inner_w, inner_h = seen["inner"]
    assert (inner_w, inner_h) == SCREEN
    assert seen["badge"]["bottom"] <= inner_h and seen["sentence"]["bottom"] <= inner_h, seen
    assert seen["chart"]["top"] < seen["sentence"]["bottom"] + 40  # the chart right after the answer
    assert seen["chart"]["top"] <= inner_h - 300, seen["chart"]  # and most of it on the first screen
    assert seen["controls"]["height"] == 0  # folded
    cut = [t["text"] for t in seen["texts"] if t["right"] > inner_w + 0.5 or t["left"] < -0.5]
    assert cut == [], cut
    assert seen["post"] >= 0.2 * (inner_w - 60), seen["post"]  # was 90 px of 330 (two years)
    # One button unfolds the settings, and says so to a screen reader.
    toggle = duo.find_element(f"#{ids.CONTROLS_TOGGLE}")
    toggle.click()
    duo._wait_for(lambda d: d.execute_script(f"return document.getElementById('{ids.CONTROLS}')"
                                             ".getBoundingClientRect().height") > 200,
                  timeout=WAIT, msg="the settings did not unfold")
    assert toggle.get_attribute("aria-expanded") == "true"
    # The same view on a laptop, for the record (the settings shown, no button).
    duo.driver.set_window_size(1440, 900)
    duo.wait_for_page(f"{duo.server_url}/?indicator=cbp_fentanyl_seizures_swb_lbs&event={EVENT}&lang={lang}")
    duo.wait_for_element(f"#{ids.ASSESSMENT} .badge", timeout=WAIT)
    duo.wait_for_element(f"#{ids.GRAPH} .main-svg", timeout=WAIT)
    assert not duo.find_element(f"#{ids.CONTROLS_TOGGLE}").is_displayed()
    assert duo.find_element(f"#{ids.CONTROLS}").is_displayed()
    duo.driver.save_screenshot(str(SCREENSHOTS / f"explorer-tested-1440-{lang}.png"))


def test_the_scorecard_keeps_its_row_names_in_view(app_browser):
    duo = app_browser
    duo.driver.set_window_size(*SCREEN)
    duo.wait_for_page(f"{duo.server_url}/scorecard")
    duo.wait_for_element(f"#{ids.SCORECARD} tbody tr", timeout=4 * WAIT)
    before, after, scrolled = duo.driver.execute_script(f"""
const table = document.getElementById('{ids.SCORECARD}');
const cell = table.querySelector('tbody tr > :first-child');
const before = cell.getBoundingClientRect().left;
table.scrollLeft = 400;
return [before, cell.getBoundingClientRect().left, table.scrollLeft];
""")
    assert scrolled > 0  # the table does scroll sideways at this width
    assert abs(after - before) < 1, (before, after)


# What a person sees of the chart after a resize: each text's box, the toolbar's, and the title.
DRAWN = f"""
const box = el => {{ const r = el.getBoundingClientRect(); return {{left: r.left, right: r.right, top: r.top,
                                                                    bottom: r.bottom}}; }};
const gd = {FIGURE};
const bar = gd.querySelector('.modebar');
return {{
  title: String(gd.layout.title.text || ''),
  labels: (gd.layout.annotations || []).filter(a => (a.name || '').startsWith('event-label:')).length,
  texts: [...gd.querySelectorAll('.gtitle, .legendtext, .annotation-text')].filter(e => e.textContent.trim())
           .map(e => ({{text: e.textContent.slice(0, 40), ...box(e)}})),
  bar: bar ? box(bar) : null,
  inner: window.innerWidth,
}};
"""


def test_the_chart_is_drawn_again_when_the_window_crosses_the_phone_width(app_browser):
    """A laptop's window narrowed to a phone's (a tablet turned, a window resized): the chart is
    drawn again as on a phone, not left with the laptop's labels piled on each other and its title
    running under the toolbar and off the edge; widened again, it is the laptop's chart."""
    duo = app_browser
    duo.driver.set_window_size(1440, 900)
    duo.wait_for_page(f"{duo.server_url}/?indicator=cbp_fentanyl_seizures_swb_lbs&lang=en")
    duo.wait_for_element(f"#{ids.GRAPH} .main-svg", timeout=WAIT)
    wide = duo.driver.execute_script(DRAWN)
    lines = wide["title"].count("<br>")
    assert wide["labels"] > 1, wide  # the laptop's chart: its linked events labelled
    assert overlapping(wide["texts"]) == []
    duo.driver.set_window_size(*SCREEN)
    duo._wait_for(lambda d: d.execute_script(DRAWN)["title"].count("<br>") > lines, timeout=WAIT,
                  msg="the chart was not drawn again for the phone's width (its title wrapped shorter)")
    seen = duo.driver.execute_script(DRAWN)
    assert seen["inner"] <= 600, seen["inner"]
    assert overlapping(seen["texts"]) == [], seen["texts"]
    cut = [t["text"] for t in seen["texts"] if t["right"] > seen["inner"] + 0.5 or t["left"] < -0.5]
    assert cut == [], cut
    title = [t for t in seen["texts"] if t["text"] and t["text"] in seen["title"].replace("<br>", " ")][:1]
    assert title and seen["bar"] and title[0]["top"] >= seen["bar"]["bottom"] - 1, (title, seen["bar"])
    duo.driver.set_window_size(1440, 900)
    duo._wait_for(lambda d: d.execute_script(DRAWN)["title"].count("<br>") == lines, timeout=WAIT,
                  msg="the chart was not drawn again for the laptop's width")
    assert duo.driver.execute_script(DRAWN)["labels"] == wide["labels"]
