"""The curated commitments timeline: read ``data/timeline.yaml``, check its schema, load the store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import yaml
from sqlalchemy.engine import Engine

from etl.common import SanityError, iso_dates
from etl.store import PROJECT_ROOT, replace_events

TIMELINE_PATH = PROJECT_ROOT / "data" / "timeline.yaml"

EVENT_TYPES = ["meeting", "statement", "commitment", "action", "measurement_change"]
CONFIDENCE = ["confirmed", "single", "uncertain", "not_found"]
STATUS = ["happened", "announced_not_confirmed"]
DIRECTIONS = ["down", "up", "ambiguous", "none"]

_BILINGUAL = {  # English and Spanish; a further interface language may add its own (a locale code)
    "type": "object",
    "required": ["en", "es"],
    "properties": {"en": {"type": "string", "minLength": 3}, "es": {"type": "string", "minLength": 3}},
    "patternProperties": {"^[a-z]{2,3}(_[A-Z]{2})?$": {"type": "string", "minLength": 3}},
    "additionalProperties": False,
}

EVENT_SCHEMA = {
    "type": "object",
    "required": ["id", "date", "type", "confidence", "status", "parties", "title", "summary",
                 "commitments", "indicators", "sources"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}-[a-z0-9-]+$"},
        "date": {"type": "string", "format": "date"},
        "date_end": {"type": "string", "format": "date"},
        "date_precision": {"enum": ["day", "approximate", "month"]},
        "type": {"enum": EVENT_TYPES},
        "also": {"type": "array", "items": {"enum": EVENT_TYPES}},
        "confidence": {"enum": CONFIDENCE},
        "confidence_note": {"type": "string"},
        "status": {"enum": STATUS},
        "parties": {"type": "array", "minItems": 1, "items": {"type": "string"}},
        "title": _BILINGUAL,
        "summary": _BILINGUAL,
        "commitments": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["kind", "en", "es"],
                "additionalProperties": False,
                "properties": {
                    "kind": {"enum": ["commitment", "claim", "statement", "outcome"]},
                    "en": {"type": "string"}, "es": {"type": "string"},
                    "measurable": {"type": "boolean"},
                },
            },
        },
        "indicators": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["indicator", "expected_direction"],
                "additionalProperties": False,
                "properties": {
                    "indicator": {"type": "string", "pattern": r"^[a-z0-9_]+$"},
                    "expected_direction": {"enum": DIRECTIONS},
                    "note": _BILINGUAL,
                },
            },
        },
        "verifiability": _BILINGUAL,
        "sources": {"type": "array", "minItems": 1,
                    "items": {"type": "string", "pattern": r"^https?://"}},
    },
}


# An official text: a government's own site (US federal .gov and .mil, Mexico's gob.mx), where the
# statement, order or readout itself is published. Everything else is reporting about it.
OFFICIAL_SUFFIXES = (".gov", ".mil", ".gob.mx")


def is_primary(url: str) -> bool:
    """Whether the address is an official text (the primary source), by its host."""
    host = urlsplit(url).hostname or ""
    return host == "gob.mx" or host.endswith(OFFICIAL_SUFFIXES)


def read_timeline(path: Path = TIMELINE_PATH) -> list[dict]:
    """The events, schema-checked, in date order, with ``date`` as ``datetime.date``."""
    try:
        # libyaml's loader when PyYAML was built with it (ten times faster), else the pure one
        raw = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise SanityError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(raw, list):
        raise SanityError(f"{path}: expected a list of events")
    events = [iso_dates(item) for item in raw]
    validator = jsonschema.Draft202012Validator(
        EVENT_SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    seen: set[str] = set()
    for item in events:
        errors = sorted(validator.iter_errors(item), key=lambda e: list(e.path))
        label = item.get("id", "?") if isinstance(item, dict) else "?"
        if errors:
            where = "/".join(map(str, errors[0].path)) or "(event)"
            raise SanityError(f"{path}: event {label}: {where}: {errors[0].message}")
        if item["id"] in seen:
            raise SanityError(f"{path}: duplicate event id {item['id']}")
        seen.add(item["id"])
        if not item["id"].startswith(item["date"]):
            raise SanityError(f"{path}: event {label}: id must start with its date {item['date']}")
        if item.get("date_end") and item["date_end"] < item["date"]:
            raise SanityError(f"{path}: event {label}: date_end before date")
        primary = [is_primary(url) for url in item["sources"]]
        if any(primary) and not primary[0]:
            raise SanityError(f"{path}: event {label}: list the official text first (secondary reports after it)")
    for item in events:
        item["date"] = dt.date.fromisoformat(item["date"])
        if item.get("date_end"):
            item["date_end"] = dt.date.fromisoformat(item["date_end"])
    return sorted(events, key=lambda e: (e["date"], e["id"]))


def load_into_store(engine: Engine, path: Path = TIMELINE_PATH) -> int:
    return replace_events(engine, read_timeline(path))
