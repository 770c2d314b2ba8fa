"""Answers of the explorer's view callback are cached by request body and data version: the same
view is built once, and a publish or timeline change made by any process is seen at once."""

from __future__ import annotations

import copy

from dashboard import ids, queries
from dashboard.pages import explorer
from dashboard.response_cache import HEADER
from etl import timeline
from etl.store import replace_events
from tests.helpers import explorer_request, post, set_value


def test_a_view_is_built_once_per_data_version(app_and_client, snapshot_store, monkeypatch):
    app, client = app_and_client
    built = []
    render = explorer.render_state
    monkeypatch.setattr(explorer, "render_state", lambda state: built.append(state) or render(state))
    with app.server.app_context():
        queries.cache.clear()
    body = explorer_request(app)

    first = post(client, body)
    assert first.status_code == 200 and first.headers[HEADER] == "miss" and len(built) == 1
    again = post(client, body)
    assert again.headers[HEADER] == "hit" and again.data == first.data and len(built) == 1

    other = post(client, set_value(copy.deepcopy(body), (ids.DATES, "start_date"), "2023-01-01"))
    assert other.headers[HEADER] == "miss" and other.data != first.data and len(built) == 2

    # The timeline changed by another process (straight in the store): the next request rebuilds.
    try:
        replace_events(snapshot_store, timeline.read_timeline()[:-1])
        changed = post(client, body)
        assert changed.headers[HEADER] == "miss" and len(built) == 3
    finally:
        timeline.load_into_store(snapshot_store)
    back = post(client, body)  # the old version again: the answer stored for it is still right
    assert back.headers[HEADER] == "hit" and back.data == first.data and len(built) == 3


def test_refused_and_other_callbacks_are_never_cached(app_and_client):
    app, client = app_and_client
    bad = set_value(explorer_request(app), (ids.INDICATOR, "value"), "nope")
    for _ in range(2):
        response = post(client, bad)
        assert response.status_code == 400 and response.headers.get(HEADER) != "hit"
    downloads = next(k for k in app.callback_map if ids.DOWNLOAD in k)
    assert downloads not in explorer.pure_outputs(app)


def test_a_browser_gets_the_stored_answer_compressed(app_and_client):
    import gzip
    import json

    app, client = app_and_client
    body = json.dumps(explorer_request(app))
    plain = client.post("/_dash-update-component", data=body, content_type="application/json")
    packed = client.post("/_dash-update-component", data=body, content_type="application/json",
                         headers={"Accept-Encoding": "gzip, deflate, br"})
    assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.data) == plain.data and len(packed.data) * 3 < len(plain.data)


def test_a_publish_moves_only_its_own_sources_cached_series(snapshot_copy, monkeypatch):
    """The explorer's answers follow every change; the series under them are cached per source,
    so after a CDC release the SESNSP series are not read again."""
    from dashboard.app_factory import create_app
    from etl.store import data_versions, list_vintages, withdraw
    from indicators.registry import available_indicators

    store = snapshot_copy  # the snapshot and the timeline
    by_source = {}
    for spec in available_indicators():
        by_source.setdefault(spec.source_id, spec)
    changed, other = sorted(by_source)[:2]
    app = create_app(engine=store, prepare_store=False)
    reads = []
    real = queries.read_series
    monkeypatch.setattr(queries, "read_series", lambda db, spec, *a, **k: reads.append(spec.id) or real(db, spec, *a, **k))

    def read_both():
        with app.server.test_request_context():
            for source in (changed, other):
                queries.series_view(queries.SeriesQuery(by_source[source].id))

    read_both()
    assert len(reads) == 2
    read_both()
    assert len(reads) == 2  # cached
    before = data_versions(store)
    withdraw(store, list_vintages(store, changed)[-1].id, "test: replaced by the publisher")
    after = data_versions(store)
    assert after.overall != before.overall and after.source(changed) != before.source(changed)
    assert after.source(other) == before.source(other)
    read_both()
    assert reads[2:] == [by_source[changed].id]  # only the source that changed is read again


def test_hits_and_misses_carry_the_same_headers_and_honour_the_encoding(app_and_client):
    import json

    app, client = app_and_client
    body = set_value(explorer_request(app), (ids.DATES, "start_date"), "2022-06-01")
    with app.server.app_context():
        queries.cache.clear()

    def send(encoding: str | None):
        headers = {"Accept-Encoding": encoding} if encoding is not None else {}
        return client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json",
                           headers=headers)

    miss, hit = send("gzip"), send("gzip")
    assert (miss.headers[HEADER], hit.headers[HEADER]) == ("miss", "hit")
    for response in (miss, hit):
        for header in ("X-Content-Type-Options", "X-Frame-Options", "Content-Security-Policy", "Referrer-Policy"):
            assert header in response.headers, (response.headers[HEADER], header)
        assert response.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in response.headers["Vary"]
    assert miss.data == hit.data
    refused = send("gzip;q=0")  # a client that refuses gzip gets JSON
    assert "Content-Encoding" not in refused.headers and refused.get_json()["response"]


def test_a_changed_source_card_is_seen_at_once(app_and_client, snapshot_store):
    """The citation beside the chart comes from the sources table, which a refresh rewrites: a
    change there reaches the next answer, not one ten minutes later."""
    import json

    from sqlalchemy import update

    from etl.store import Source
    from indicators.registry import get_indicator

    app, client = app_and_client
    body = explorer_request(app)
    indicator = next(i["value"] for i in body["inputs"] if i["id"] == ids.INDICATOR)
    source_id = get_indicator(indicator).source_id
    with snapshot_store.connect() as conn:
        citation = conn.execute(Source.__table__.select().where(Source.id == source_id)).mappings().one()["citation"]
    post(client, body)
    try:
        with snapshot_store.begin() as conn:
            conn.execute(update(Source).where(Source.id == source_id).values(citation=citation + " (corrected)"))
        changed = post(client, body)
        assert changed.headers[HEADER] == "miss" and "(corrected)" in json.dumps(changed.get_json())
    finally:
        with snapshot_store.begin() as conn:
            conn.execute(update(Source).where(Source.id == source_id).values(citation=citation))
