"""A tested event's answer in words above the chart (and so on every export of it): how much,
which way, the interval, the verdict, the smallest detectable change — numbers from the
assessment itself, in EN and ES."""

from __future__ import annotations

import pytest

from dashboard import views
from dashboard.i18n import pick
from dashboard.state import ExplorerState
from etl.timeline import read_timeline
from indicators import explain
from indicators.explain import VERDICT_LABELS, number

INDICATOR = "cbp_fentanyl_seizures_swb_lbs"
EVENT = "2025-02-03-tariff-pause-national-guard"


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_headline_says_the_answer_with_the_assessments_numbers(app, lang):
    [event] = [e for e in read_timeline() if e["id"] == EVENT]
    with app.server.app_context():
        view = views.chart_view(ExplorerState(INDICATOR, start=None, event_types=(), event=EVENT, lang=lang))
    result, text = view.assessment, view.headline
    assert result is not None and text
    assert pick(event["title"], lang) in text and str(event["date"]) in text
    assert VERDICT_LABELS[result.verdict][lang] in text
    if result.effect is not None:
        assert ("fewer" if result.effect < 0 else "more") in text if lang == "en" else \
            ("menos" if result.effect < 0 else "más") in text
        if result.verdict == "too_noisy":  # says how small a change could have been seen, either way
            assert explain.mde_share(result, lang) in text and f"±{number(result.mde, lang)}" in text
            assert ("could not show a change smaller than" if lang == "en" else "no podrían mostrar") in text
        elif result.verdict == "no_change_beyond":
            assert explain.percent(result.equivalence_bound, lang, signed=False) in text
        elif result.verdict != "began_before":
            assert number(abs(result.effect), lang) in text
            assert number(result.ci_low, lang, True) in text and number(result.ci_high, lang, True) in text
    # Above the plot, in the figure's title (a number and its unit never split over two lines),
    # and in the parts the exported images lay out.
    assert text in view.figure.layout.title.text.replace("<br>", " ").replace("\u00a0", " ")
    assert text in view.figure.layout.meta["subtitle"]


def test_no_event_no_headline(app):
    with app.server.app_context():
        view = views.chart_view(ExplorerState(INDICATOR, start=None, event_types=()))
    assert view.headline is None and "<sup>" not in view.figure.layout.title.text
