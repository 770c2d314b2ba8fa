"""Verdicts read without colour and with enough contrast: each has its own symbol, each badge
colour holds white text at WCAG AA (4.5:1), every verdict the engine can give is covered."""

from __future__ import annotations

from dashboard.components import verdict_badge
from dashboard.figures import VERDICT_COLOURS, VERDICT_SYMBOLS
from indicators.explain import VERDICT_LABELS


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


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
