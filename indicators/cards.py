"""Indicator cards: everything a reader needs to judge a number before quoting it, in each language.

One card per indicator: name, description, unit, frequency, geographies, source, publication
lag, the direction the commitments aim at and why reading it that way can mislead, dated
measurement changes (from the timeline), caveats. ``missing`` says what a card lacks (a test
requires none for any indicator with data).
"""

from __future__ import annotations

from catalogues import Message
from indicators.registry import Indicator

FREQUENCY: dict[str, Message] = {
    "monthly": Message("card_frequency_monthly"),
    "rolling_12m": Message("card_frequency_rolling_12m"),
    "annual": Message("card_frequency_annual"),
}
GEOGRAPHIES: dict[str, Message] = {
    "national": Message("card_geographies_national"),
    "us_states": Message("card_geographies_us_states"),
    "mx_states": Message("card_geographies_mx_states"),
}
DIRECTION: dict[str, Message] = {
    "down": Message("card_direction_down"),
    "up": Message("card_direction_up"),
    "ambiguous": Message("card_direction_ambiguous"),
}
LAG = Message("card_lag_months")
LAG_NONE = Message("card_lag_none")
FIELDS = ("name", "description", "unit", "frequency", "geographies", "source", "lag", "direction", "caveats")


def indicator_card(spec: Indicator, lang: str, events: list[dict] | None = None) -> dict:
    """The card's texts in one language, and the measurement changes that concern it."""
    def pick(pair: dict | None) -> str:  # curated texts without this language: their English
        return (pair or {}).get(lang) or (pair or {}).get("en") or ""

    changes = [
        {"date": str(event["date"]), "id": event["id"], "title": pick(event.get("title"))}
        for event in events or []
        if event["type"] == "measurement_change"
        and any(link["indicator"] == spec.id for link in event.get("indicators", []))
    ]
    return {
        "id": spec.id,
        "name": pick(spec.name),
        "description": pick(spec.description),
        "unit": pick(spec.unit),
        "frequency": pick(FREQUENCY.get(spec.semantics)),
        "geographies": pick(GEOGRAPHIES.get(spec.geo_kind)),
        "source": spec.source_id,
        "lag": pick(LAG).format(n=spec.publication_lag_months) if spec.publication_lag_months else pick(LAG_NONE),
        "direction": pick(DIRECTION.get(spec.better)),
        "caveats": pick(spec.caveats),
        "measurement_changes": changes,
    }


def missing(card: dict) -> list[str]:
    return [field for field in FIELDS if not card.get(field)]
