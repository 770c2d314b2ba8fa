"""Commitments as records, and each one's status as of a date, rolled up from the scorecard.

``data/commitments.yaml`` holds what each government committed to (schema below, checked against
the timeline: the event exists, each linked indicator is one the event links with the same
expected direction, the quote's address is one of the event's sources). The status of a
commitment is rolled up from the scorecard's verdicts (the event × indicator cells as known on the
date) by the rule in README.md ("How a commitment's status is decided"):

1. A commitment linked to no indicator is ``not_measurable`` when it names something countable
   that no loaded series measures (``needs`` says which series would), else ``target_undefined``
   (it defines no metric, baseline or deadline).
2. Otherwise each linked cell counts as *for* (``improved``: a change in the expected direction
   beyond the noise that also survives the grid's false-discovery control, q ≤ α where the grid
   gives a q-value), *against* (``worsened``, the same), *none* (``no_change_beyond``: a change
   larger than a stated bound is ruled out), *pending* (``not_yet_verifiable`` or
   ``no_data_after_event``: the data for after the event are not published yet), *unmeasured*
   (no series loaded) or *unclear* (every other verdict: too noisy, began before, confounded,
   joint, inconclusive, insufficient history, descriptive only, a change whose direction was not
   stated, a directional verdict whose q-value is above α, or a cell tested with another expected
   direction than the commitment's).
3. Some *for* and no *against*: ``on_track``; some *against* and no *for*: ``off_track``; both:
   ``mixed``. Else some *unclear*: ``no_measurable_change`` (not yet: the data cannot tell; pending
   cells are named, with the month each becomes checkable). Else some *none*: ``no_change``. Else
   some *pending*: ``too_early``, with the earliest month a cell becomes checkable. Else (every
   linked series missing): ``not_measurable``.

Stated targets are shown with the status; none of this period's texts states a threshold on a
loaded series, so no status reads one (the schema allows a description and a deadline only).
The engine writes no prose here: records carry codes, ids and numbers; pages render words.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from functools import lru_cache
from pathlib import Path

import jsonschema
import yaml

from etl.common import iso_dates
from indicators.registry import INDICATORS

log = logging.getLogger(__name__)

COMMITMENTS_PATH = Path(__file__).resolve().parent.parent / "data" / "commitments.yaml"

PARTIES = ("US", "MX", "both")
THEMES = ("fentanyl", "firearms", "finance", "precursors", "demand", "cartels", "cooperation")
STATUSES = ("on_track", "off_track", "mixed", "no_change", "no_measurable_change", "too_early", "not_measurable",
            "target_undefined")
# How a cell's verdict counts in the roll-up (every other verdict counts as "unclear").
ROLE = {"improved": "for", "worsened": "against", "no_change_beyond": "none", "not_yet_verifiable": "pending",
        "no_data_after_event": "pending", "no_data": "unmeasured"}
ROLES = ("for", "against", "none", "pending", "unmeasured", "unclear")

_BILINGUAL = {  # English and Spanish; a further interface language may add its own (a locale code)
    "type": "object", "required": ["en", "es"], "additionalProperties": False,
    "properties": {"en": {"type": "string", "minLength": 3}, "es": {"type": "string", "minLength": 3}},
    "patternProperties": {"^[a-z]{2,3}(_[A-Z]{2})?$": {"type": "string", "minLength": 3}},
}
SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["id", "event", "party", "theme", "text", "quote", "indicators", "target"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string", "pattern": r"^[a-z0-9]+(-[a-z0-9]+)+$"},
            "event": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}-[a-z0-9-]+$"},
            "party": {"enum": list(PARTIES)},
            "theme": {"enum": list(THEMES)},
            "text": _BILINGUAL,
            "quote": {
                "type": "object", "required": ["said_by", "lang", "text", "url"], "additionalProperties": False,
                "properties": {"said_by": _BILINGUAL, "lang": {"enum": ["en", "es"]},
                               "text": {"type": "string", "minLength": 10},
                               "url": {"type": "string", "pattern": r"^https?://"}},
            },
            "indicators": {
                "type": "array",
                "items": {
                    "type": "object", "required": ["indicator", "expected_direction"], "additionalProperties": False,
                    "properties": {"indicator": {"type": "string", "pattern": r"^[a-z0-9_]+$"},
                                   "expected_direction": {"enum": ["down", "up"]}},
                },
            },
            "target": {
                "oneOf": [
                    {"const": "undefined"},
                    {"type": "object", "required": ["description"], "additionalProperties": False,
                     "properties": {"description": _BILINGUAL, "deadline": {"type": "string", "format": "date"}}},
                ],
            },
            "needs": _BILINGUAL,
        },
    },
}


class CommitmentError(ValueError):
    """The curated commitments file breaks its schema or disagrees with the timeline."""


@lru_cache(maxsize=4)
def _read(path: str, _mtime: float) -> tuple[dict, ...]:
    records = iso_dates(yaml.safe_load(Path(path).read_text(encoding="utf-8")) or [])
    try:
        jsonschema.validate(records, SCHEMA)
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path)
        raise CommitmentError(f"{Path(path).name}: {where}: {exc.message}") from None
    seen: set[str] = set()
    for record in records:
        if record["id"] in seen:
            raise CommitmentError(f"{Path(path).name}: commitment id {record['id']!r} appears twice")
        seen.add(record["id"])
        for link in record["indicators"]:
            if link["indicator"] not in INDICATORS:
                raise CommitmentError(f"{record['id']}: unknown indicator {link['indicator']!r}")
        if not record["indicators"] and record["target"] != "undefined" and "needs" not in record:
            raise CommitmentError(f"{record['id']}: a stated target no series measures must say what it needs")
    return tuple(records)


def load(path: Path = COMMITMENTS_PATH) -> list[dict]:
    """The curated commitments, schema-checked (cached until the file changes)."""
    return [dict(r) for r in _read(str(path), path.stat().st_mtime)]


def digest(path: Path = COMMITMENTS_PATH) -> str:
    """Changes when the curated file does (a cache of statuses keys on it)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def check_against_timeline(commitments: list[dict], events: list[dict]) -> list[str]:
    """What disagrees between the commitments and the timeline, one line each (empty: nothing)."""
    by_id = {e["id"]: e for e in events}
    problems = []
    for record in commitments:
        event = by_id.get(record["event"])
        if event is None:
            problems.append(f"{record['id']}: event {record['event']!r} is not in the timeline")
            continue
        links = {link["indicator"]: link["expected_direction"] for link in event.get("indicators", [])}
        for link in record["indicators"]:
            if links.get(link["indicator"]) != link["expected_direction"]:
                problems.append(f"{record['id']}: the event does not link {link['indicator']} "
                                f"{link['expected_direction']} (it links {links.get(link['indicator'], 'nothing')})")
        if record["quote"]["url"] not in event.get("sources", []):
            problems.append(f"{record['id']}: the quote's address is not one of the event's sources")
        if not any(item.get("kind") == "commitment" for item in event.get("commitments", [])):
            problems.append(f"{record['id']}: the event records no commitment")
    return problems


