"""What a person sees, measured in the browser: every piece of text on every page (badges, chips,
notices, tables, captions) against the background it is actually drawn on, from the computed
styles, at WCAG AA (4.5:1; 3:1 for large text). A DOM check once passed white-on-white badges."""

from __future__ import annotations

import re

import pytest

from tests.helpers import WAIT

pytestmark = pytest.mark.browser

# Each element with its own text: its colour, the first opaque background behind it (alpha
# backgrounds blended over what is under them), its font size and weight. Plotly's SVG text is
# checked by the figure tests; hidden and empty elements are skipped.
TEXT_ON_BACKGROUND = """
function rgba(text) {
  const m = text.match(/rgba?\\(([^)]+)\\)/);
  if (!m) return null;  // a colour this check cannot read: reported, never passed
  const p = m[1].split(',').map(Number);
  return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
}
function behind(el) {
  const layers = [];
  for (let node = el; node; node = node.parentElement) {
    const c = rgba(getComputedStyle(node).backgroundColor);
    if (c === null) return null;
    if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
  }
  let out = [255, 255, 255];
  for (const c of layers.reverse()) out = out.map((v, i) => c[3] * c[i] + (1 - c[3]) * v);
  return out;
}
document.querySelectorAll('details').forEach(d => { d.open = true; });  // folded text is text too
const found = [];
for (const el of document.body.querySelectorAll('*')) {
  if (el.closest('svg') || ['SCRIPT', 'STYLE', 'NOSCRIPT'].includes(el.tagName)) continue;
  const own = [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('').trim();
  if (!own) continue;
  const box = el.getBoundingClientRect();
  const style = getComputedStyle(el);
  if (!box.width || !box.height || style.visibility === 'hidden' || Number(style.opacity) === 0) continue;
  const c = rgba(style.color);
  const bg = behind(el);
  if (c === null || bg === null) {
    found.push({text: own.slice(0, 40), cls: String(el.className).slice(0, 60), tag: el.tagName, unreadable: true});
    continue;
  }
  const fg = c.slice(0, 3).map((v, i) => c[3] * v + (1 - c[3]) * bg[i]);
  found.push({text: own.slice(0, 40), cls: String(el.className).slice(0, 60), tag: el.tagName, fg: fg, bg: bg,
              size: parseFloat(style.fontSize), bold: Number(style.fontWeight) >= 700});
}
return found;
"""


def luminance(rgb: list[float]) -> float:
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (v / 255 for v in rgb)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: list[float], b: list[float]) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def needed(item: dict) -> float:
    large = item["size"] >= 24 or (item["bold"] and item["size"] >= 18.66)
    return 3.0 if large else 4.5


def pages() -> list[str]:
    """Every page of the app, from the app's own page registry, in both languages; and the
    explorer with a tested event (its verdict and numbers) and with a parameter it cannot use (the
    notice), each taken from the timeline."""
    import dash

    from etl.timeline import read_timeline
    from indicators.registry import available_indicators

    paths = sorted({page["path"] for page in dash.page_registry.values()})
    urls = [f"{path}?lang={lang}" for path in paths for lang in ("en", "es")]
    available = {spec.id for spec in available_indicators() if spec.semantics == "monthly"}
    tested = next((link["indicator"], event["id"]) for event in read_timeline()
                  for link in event.get("indicators") or [] if link["indicator"] in available)
    return [*urls, f"/?indicator={tested[0]}&from=2022-01&event={tested[1]}&lang=es", "/?indicator=nope&geo=XX"]


def test_contrast001_every_text_on_every_page_reads_at_wcag_aa(app_browser):
    failures, checked = [], 0
    urls = pages()
    assert len(urls) >= 12
    for url in urls:
        app_browser.wait_for_page(app_browser.server_url + url)
        app_browser.wait_for_element(".page h1", timeout=WAIT)
        if url.startswith("/?"):  # the explorer: the chart, its title and the panels come from a callback
            app_browser.wait_for_element(".js-plotly-plot .gtitle", timeout=WAIT)
        for item in app_browser.driver.execute_script(TEXT_ON_BACKGROUND):
            checked += 1
            if item.get("unreadable"):
                failures.append(f"{url}: {item['tag']}.{item['cls']} {item['text']!r}: a colour the check cannot read")
                continue
            ratio = contrast(item["fg"], item["bg"])
            if ratio < needed(item):
                failures.append(f"{url}: {item['tag']}.{item['cls']} {item['text']!r} {ratio:.2f}:1")
    assert checked > 100
    assert not failures, f"{len(failures)} text(s) below WCAG AA, e.g. " + "; ".join(failures[:8])


def test_contrast002_the_check_sees_white_on_white(app_browser):
    """The measurement itself: a white badge on a white page fails it, a verdict badge passes."""
    app_browser.wait_for_page(app_browser.server_url + "/claims")
    app_browser.wait_for_element(".page h1", timeout=WAIT)
    app_browser.driver.execute_script(
        "const s = document.createElement('span'); s.className = 'badge planted'; s.textContent = 'Consistent';"
        "document.querySelector('.page').appendChild(s);")
    items = {re.sub(r"\s+", " ", i["cls"]): i for i in app_browser.driver.execute_script(TEXT_ON_BACKGROUND)}
    planted = items["badge planted"]
    assert contrast(planted["fg"], planted["bg"]) < 1.5
    badges = [i for i in items.values() if i["cls"].startswith("badge claim-")]
    assert badges and all(contrast(i["fg"], i["bg"]) >= 4.5 for i in badges)
