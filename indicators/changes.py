"""What changed, delivered: a dated change-log entry after every publish that changed what is served.

``python -m etl`` runs :func:`record_changes` after a build, import, refresh, withdrawal or
restoration (a hook of ``VERIFICA_AFTER_PUBLISH``, after the scorecard's). It reads the statuses
now, compares them with the statuses the newest entry recorded (one read) and stores an entry of
codes and numbers, never words (they are rendered when read, in the reader's language):

* ``new_months``: per source and series, the months served now beyond the newest month served
  before (``months_gone`` when a withdrawal took them back);
* ``revisions``: per vintage published since, the months its release diff found revised beyond the
  source's tolerance (``etl.release_diff``, kept in the run record), provisional or completed;
* ``moves``: every status that moved, old → new, from each provider in :data:`PROVIDERS` (the
  scorecard's cells ``event|indicator`` → verdict, claims → status, commitments → status);
* ``causes``: new data, a revision, a withdrawal or restoration, a corrected release date, a
  timeline edit, a method or code change (the digests the stored scorecard is keyed on tell them
  apart: vintage set, timeline, engine version, code), or, when none of them changed but a status
  moved, the calendar (a date a status waits for passed).

The first entry is a baseline (it lists nothing moved; it says so). A publish that changed nothing
(an unchanged release, a second run) records nothing: the hook is idempotent, like the others.
With ``VERIFICA_WEBHOOK_URL`` set, each new entry is POSTed as JSON, signed with HMAC-SHA256
(``VERIFICA_WEBHOOK_SECRET``), retried with exponential backoff, every attempt recorded; the
delivery runs after the publish has committed and outside the store's lock, and its failures are
logged and recorded, never raised.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests
from sqlalchemy.engine import Engine

import settings
from etl import changelog_store
from etl.store import read_events, timeline_digest, vintage_set_key
from indicators import precompute
from indicators.digest import code_digest
from indicators.registry import INDICATORS, get_indicator
from indicators.series import sources_read

log = logging.getLogger(__name__)

CAUSES = ("new_data", "revision", "withdrawal", "restoration", "release_date", "timeline", "method", "calendar")
KINDS = ("verdict", "commitment", "claim")  # the kinds of status an entry reports moves of, in this order


# --- providers of statuses -------------------------------------------------------------------

@dataclass(frozen=True)
class Provider:
    """A kind of status the change log follows: ``read(engine, events)`` → key → status code."""

    kind: str
    read: Callable[[Engine, list[dict]], dict[str, str]]


def verdict_statuses(engine: Engine, events: list[dict]) -> dict[str, str]:
    """The stored scorecard's cells, ``event_id|indicator_id`` → verdict code (the event is the
    row's first commitment). The grid is computed here only when no hook stored it first."""
    grid = precompute.stored_scorecard(engine, events)
    if grid is None:
        precompute.ensure_scorecard(engine)
        grid = precompute.stored_scorecard(engine, events) or precompute.refresh_scorecard(engine, events)
    return {f"{row['event']['id']}|{indicator}": cell["verdict"]
            for row in grid["rows"] for indicator, cell in row["cells"].items()}


def claim_statuses(engine: Engine, events: list[dict]) -> dict[str, str]:
    """Each official claim's status (consistent, inconsistent, not checkable), by claim id."""
    from indicators.claims import check_claims

    return {item["id"]: item["status"] for item in check_claims(engine, events)}


def commitment_statuses(engine: Engine, events: list[dict]) -> dict[str, str]:
    """Each curated commitment's status (rolled up from the stored scorecard), by commitment id."""
    from indicators import commitments

    return commitments.statuses(engine, events)


def _providers() -> list[Provider]:
    return [Provider("verdict", verdict_statuses), Provider("claim", claim_statuses),
            Provider("commitment", commitment_statuses)]


PROVIDERS: list[Provider] = _providers()


# --- what an entry is made of -----------------------------------------------------------------

def basis(engine: Engine, events: list[dict]) -> dict[str, str]:
    """What the served statuses depend on, as the stored scorecard's key reads it."""
    return {"vintages": vintage_set_key(engine), "timeline": timeline_digest(events),
            "engine": precompute.ENGINE_VERSION, "code": code_digest()}


def _basis_key(parts: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:32]


