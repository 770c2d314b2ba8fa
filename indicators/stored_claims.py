"""The claims' checks for the latest data, computed once per publish and stored with what they came
from, so that the first request after a publish reads them instead of checking every claim again
(the check reads each independent series anew).

The key digests the versions of the sources the checks read (:func:`indicators.claims.sources`),
the curated timeline, the code and definitions (:mod:`indicators.digest`) and the day: a claim
becomes checkable, or overdue, as days pass, so a stored result serves the day it was computed for.
``python -m etl`` calls :func:`refresh_claims` after it publishes; a request on another day, or
after a publish made without the hook, checks the claims itself (as before) and the result is
cached as every other read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging

from sqlalchemy.engine import Engine

from etl.store import data_versions, read_derived, read_events, timeline_digest, write_derived
from indicators import claims
from indicators.digest import code_digest

log = logging.getLogger(__name__)

NAME = "claims"


def claims_key(engine: Engine, events: list[dict], day: dt.date) -> str:
    versions = data_versions(engine)
    parts = "|".join(versions.source(source) for source in claims.sources())
    key = f"{code_digest()}|{parts}|{timeline_digest(events)}|{day.isoformat()}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def stored_claims(engine: Engine, events: list[dict], day: dt.date | None = None) -> list[dict] | None:
    """The checks stored for the store, timeline and day as they are now, or None."""
    payload = read_derived(engine, NAME, claims_key(engine, events, day or dt.date.today()))
    return None if payload is None else json.loads(payload)


def refresh_claims(engine: Engine) -> bool:
    """After a publish: check the claims for the latest data unless that is stored already
    (idempotent); returns whether they were checked."""
    events = read_events(engine)
    key = claims_key(engine, events, dt.date.today())
    if read_derived(engine, NAME, key) is not None:
        return False
    checked = claims.check_claims(engine, events)
    write_derived(engine, NAME, key, json.dumps(checked))
    log.info("claims checked and stored: %d", len(checked))
    return True
