"""The change log: an entry after each publish (new months, revised months, every status that
moved, and why), its page and feeds (Atom parsed with feedparser, JSON), and the webhook against a
real local HTTP receiver (signature, retries, a receiver that is down)."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import feedparser
import pandas as pd
import pytest

from etl import cbp_drug_seizures, changelog_store, pipeline, timeline
from etl.__main__ import main
from etl.common import load_origin
from etl.store import read_events, restore, withdraw
from indicators import changes, precompute
from indicators.registry import INDICATORS
from tests.helpers import RAW_DIR, full_window, require

CBP_DIR = RAW_DIR / "cbp" / "drug-seizures"
DEC, APR = "nationwide-drugs-fy23-fy26-dec.csv", "nationwide-drugs-fy23-fy26-apr.csv"
FENTANYL_SWB = "cbp_fentanyl_seizures_swb_lbs"
SECRET = "a shared secret"


def _verdicts(grid: dict) -> dict[str, str]:
    return {f"{row['event']['id']}|{indicator}": cell["verdict"]
            for row in grid["rows"] for indicator, cell in row["cells"].items()}


def _record(engine) -> tuple[int | None, dict]:
    """What `python -m etl` runs after a publish: the scorecard, then the change log."""
    precompute.ensure_scorecard(engine)
    entry_id = changes.record_changes(engine)
    return entry_id, precompute.stored_scorecard(engine, read_events(engine))


@pytest.fixture(scope="module")
def cbp_store(store_factory):
    """A store of the CBP drug-seizure source alone: December 2025's release, the baseline entry,
    then April 2026's release and its entry (the two stored grids kept)."""
    require((CBP_DIR / DEC).is_file() and (CBP_DIR / APR).is_file(), f"CBP drug-seizure files not found in {CBP_DIR}")
    engine = store_factory()
    pipeline.import_file(engine, cbp_drug_seizures.SOURCE_ID, CBP_DIR / DEC)
    timeline.load_into_store(engine)
    baseline, before = _record(engine)
    pipeline.import_file(engine, cbp_drug_seizures.SOURCE_ID, CBP_DIR / APR)
    entry_id, after = _record(engine)
    return {"engine": engine, "baseline": baseline, "entry": entry_id, "before": before, "after": after}


def _revised_months_in_the_data() -> dict[str, dict[str, str]]:
    """Compare the two releases' values cell by cell (series, geography, month, dimensions) over
    the months both cover: a month is revised where a cell moved beyond the source's tolerance, or
    appeared or went; "completed" where such a cell was not provisional in December's release."""
    old = cbp_drug_seizures.record_from_file(CBP_DIR / DEC).observations
    new = cbp_drug_seizures.record_from_file(CBP_DIR / APR).observations
    dims = [c for c in old.columns if c not in ("indicator", "period", "geo", "value", "value_predicted", "flags")]
    key = ["indicator", "geo", "period", *dims]

    def keyed(frame):
        frame = frame.assign(period=pd.to_datetime(frame["period"]).dt.strftime("%Y-%m"))
        frame[dims] = frame[dims].fillna("").astype(str)
        return frame.drop_duplicates(subset=key, keep="last").set_index(key)

    old, new = keyed(old), keyed(new)
    months = set(old.index.get_level_values("period")) & set(new.index.get_level_values("period"))
    old = old[old.index.get_level_values("period").isin(months)]
    new = new[new.index.get_level_values("period").isin(months)]
    tolerance = load_origin(cbp_drug_seizures.SOURCE_ID)["revision_tolerance"]
    joined = old[["value", "flags"]].rename(columns={"value": "value_old"}).join(
        new[["value"]].rename(columns={"value": "value_new"}), how="outer")
    limit = (joined["value_old"].abs() * tolerance["relative"]).clip(lower=tolerance["absolute"])
    moved = (joined["value_new"] - joined["value_old"]).abs() > limit + 1e-9
    moved |= joined["value_old"].isna() != joined["value_new"].isna()
    out: dict[str, dict[str, str]] = {}
    for (indicator, _geo, month, *_rest), row in joined[moved].iterrows():
        completed = isinstance(row["flags"], str) and "provisional" not in row["flags"]
        months_of = out.setdefault(indicator, {})
        months_of[month] = "completed" if completed or months_of.get(month) == "completed" else "provisional"
    return out