def _row_for(grid: dict, event_id: str) -> dict | None:
    for row in grid.get("rows", []):
        if row["event"]["id"] == event_id or any(m["id"] == event_id for m in row["event"].get("merged", [])):
            return row
    return None


def _month(value) -> str | None:
    return str(value)[:7] if value else None


def roll_up(record: dict, grid: dict | None, today: dt.date | None = None) -> dict:
    """One commitment's status from the scorecard ``grid`` (None: the grid is not there), with
    the evidence: each linked cell's verdict, role, tested event and checkable month. A pending
    cell whose data were expected before ``today`` (default: the real today) is marked late: the
    source is behind, it is not too early any more."""
    today = today or dt.date.today()
    out = {"status": None, "evidence": [], "checkable_from": None, "row_event": None, "late": False}
    if not record["indicators"]:
        out["status"] = "not_measurable" if record.get("needs") else "target_undefined"
        return out
    row = _row_for(grid or {}, record["event"])
    if row is not None:
        out["row_event"] = row["event"]["id"]
    alpha = (grid or {}).get("alpha", 0.05)
    for link in record["indicators"]:
        cell = (row or {}).get("cells", {}).get(link["indicator"])
        verdict = cell["verdict"] if cell else "no_data"
        role = ROLE.get(verdict, "unclear")
        tested_direction = (cell or {}).get("expected_direction", link["expected_direction"])
        if role in ("for", "against") and tested_direction != link["expected_direction"]:
            role = "unclear"  # tested for another direction (a shared row whose events disagree)
        if role in ("for", "against") and (cell or {}).get("q_value") is not None and cell["q_value"] > alpha:
            role = "unclear"  # one of many tests: not beyond what chance gives across the grid
        item = {"indicator": link["indicator"], "expected_direction": link["expected_direction"],
                "tested_direction": tested_direction, "q_value": (cell or {}).get("q_value"),
                "verdict": verdict, "role": role,
                "tested_event": (cell or {}).get("event") or (row or {}).get("event", {}).get("id"),
                "geo": (cell or {}).get("geo"), "checkable_from": _month((cell or {}).get("checkable_from")),
                "data_through": _month((cell or {}).get("data_through")),
                "expected_publication": (cell or {}).get("expected_publication"),
                "relative_effect": (cell or {}).get("relative_effect"),
                "pre_start": _month((cell or {}).get("pre_start")), "semantics": (cell or {}).get("semantics")}
        out["evidence"].append(item)
        item["late"] = item["role"] == "pending" and bool(item["expected_publication"]) and (
            str(item["expected_publication"])[:10] < today.isoformat())
    roles = [item["role"] for item in out["evidence"]]
    out["late"] = any(item["late"] for item in out["evidence"])
    pending = sorted(m for m in (i["checkable_from"] for i in out["evidence"] if i["role"] == "pending") if m)
    out["checkable_from"] = pending[0] if pending else None
    if "for" in roles and "against" in roles:
        out["status"] = "mixed"
    elif "for" in roles:
        out["status"] = "on_track"
    elif "against" in roles:
        out["status"] = "off_track"
    elif "unclear" in roles:
        out["status"] = "no_measurable_change"
    elif "none" in roles:
        out["status"] = "no_change"
    elif "pending" in roles:
        out["status"] = "too_early"
    else:
        out["status"] = "not_measurable"
    return out


