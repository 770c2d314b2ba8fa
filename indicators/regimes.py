"""Dated regime changes (``data/regimes.yaml``): policies or practices that moved an indicator's
level on a known date. The verification enters those inside a pre-period as lasting steps and
does not credit an event with a change a marker just before it explains."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

import jsonschema
import yaml

REGIMES_PATH = Path(__file__).resolve().parent.parent / "data" / "regimes.yaml"

SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["id", "date", "label", "indicators", "source"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string", "pattern": r"^[a-z0-9-]+$"},
            "date": {"type": "string", "format": "date"},
            "label": {
                "type": "object", "required": ["en", "es"], "additionalProperties": False,
                "properties": {"en": {"type": "string", "minLength": 5}, "es": {"type": "string", "minLength": 5}},
                "patternProperties": {"^[a-z]{2,3}(_[A-Z]{2})?$": {"type": "string", "minLength": 5}},
            },
            "indicators": {"type": "array", "minItems": 1, "items": {"type": "string"}},
            "source": {"type": "string", "pattern": r"^https://"},
        },
    },
}


class RegimeError(ValueError):
    """The regime file breaks its schema or names an unknown indicator."""


def _text_dates(value):
    """YAML reads 2023-05-11 as a date; the schema checks the text form."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_text_dates(v) for v in value]
    if isinstance(value, dict):
        return {k: _text_dates(v) for k, v in value.items()}
    return value


def read_regimes(path: Path = REGIMES_PATH) -> list[dict]:
    from indicators.registry import INDICATORS

    entries = _text_dates(yaml.safe_load(path.read_text(encoding="utf-8")) or [])
    try:
        jsonschema.validate(entries, SCHEMA, format_checker=jsonschema.FormatChecker())
    except jsonschema.ValidationError as exc:
        raise RegimeError(f"{path.name}: {exc.message}") from None
    ids = [entry["id"] for entry in entries]
    if len(ids) != len(set(ids)):
        raise RegimeError(f"{path.name}: duplicate ids")
    for entry in entries:
        unknown = [i for i in entry["indicators"] if i not in INDICATORS]
        if unknown:
            raise RegimeError(f"{path.name}: {entry['id']} names unknown indicator(s) {unknown}")
        entry["date"] = dt.date.fromisoformat(entry["date"])
    return entries


@lru_cache(maxsize=1)
def _cached() -> tuple[dict, ...]:
    return tuple(read_regimes())


def markers_for(indicator_id: str) -> list[dict]:
    """The regime changes of one indicator, oldest first, as the verification takes them."""
    return [{"date": e["date"], "id": e["id"], "label": e["label"], "source": e["source"]}
            for e in sorted(_cached(), key=lambda e: e["date"]) if indicator_id in e["indicators"]]