@pytest.mark.raw
def test_a_later_release_names_its_revised_months_and_every_verdict_that_moved(cbp_store):
    engine = cbp_store["engine"]
    baseline = changelog_store.entry(engine, cbp_store["baseline"])
    assert baseline.payload["baseline"] and baseline.payload["moves"] == [] and baseline.causes == ()
    item = changelog_store.entry(engine, cbp_store["entry"])
    expected = _revised_months_in_the_data()
    assert expected, "the April release revises months of December's"
    reported = {r["series"]: r["months"] for r in item.payload["revisions"]}
    assert reported == expected
    assert {r["file"] for r in item.payload["revisions"]} == {APR}
    # The verdict moves are exactly the difference between the two stored grids.
    before, after = _verdicts(cbp_store["before"]), _verdicts(cbp_store["after"])
    moved = {k: (before.get(k), after.get(k)) for k in set(before) | set(after) if before.get(k) != after.get(k)}
    assert moved, "April's months move at least one verdict"
    assert {m["key"]: (m["old"], m["new"]) for m in item.payload["moves"] if m["kind"] == "verdict"} == moved
    # New months: April's release runs four months past December's, in both series of the source.
    new = {m["series"]: (m["from"], m["through"], m["count"]) for m in item.payload["new_months"]}
    assert new == {"cbp_drug_seizures_lbs": ("2026-01", "2026-04", 4),
                   "cbp_drug_seizure_events": ("2026-01", "2026-04", 4)}
    assert item.causes == ("new_data", "revision")
    assert [p["file"] for p in item.payload["published"]] == [APR]
    # Nothing changed since: the hook records nothing (idempotent, like the scorecard's).
    assert changes.record_changes(engine) is None


def _app(engine):
    from dashboard.app_factory import create_app

    return create_app(engine=engine, prepare_store=False)


