"""Indicator cards: everything a reader needs to judge a number before quoting it, in EN and ES.

One card per indicator: name, description, unit, frequency, geographies, source, publication
lag, the direction the commitments aim at and why reading it that way can mislead, dated
measurement changes (from the timeline), caveats. ``missing`` says what a card lacks (a test
requires none for any indicator with data).
"""

from __future__ import annotations

from indicators.registry import Indicator

FREQUENCY = {
    "monthly": {"en": "Monthly", "es": "Mensual"},
    "rolling_12m": {"en": "Monthly, each value the 12 months ending that month",
                    "es": "Mensual, cada valor suma los 12 meses que terminan en ese mes"},
    "annual": {"en": "Yearly and multi-year figures, as published",
               "es": "Cifras anuales y de varios años, como se publicaron"},
}
GEOGRAPHIES = {
    "national": {"en": "National total", "es": "Total nacional"},
    "us_states": {"en": "United States and its states", "es": "Estados Unidos y sus estados"},
    "mx_states": {"en": "Mexico and its 32 states", "es": "México y sus 32 estados"},
}
DIRECTION = {
    "down": {"en": "The commitments aim at a fall", "es": "Los compromisos buscan una baja"},
    "up": {"en": "The commitments aim at a rise", "es": "Los compromisos buscan un alza"},
    "ambiguous": {"en": "The commitments point no clear way", "es": "Los compromisos no marcan una dirección clara"},
}
LAG = {"en": "about {n} month(s) after the month measured", "es": "unos {n} mes(es) después del mes medido"}
FIELDS = ("name", "description", "unit", "frequency", "geographies", "source", "lag", "direction", "caveats")


def indicator_card(spec: Indicator, lang: str, events: list[dict] | None = None) -> dict:
    """The card's texts in one language, and the measurement changes that concern it."""
    def pick(pair: dict | None) -> str:
        return (pair or {}).get(lang) or ""

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
        "lag": pick(LAG).format(n=spec.publication_lag_months) if spec.publication_lag_months else pick(
            {"en": "published with the data it describes", "es": "se publica con los datos que describe"}),
        "direction": pick(DIRECTION.get(spec.better)),
        "caveats": pick(spec.caveats),
        "measurement_changes": changes,
    }


def missing(card: dict) -> list[str]:
    return [field for field in FIELDS if not card.get(field)]