def current_state(engine: Engine, events: list[dict], previous: dict | None = None) -> dict:
    """Everything the next entry compares against: the basis, the vintages and their state, the
    newest month of each series and every provider's statuses. A provider that fails is logged and
    keeps the statuses it had (nothing is reported moved because a check broke)."""
    statuses, failed = {}, []
    for provider in PROVIDERS:
        try:
            statuses[provider.kind] = dict(provider.read(engine, events))
        except Exception:
            log.exception("change log: the %s statuses could not be read; the previous ones are kept", provider.kind)
            statuses[provider.kind] = dict(((previous or {}).get("statuses") or {}).get(provider.kind) or {})
            failed.append(provider.kind)
    return {"basis": basis(engine, events), "vintages": changelog_store.vintage_states(engine),
            "months": changelog_store.newest_months(engine), "statuses": statuses, "failed": failed}


def _month_index(month: str) -> int:
    year, number = month.split("-")[:2]
    return int(year) * 12 + int(number) - 1


def _month_text(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _span(after: str | None, through: str) -> dict:
    """The months after ``after`` through ``through`` (``from`` None: every month, a new series)."""
    first = None if after is None else _month_text(_month_index(after) + 1)
    return {"from": first, "through": through,
            "count": None if first is None else _month_index(through) - _month_index(first) + 1}


def compare(engine: Engine, old: dict, new: dict) -> tuple[list[str], dict]:
    """The causes and the payload of the entry that takes the store from ``old`` to ``new``."""
    payload: dict = {"baseline": False}
    before, after = old.get("vintages", {}), new["vintages"]
    added = sorted((int(i) for i in after if i not in before), key=int)
    payload["published"] = [{"vintage": i, "source": after[str(i)][0], "file": after[str(i)][1]} for i in added]
    payload["withdrawn"] = [{"vintage": int(i), "source": v[0], "file": v[1], "on": v[3]}
                            for i, v in after.items() if v[3] and (i not in before or not before[i][3])]
    payload["restored"] = [{"vintage": int(i), "source": v[0], "file": v[1]}
                           for i, v in after.items() if i in before and before[i][3] and not v[3]]
    payload["redated"] = [{"vintage": int(i), "source": v[0], "file": v[1], "old": before[i][2], "new": v[2]}
                          for i, v in after.items() if i in before and before[i][2] != v[2]]
    new_months, gone = [], []
    for key, through in sorted(new["months"].items()):
        was = old.get("months", {}).get(key)
        source, series = key.split("|", 1)
        if was is None or through > was:
            new_months.append({"source": source, "series": series, **_span(was, through)})
        elif through < was:
            gone.append({"source": source, "series": series, **_span(through, was)})
    for key, was in sorted(old.get("months", {}).items()):
        if key not in new["months"]:
            source, series = key.split("|", 1)
            gone.append({"source": source, "series": series, "from": None, "through": was, "count": None})
    payload["new_months"], payload["months_gone"] = new_months, gone
    revisions = []
    for vintage_id, diff in sorted(changelog_store.publish_diffs(engine, added).items()):
        for series, months in sorted((diff.get("revised_months") or {}).items()):
            revisions.append({"vintage": vintage_id, "source": after[str(vintage_id)][0],
                              "file": after[str(vintage_id)][1], "series": series, "months": months})
    payload["revisions"] = revisions
    moves = []
    for kind in KINDS:
        was, now = old.get("statuses", {}).get(kind), new["statuses"].get(kind)
        if was is None or now is None:  # a kind followed only from now on: its baseline, nothing moved
            continue
        for key in sorted(set(was) | set(now)):
            if was.get(key) != now.get(key):
                moves.append({"kind": kind, "key": key, "old": was.get(key), "new": now.get(key)})
    payload["moves"] = moves
    payload["failed"] = new.get("failed", [])
    # Nothing a reader would see moved (a deploy that changed code, a timeline typo): kept on the
    # page, left out of the feeds, the overview and the webhook.
    payload["quiet"] = not any(payload[k] for k in ("moves", "new_months", "months_gone", "revisions", "published",
                                                    "withdrawn", "restored", "redated"))
    parts_old, parts_new = old.get("basis", {}), new["basis"]
    causes = []
    if new_months or (added and not revisions):
        causes.append("new_data")
    if revisions:
        causes.append("revision")
    if payload["withdrawn"] or gone:
        causes.append("withdrawal")
    if payload["restored"]:
        causes.append("restoration")
    if payload["redated"]:
        causes.append("release_date")
    if parts_old.get("timeline") != parts_new["timeline"]:
        causes.append("timeline")
    if parts_old.get("engine") != parts_new["engine"] or parts_old.get("code") != parts_new["code"]:
        causes.append("method")
        payload["method"] = {k: [parts_old.get(k), parts_new[k]] for k in ("engine", "code")
                             if parts_old.get(k) != parts_new[k]}
    if not causes and moves:
        causes.append("calendar")
    return [c for c in CAUSES if c in causes], payload


def record_changes(engine: Engine) -> int | None:
    """The hook: record an entry if anything changed since the newest one (the first is a
    baseline); deliver it to the webhook if one is set. Returns the new entry's id, or None."""
    events = read_events(engine)
    previous = changelog_store.newest_entry(engine)
    state = current_state(engine, events, previous.state if previous else None)
    key = _basis_key(state["basis"])
    if previous is None:
        entry_id = changelog_store.add_entry(engine, basis=key, causes=[], payload={
            "baseline": True, "published": [], "withdrawn": [], "restored": [], "redated": [], "new_months": [],
            "months_gone": [], "revisions": [], "moves": [], "failed": state["failed"], "quiet": False}, state=state)
        log.info("change log: baseline entry #%d recorded", entry_id)
    else:
        causes, payload = compare(engine, previous.state, state)
        if previous.basis == key and not payload["moves"]:
            log.info("change log: nothing changed since entry #%d", previous.id)
            return None
        entry_id = changelog_store.add_entry(engine, basis=key, causes=causes, payload=payload, state=state)
        log.info("change log: entry #%d recorded (%s: %d month series new, %d revised, %d statuses moved)",
                 entry_id, ", ".join(causes) or "-", len(payload["new_months"]), len(payload["revisions"]),
                 len(payload["moves"]))
    config = settings.get()
    if config.webhook_url and not changelog_store.entry(engine, entry_id).payload.get("quiet"):
        deliver_in_background(engine, entry_id, config.webhook_url, config.webhook_secret)
    return entry_id


# --- reading entries (the data door passes these on) -----------------------------------------

def entry_indicators(entry_payload: dict) -> set[str]:
    """The registry indicators an entry concerns: its verdict moves, and every indicator reading a
    source that published, revised, withdrew, restored or gained months in it."""
    found = {move["key"].split("|", 1)[1] for move in entry_payload.get("moves", []) if move["kind"] == "verdict"}
    sources = {item["source"] for name in ("published", "withdrawn", "restored", "redated", "new_months",
                                           "months_gone", "revisions") for item in entry_payload.get(name, [])}
    if sources:
        for spec in INDICATORS.values():
            if spec.status == "available" and set(sources_read(spec)) & sources:
                found.add(spec.id)
    return found


def entry_commitments(entry_payload: dict) -> set[str]:
    """The commitments an entry concerns: its commitment moves, the scorecard rows (their first
    event's id) whose cells moved, and each curated commitment made at such an event whose linked
    indicator's cell moved."""
    found = {move["key"].split("|", 1)[0] for move in entry_payload.get("moves", [])
             if move["kind"] in ("verdict", "commitment")}
    cells = {tuple(move["key"].split("|", 1)) for move in entry_payload.get("moves", []) if move["kind"] == "verdict"}
    if cells:
        for commitment_id, (event_id, indicators) in _commitment_links().items():
            if any((event_id, indicator) in cells for indicator in indicators):
                found.add(commitment_id)
    return found


def _commitment_links() -> dict[str, tuple[str, set[str]]]:
    """Curated commitment id → (its event, its indicators); empty without the curated file."""
    try:
        from indicators import commitments

        return {r["id"]: (r["event"], {i["indicator"] for i in r.get("indicators", [])}) for r in commitments.load()}
    except Exception:  # not there yet, or broken: logged where it is loaded
        return {}


def commitment_choices(engine: Engine) -> list[str]:
    """What ``?commitment=`` accepts: the commitments followed and the scorecard's rows (their
    first event's id), as the newest entry recorded them."""
    newest = changelog_store.newest_entry(engine)
    statuses = (newest.state.get("statuses") or {}) if newest else {}
    rows = {key.split("|", 1)[0] for key in statuses.get("verdict", {})}
    return sorted(rows | set(statuses.get("commitment", {})) | set(_commitment_links()))


def indicator_choices() -> list[str]:
    return sorted(INDICATORS)


def select_entries(items: list, *, indicator: str | None = None, commitment: str | None = None,
                   quiet: bool = False) -> list:
    """The entries (``changelog_store.Entry``) that concern an indicator and/or a commitment;
    quiet ones (nothing a reader would see moved) only with ``quiet``."""
    if indicator:
        get_indicator(indicator)  # an unknown id raises UnknownIndicator
    return [e for e in items
            if (quiet or not e.payload.get("quiet"))
            and (not indicator or indicator in entry_indicators(e.payload))
            and (not commitment or commitment in entry_commitments(e.payload))]


# --- the webhook ------------------------------------------------------------------------------

WEBHOOK_TRIES = 4  # attempts per entry: the first and three retries
WEBHOOK_BACKOFF_S = 2.0  # waits of 2, 4 and 8 s between them
WEBHOOK_TIMEOUT_S = 10.0  # per attempt
SIGNATURE_HEADER = "X-Verifica-Signature"
_threads: list[threading.Thread] = []
_threads_guard = threading.Lock()


def signature(secret: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of the exact body bytes with the shared secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_body(engine: Engine, entry_id: int) -> bytes:
    """The JSON POSTed for an entry: its codes and numbers, as ``/api/changes.json`` gives them
    (links from ``VERIFICA_PUBLIC_URL`` when it is set)."""
    item = changelog_store.entry(engine, entry_id)
    return json.dumps({"entry": entry_json(item, settings.get().public_url)}, sort_keys=True).encode()


def entry_json(item, base_url: str | None) -> dict:
    """An entry as codes and numbers, with its permalink and the scorecard as known that day when a
    base address is known (``VERIFICA_PUBLIC_URL``, or the request's)."""
    day = item.recorded_at.date().isoformat()
    out = {"id": item.id, "recorded_at": item.recorded_at.replace(microsecond=0).isoformat() + "Z", "date": day,
           "causes": list(item.causes), **item.payload}
    if base_url:
        base = base_url.rstrip("/")
        out["link"] = f"{base}/changes?entry={item.id}"
        out["scorecard"] = f"{base}/scorecard?as_of={day}"
    return out


def deliver(engine: Engine, entry_id: int, url: str, secret: str | None, *, tries: int | None = None,
            backoff_s: float | None = None, timeout_s: float | None = None) -> bool:
    """POST the entry, retrying a connection error, a timeout, a 5xx, 408 or 429 after
    ``backoff_s``, twice that, ... (``tries`` attempts in all); another 4xx is final. Every attempt
    is recorded (status code or error). Returns whether the endpoint accepted it (2xx); never raises.
    Unset arguments are the module's WEBHOOK_* values as they are at the call."""
    tries = WEBHOOK_TRIES if tries is None else tries
    backoff_s = WEBHOOK_BACKOFF_S if backoff_s is None else backoff_s
    timeout_s = WEBHOOK_TIMEOUT_S if timeout_s is None else timeout_s
    try:
        body = webhook_body(engine, entry_id)
    except Exception:
        log.exception("webhook: entry #%d could not be read for delivery", entry_id)
        return False
    headers = {"Content-Type": "application/json", "User-Agent": "Verifica change log",
               "X-Verifica-Entry": str(entry_id)}
    if secret:
        headers[SIGNATURE_HEADER] = signature(secret, body)
    else:
        log.warning("webhook: VERIFICA_WEBHOOK_SECRET is not set: entry #%d is delivered unsigned", entry_id)
    for attempt in range(1, tries + 1):
        status, error = None, None
        try:
            response = requests.post(url, data=body, headers=headers, timeout=timeout_s, allow_redirects=False)
            status = response.status_code
        except requests.RequestException as exc:
            error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc).strip() else '-'}"
        try:
            changelog_store.record_delivery(engine, entry_id, url, attempt, status, error)
        except Exception:
            log.exception("webhook: attempt %d of entry #%d could not be recorded", attempt, entry_id)
        if status is not None and 200 <= status < 300:
            log.info("webhook: entry #%d delivered (attempt %d, %d)", entry_id, attempt, status)
            return True
        final = status is not None and 400 <= status < 500 and status not in (408, 429)
        log.warning("webhook: entry #%d, attempt %d of %d failed: %s", entry_id, attempt, tries,
                    error or f"HTTP {status}")
        if final or attempt == tries:
            break
        time.sleep(backoff_s * 2 ** (attempt - 1))
    log.error("webhook: entry #%d was not delivered to the webhook (attempts recorded)", entry_id)
    return False


def deliver_in_background(engine: Engine, entry_id: int, url: str, secret: str | None) -> threading.Thread:
    """Deliver in a thread of its own (not a daemon: the command waits for it before it exits, but
    the publish, the store's lock and the other hooks never wait for the endpoint)."""
    thread = threading.Thread(target=deliver, args=(engine, entry_id, url, secret), name=f"webhook-{entry_id}")
    with _threads_guard:
        _threads[:] = [t for t in _threads if t.is_alive()]
        _threads.append(thread)
    thread.start()
    return thread


def wait_for_deliveries(timeout_s: float | None = None) -> None:
    """Wait for this process's deliveries in progress (tests; a command exits after them anyway)."""
    with _threads_guard:
        running = list(_threads)
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    for thread in running:
        thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))