@pytest.mark.raw
def test_the_atom_feed_parses_and_an_indicator_narrows_it(cbp_store, monkeypatch):
    monkeypatch.setenv("VERIFICA_PUBLIC_URL", "https://verifica.example/")
    client = _app(cbp_store["engine"]).server.test_client()
    response = client.get("/api/changes.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.bozo_exception
    assert [e.link for e in feed.entries] == [f"https://verifica.example/changes?entry={cbp_store['entry']}",
                                              f"https://verifica.example/changes?entry={cbp_store['baseline']}"]
    day = changelog_store.entry(cbp_store["engine"], cbp_store["entry"]).recorded_at.date().isoformat()
    assert feed.entries[0].id == f"tag:verifica.example,{day}:changes/{cbp_store['entry']}"  # dated, permanent
    assert f"https://verifica.example/scorecard?as_of={day}" in feed.entries[0].content[0].value
    assert "2025-10" in feed.entries[0].content[0].value
    # The entry concerns the CBP indicators; an indicator of another source has none.
    narrowed = feedparser.parse(client.get(f"/api/changes.atom?indicator={FENTANYL_SWB}").data)
    assert [e.link for e in narrowed.entries] == [feed.entries[0].link]
    assert feedparser.parse(client.get("/api/changes.atom?indicator=cdc_overdose_deaths_12m").data).entries == []
    spanish = feedparser.parse(client.get("/api/changes.atom?lang=es").data)
    assert spanish.feed.title == "Verifica: qué cambió" and "Meses revisados" in spanish.entries[0].content[0].value
    bad = client.get("/api/changes.atom?indicator=no_such_indicator")
    assert bad.status_code == 400 and FENTANYL_SWB in bad.get_json()["error"]
    bad = client.get("/api/changes.json?commitment=no-such-commitment")
    moves = changelog_store.entry(cbp_store["engine"], cbp_store["entry"]).payload["moves"]
    row = next(m["key"].split("|")[0] for m in moves if m["kind"] == "verdict")
    assert bad.status_code == 400 and row in bad.get_json()["error"]
    twin = client.get(f"/api/changes.json?commitment={row}").get_json()
    assert [e["id"] for e in twin["entries"]] == [cbp_store["entry"]]
    assert twin["entries"][0]["link"] == feed.entries[0].link
    assert twin["entries"][0]["moves"] == moves


def _english_only_changes_strings() -> list[str]:
    from dashboard.i18n import STRINGS

    heads = []
    for key, pair in STRINGS.items():
        assert not key.startswith("changes_") or (pair.get("en") and pair.get("es")), key
        head = pair["en"].split("{")[0].strip(" :.(")
        if key.startswith(("changes_", "nav_changes")) and pair["en"] != pair["es"] and len(head) >= 6 \
                and head not in pair["es"]:
            heads.append(head)
    return heads


@pytest.mark.raw
def test_the_page_and_the_overview_section_in_english_and_spanish(cbp_store):
    from dashboard.pages import changes as page

    app = _app(cbp_store["engine"])
    english_only = _english_only_changes_strings()
    seen = {}
    for lang in ("en", "es"):
        with app.server.test_request_context(f"/changes?lang={lang}"):
            seen[lang] = json.dumps([page.layout(lang=lang).to_plotly_json(),
                                     page.layout(lang=lang, entry=str(cbp_store["entry"])).to_plotly_json(),
                                     [part.to_plotly_json() for part in page.overview_section(lang)]],
                                    cls=__import__("plotly").utils.PlotlyJSONEncoder, ensure_ascii=False)
    assert [s for s in english_only if s in seen["es"]] == []
    assert any(s in seen["en"] for s in english_only)  # the same check finds the English on the English page
    moved = next(m for m in changelog_store.entry(cbp_store["engine"], cbp_store["entry"]).payload["moves"]
                 if m["kind"] == "verdict")
    event_id, indicator_id = moved["key"].split("|")
    assert f"indicator={indicator_id}" in seen["es"] and f"event={event_id}" in seen["es"]  # the cell opens the explorer
    for words in ("Meses revisados", "Estados que cambiaron", "Línea de base", "Qué cambió últimamente"):
        assert words in seen["es"], words
    with app.server.test_request_context("/changes?entry=999999"):
        assert "999999" in json.dumps(page.layout(lang="es", entry="999999").to_plotly_json(),
                                      cls=__import__("plotly").utils.PlotlyJSONEncoder, ensure_ascii=False)


def _two_releases() -> tuple[bytes, bytes]:
    """Hand-written releases: October 2024 – December 2025, then the same through January 2026."""
    first = full_window()
    second = full_window("2026 (FYTD),JAN,U.S. Border Patrol,Southwest Border,Land Only,TUCSON SECTOR,Fentanyl,1,2.5")
    return first, second


def test_a_withdrawal_and_a_restoration_are_entries_with_their_cause(store, tmp_path):
    first, second = _two_releases()
    (tmp_path / "a.csv").write_bytes(first)
    (tmp_path / "b.csv").write_bytes(second)
    pipeline.import_file(store, cbp_drug_seizures.SOURCE_ID, tmp_path / "a.csv", published_on=pd.Timestamp(
        "2026-01-14").date())
    assert changelog_store.entry(store, changes.record_changes(store)).payload["baseline"]
    run = pipeline.import_file(store, cbp_drug_seizures.SOURCE_ID, tmp_path / "b.csv",
                               published_on=pd.Timestamp("2026-02-14").date())
    published = changelog_store.entry(store, changes.record_changes(store))
    assert published.causes == ("new_data",)
    assert {(m["series"], m["from"], m["through"]) for m in published.payload["new_months"]} == {
        ("cbp_drug_seizures_lbs", "2026-01", "2026-01"), ("cbp_drug_seizure_events", "2026-01", "2026-01")}
    withdraw(store, run.vintage_id, "a test withdrawal")
    withdrawn = changelog_store.entry(store, changes.record_changes(store))
    assert withdrawn.causes == ("withdrawal",)
    assert [w["vintage"] for w in withdrawn.payload["withdrawn"]] == [run.vintage_id]
    assert {m["from"] for m in withdrawn.payload["months_gone"]} == {"2026-01"}
    restore(store, run.vintage_id, "a test restoration")
    restored = changelog_store.entry(store, changes.record_changes(store))
    assert restored.causes == ("new_data", "restoration")
    assert changes.record_changes(store) is None


def test_a_timeline_edit_and_a_code_change_are_told_apart(store, monkeypatch):
    """The digests the stored scorecard is keyed on say why: the timeline's, the engine's and the code's."""
    monkeypatch.setattr(changes, "PROVIDERS", [changes.Provider("verdict", lambda engine, events: {
        f"{e['id']}|x": "no_data" for e in events})])
    changes.record_changes(store)
    timeline.load_into_store(store)  # the timeline edited (from nothing to the curated one)
    edited = changelog_store.entry(store, changes.record_changes(store))
    assert edited.causes == ("timeline",) and edited.payload["moves"]
    monkeypatch.setattr(precompute, "ENGINE_VERSION", "verification-test")
    method = changelog_store.entry(store, changes.record_changes(store))
    assert method.causes == ("method",) and method.payload["method"]["engine"][1] == "verification-test"
    assert method.payload["moves"] == [] and method.payload["quiet"] and not edited.payload["quiet"]
    # Nothing a reader would see moved: kept on the page, left out of the feeds and the webhook.
    assert changes.select_entries([edited, method]) == [edited]
    assert changes.select_entries([edited, method], quiet=True) == [edited, method]


# --- the webhook --------------------------------------------------------------------------

class Receiver:
    """A real HTTP receiver on 127.0.0.1: answers with the statuses given (then 200), verifies
    each body's signature with the shared secret, and keeps what it received."""

    def __init__(self, statuses: list[int]):
        self.statuses, self.received = list(statuses), []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
                receiver.received.append({"body": body, "signed": hmac.compare_digest(
                    expected, self.headers.get("X-Verifica-Signature", ""))})
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def one_entry(store):
    changes.record_changes(store)
    return store, changelog_store.newest_entry(store).id


def test_the_webhook_body_is_signed_and_verified_by_the_receiver(one_entry):
    store, entry_id = one_entry
    receiver = Receiver([])
    try:
        assert changes.deliver(store, entry_id, receiver.url, SECRET, backoff_s=0.01)
    finally:
        receiver.close()
    [got] = receiver.received
    assert got["signed"]
    assert json.loads(got["body"])["entry"]["id"] == entry_id
    [attempt] = changelog_store.deliveries(store, entry_id)
    assert (attempt.attempt, attempt.status_code, attempt.error, attempt.url) == (1, 200, None, receiver.url)


def test_a_receiver_failing_twice_gets_three_attempts_all_recorded(one_entry):
    store, entry_id = one_entry
    receiver = Receiver([500, 500])
    try:
        assert changes.deliver(store, entry_id, receiver.url, SECRET, tries=4, backoff_s=0.01)
    finally:
        receiver.close()
    assert len(receiver.received) == 3 and all(r["signed"] for r in receiver.received)
    assert len({r["body"] for r in receiver.received}) == 1  # the same bytes each time
    assert [(d.attempt, d.status_code) for d in changelog_store.deliveries(store, entry_id)] == [
        (1, 500), (2, 500), (3, 200)]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_receiver_that_is_down_never_fails_the_publish_and_the_failure_is_recorded(store, tmp_path, monkeypatch):
    """The real command: the import publishes and exits 0; every attempt is recorded with its error."""
    url = f"http://127.0.0.1:{_closed_port()}/hook"
    monkeypatch.setenv("VERIFICA_AFTER_PUBLISH", "indicators.precompute:ensure_scorecard,"
                                                 "indicators.changes:record_changes")
    monkeypatch.setenv("VERIFICA_WEBHOOK_URL", url)
    monkeypatch.setenv("VERIFICA_WEBHOOK_SECRET", SECRET)
    monkeypatch.setattr(changes, "WEBHOOK_BACKOFF_S", 0.01)
    release = tmp_path / "nationwide-drugs-fy23-fy26-dec.csv"
    release.write_bytes(_two_releases()[0])
    database = store.url.render_as_string(hide_password=False)
    assert main(["--database-url", database, "import", cbp_drug_seizures.SOURCE_ID, str(release),
                 "--published-on", "2026-01-14"]) == 0
    changes.wait_for_deliveries(timeout_s=30)
    entry_id = changelog_store.newest_entry(store).id
    attempts = changelog_store.deliveries(store, entry_id)
    assert [(a.attempt, a.status_code) for a in attempts] == [(i, None) for i in range(1, changes.WEBHOOK_TRIES + 1)]
    assert all(a.error and "ConnectionError" in a.error and a.url == url for a in attempts)


def test_every_indicator_filter_choice_is_a_registry_id_and_a_bad_webhook_address_is_refused():
    import settings

    assert changes.indicator_choices() == sorted(INDICATORS)
    with pytest.raises(settings.SettingsError, match="VERIFICA_WEBHOOK_URL"):
        settings.get({"VERIFICA_WEBHOOK_URL": "ftp://hooks.example/x"})
    assert settings.get({"VERIFICA_WEBHOOK_URL": "https://hooks.example/x"}).webhook_url == "https://hooks.example/x"


def test_a_quiet_entry_is_not_posted(store, monkeypatch):
    """A code change that moved nothing is recorded (the page shows it) but not sent to the webhook."""
    monkeypatch.setattr(changes, "PROVIDERS", [])
    changes.record_changes(store)  # the baseline, before the webhook is set
    receiver = Receiver([])
    monkeypatch.setenv("VERIFICA_WEBHOOK_URL", receiver.url)
    monkeypatch.setattr(precompute, "ENGINE_VERSION", "verification-test")
    try:
        entry_id = changes.record_changes(store)
        changes.wait_for_deliveries(timeout_s=10)
    finally:
        receiver.close()
    assert changelog_store.entry(store, entry_id).payload["quiet"]
    assert receiver.received == [] and changelog_store.deliveries(store) == []