def evaluate(commitments: list[dict], events: list[dict], grid: dict | None,
             as_of: dt.date | None = None) -> list[dict]:
    """Every commitment made by ``as_of`` (all when None), with its status and evidence. A
    commitment whose event is missing from the timeline is logged and left out."""
    by_id = {e["id"]: e for e in events}
    out = []
    for record in commitments:
        event = by_id.get(record["event"])
        if event is None:
            log.warning("commitment %s: event %s is not in the timeline; left out", record["id"], record["event"])
            continue
        day = dt.date.fromisoformat(str(event["date"])[:10])
        if as_of is not None and day > as_of:
            continue
        result = roll_up(record, grid, as_of)
        out.append({**record, "date": day.isoformat(), "event_title": event["title"],
                    "verifiability": event.get("verifiability"), "event_confidence": event.get("confidence"),
                    "as_of": as_of.isoformat() if as_of else None, **result})
    out.sort(key=lambda r: (r["date"], r["id"]))
    return out


def statuses(engine, events: list[dict], as_of: dt.date | None = None) -> dict[str, str]:
    """Commitment id → status code, from the stored scorecard (the change log compares these)."""
    from indicators import precompute  # the stored grid; imported here to keep this module light

    if as_of is None:
        grid = precompute.scorecard_grid(engine, events)
    else:  # a past date not stored yet is computed here (the caller needs the answer, not "computing")
        grid = precompute.past_scorecard(engine, events, as_of) or precompute.refresh_scorecard(engine, events, as_of)
    return {r["id"]: r["status"] for r in evaluate(load(), events, grid, as_of)}


def select(items: list[dict], *, party: str | None = None, status: str | None = None,
           indicator: str | None = None) -> list[dict]:
    """The commitments a reader asked for; an unknown value is refused with the choices."""
    if party and party not in PARTIES:
        raise ValueError(f"party must be one of {', '.join(PARTIES)}")
    if status and status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    if indicator and indicator not in INDICATORS:
        raise ValueError(f"unknown indicator {indicator!r}; see /api/indicators.json")
    return [
        item for item in items
        if (not party or item["party"] == party or (party != "both" and item["party"] == "both"))
        and (not status or item["status"] == status)
        and (not indicator or any(link["indicator"] == indicator for link in item["indicators"]))
    ]


def summary(items: list[dict]) -> dict:
    counts = {status: 0 for status in STATUSES}
    for item in items:
        counts[item["status"]] += 1
    return {"commitments": len(items), "by_status": {k: v for k, v in counts.items() if v}}


CSV_COLUMNS = ["id", "date", "event", "party", "theme", "text_en", "text_es", "status", "checkable_from", "late",
               "evidence", "target", "deadline", "needs_en", "quote", "quote_said_by", "quote_url", "as_of"]


def table(items: list[dict]):
    """The commitments as one plain table (the page's download): one row each; the evidence as
    ``indicator=verdict (tested at event)`` pairs separated by "; "."""
    import pandas as pd

    rows = []
    for item in items:
        target = item["target"]
        rows.append({
            "id": item["id"], "date": item["date"], "event": item["event"], "party": item["party"],
            "theme": item["theme"], "text_en": item["text"]["en"], "text_es": item["text"]["es"],
            "status": item["status"], "checkable_from": item.get("checkable_from"), "late": item.get("late", False),
            "evidence": "; ".join(f"{c['indicator']}={c['verdict']} (tested at {c['tested_event']})"
                                  for c in item["evidence"]) or None,
            "target": "undefined" if target == "undefined" else target["description"]["en"],
            "deadline": None if target == "undefined" else target.get("deadline"),
            "needs_en": (item.get("needs") or {}).get("en"), "quote": item["quote"]["text"],
            "quote_said_by": item["quote"]["said_by"]["en"], "quote_url": item["quote"]["url"],
            "as_of": item.get("as_of"),
        })
    return pd.DataFrame(rows, columns=CSV_COLUMNS)
