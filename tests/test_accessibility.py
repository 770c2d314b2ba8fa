"""Verdicts read without colour and with enough contrast: each has its own symbol, each badge
colour holds white text at WCAG AA (4.5:1), every verdict the engine can give is covered."""

from __future__ import annotations

from dashboard.components import verdict_badge
from dashboard.figures import VERDICT_COLOURS, VERDICT_SYMBOLS
from indicators.explain import VERDICT_LABELS
from tests.helpers import contrast


def test_every_verdict_has_a_colour_and_its_own_symbol():
    assert set(VERDICT_COLOURS) == set(VERDICT_LABELS) == set(VERDICT_SYMBOLS)
    assert len(set(VERDICT_SYMBOLS.values())) == len(VERDICT_SYMBOLS)


def test_white_badge_text_meets_wcag_aa():
    for verdict, colour in VERDICT_COLOURS.items():
        assert contrast(colour, "#ffffff") >= 4.5, (verdict, colour, round(contrast(colour, "#ffffff"), 2))


def test_the_contrast_check_can_fail():
    assert contrast("#afb8c1", "#ffffff") < 4.5  # the old 'no data' grey


def test_a_badge_carries_its_symbol_and_label():
    for verdict in VERDICT_LABELS:
        badge = verdict_badge(verdict, "es")
        symbol, _space, label = badge.children
        assert symbol.children == VERDICT_SYMBOLS[verdict] and label == VERDICT_LABELS[verdict]["es"]


def blend(colour: str, opacity: float, under: str = "#ffffff") -> str:
    top = [int(colour.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4)]
    bottom = [int(under.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4)]
    return "#" + "".join(f"{round(opacity * a + (1 - opacity) * b):02x}" for a, b in zip(top, bottom, strict=True))


def test_a_tested_events_windows_read_on_paper(request):
    """The pre-period and the post window: shading visibly darker than the page (it was 1.09:1),
    bounded by edges at WCAG's 3:1 for graphics and labelled in words; the tested event's line
    stands out from the others, and the counterfactual is drawn unlike the event lines."""
    from dashboard import views
    from dashboard.figures import WINDOW_EDGE, WINDOW_FILL
    from dashboard.state import ExplorerState

    fill, alpha = WINDOW_FILL["pre"]
    assert contrast(blend(fill, alpha), "#ffffff") >= 1.25
    for colour in VERDICT_COLOURS.values():
        assert contrast(blend(colour, WINDOW_FILL["post_opacity"]), "#ffffff") >= 1.25, colour
    assert contrast(blend(WINDOW_EDGE, 0.8), "#ffffff") >= 3

    event = "2025-02-03-tariff-pause-national-guard"
    app = request.getfixturevalue("snapshot_app")
    with app.server.test_request_context("/"):
        view = views.chart_view(ExplorerState("cbp_fentanyl_seizures_swb_lbs", start=None, event=event))
    shapes = {s.name: s for s in view.figure.layout.shapes}
    assert {"window:pre", "window:post"} <= set(shapes)
    assert sum(1 for name in shapes if name.startswith("window-edge:")) == 2  # names repeat: start and end
    edges = [s for s in view.figure.layout.shapes if (s.name or "").startswith("window-edge:")]
    assert len(edges) == 4
    labels = {a.name: a.text for a in view.figure.layout.annotations if (a.name or "").startswith("window-label:")}
    assert set(labels) == {"window-label:pre", "window-label:post"}
    tested = shapes[f"event:{event}"]
    others = [s for s in view.figure.layout.shapes if (s.name or "").startswith("event:") and s is not tested]
    assert tested.line.width > max(s.line.width for s in others) and tested.line.dash == "solid"
    [counterfactual] = [trace for trace in view.figure.data if trace.meta == "counterfactual"]
    assert counterfactual.line.dash not in {s.line.dash for s in others}


def test_claim_status_badges_hold_white_text_and_have_a_symbol_each():
    from dashboard.figures import CLAIM_COLOURS, CLAIM_SYMBOLS
    from dashboard.i18n import STRINGS

    statuses = {key.removeprefix("claim_status_") for key in STRINGS if key.startswith("claim_status_")}
    assert set(CLAIM_COLOURS) == set(CLAIM_SYMBOLS) == statuses
    assert len(set(CLAIM_SYMBOLS.values())) == len(CLAIM_SYMBOLS)
    for status, colour in CLAIM_COLOURS.items():
        assert contrast(colour, "#ffffff") >= 4.5, (status, colour)


def test_the_interval_band_has_a_colour_of_its_own():
    """The 95 % band is drawn over the post window (in the verdict's colour) and beside the event
    lines and the grey pre-period: its colour is far from each of them."""
    import re

    from dashboard.figures import BAND_FILL, EVENT_COLOURS, WINDOW_FILL

    def rgb(colour: str) -> tuple[int, ...]:
        if colour.startswith("#"):
            return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
        return tuple(int(float(v)) for v in re.findall(r"[\d.]+", colour)[:3])

    band = rgb(BAND_FILL)
    others = [*VERDICT_COLOURS.values(), *EVENT_COLOURS.values(), WINDOW_FILL["pre"][0]]
    distances = [sum((a - b) ** 2 for a, b in zip(band, rgb(c), strict=True)) ** 0.5 for c in others]
    assert min(distances) > 150, min(distances)
    assert rgb("rgba(9,105,218,0.22)") and min(  # the previous blue was too close to a verdict's colour
        sum((a - b) ** 2 for a, b in zip(rgb("#0969da"), rgb(c), strict=True)) ** 0.5 for c in others) < 150


def test_event_labels_never_overlap_and_only_tested_or_linked_events_get_one():
    from dashboard.figures import keep_numbers_whole, labelled_events, place_labels, wrap_lines

    # Three labels 10 px apart on a 1000 px axis: each on its own row; a fourth with no row left.
    rows = place_labels([(0.50, 60), (0.51, 60), (0.52, 60), (0.53, 60)], 1000)
    assert rows == [0, 1, 2, None]
    assert place_labels([(0.1, 60), (0.5, 60)], 1000) == [0, 0]  # far apart: one row
    events = [{"id": "a", "indicators": [{"indicator": "x"}]}, {"id": "b"}, {"id": "c"}]
    assert labelled_events(events, "x", tested="c") == {"a", "c"}
    assert labelled_events(events, "y") == set()  # none linked, none tested: lines only
    assert all("692\u00a0lbs" in line or "692" not in line
               for line in wrap_lines("the estimate is 692 lbs per month " * 3, 20))
    assert keep_numbers_whole("−76.7 % and + 5") == "−76.7\u00a0% and +\u00a05"
