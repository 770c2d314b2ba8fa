"""The app on a read-only database role (VERIFICA_READ_ONLY=true): it does not prepare the store
on start, serves every page, API and view, and computes what is not stored without keeping it."""

from __future__ import annotations

import json
import uuid

import dash
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError

from dashboard import ids
from etl.store import DerivedResult, make_engine, write_derived
from tests.helpers import admin, explorer_request, server_url, set_value


def read_only(store: Engine) -> tuple[Engine, str | None]:
    """The same store through a role that may only read (PostgreSQL), or the file opened
    read-only (SQLite)."""
    server = server_url()
    if server is None:
        return make_engine(f"sqlite:///file:{store.url.database}?mode=ro&uri=true"), None
    role = f"verifica_reader_{uuid.uuid4().hex[:8]}"
    database = store.url.database
    admin(server, f'CREATE ROLE "{role}" LOGIN')
    admin(store.url.render_as_string(hide_password=False),
           f'GRANT CONNECT ON DATABASE "{database}" TO "{role}"; GRANT USAGE ON SCHEMA public TO "{role}"; '
           f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{role}"')
    url = make_url(store.url.render_as_string(hide_password=False)).set(username=role)
    return make_engine(url.render_as_string(hide_password=False)), role


def test_the_app_serves_everything_from_a_read_only_role(prepared_store, monkeypatch):
    store = prepared_store  # as the refresh job, which writes, leaves it
    reader, role = read_only(store)
    try:
        with pytest.raises(DBAPIError), reader.begin() as conn:  # the role really cannot write
            conn.execute(text("DELETE FROM derived_results"))
        # Unless the app is told it reads, a refused write is an error, not a silent loss.
        with pytest.raises(DBAPIError):
            write_derived(reader, "test", "key", "{}")
        monkeypatch.setenv("VERIFICA_READ_ONLY", "true")
        from dashboard.app_factory import create_app

        app = create_app(engine=reader)
        client = app.server.test_client()
        assert client.get("/api/health").status_code == 200
        for page in dash.page_registry.values():
            assert client.get(page["path"]).status_code == 200, page["path"]
        assert client.get("/api/scorecard.json").get_json()["rows"]
        # A state-level view: its map, once unfolded, is computed (nothing stored for it yet) and not kept.
        body = set_value(explorer_request(app), (ids.INDICATOR, "value"), "cdc_synthetic_opioid_deaths_12m")
        response = client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")
        assert response.status_code == 200 and ids.MAP in response.get_json()["response"]
        [output] = [k for k in app.callback_map if k == f"{ids.MAP_BODY}.children"]
        unfolded = {"output": output, "outputs": {"id": ids.MAP_BODY, "property": "children"},
                    "inputs": [{"id": ids.MAP_SUMMARY, "property": "n_clicks", "value": 1}],
                    "state": [{"id": ids.EXPLORER_URL, "property": "search",
                               "value": "?indicator=cdc_synthetic_opioid_deaths_12m"}],
                    "changedPropIds": [f"{ids.MAP_SUMMARY}.n_clicks"]}
        response = client.post("/_dash-update-component", data=json.dumps(unfolded), content_type="application/json")
        assert response.status_code == 200 and ids.MAP_GRAPH in response.get_data(as_text=True)
        with store.connect() as conn:
            maps = conn.execute(select(func.count()).select_from(DerivedResult)
                                .where(DerivedResult.name.like("map:%"))).scalar()
        assert maps == 0
    finally:
        reader.dispose()
        if role:
            admin(store.url.render_as_string(hide_password=False), f'DROP OWNED BY "{role}"')
            admin(server_url(), f'DROP ROLE "{role}"')


def test_a_writable_start_on_a_store_that_became_read_only_still_serves(prepared_store, caplog):
    """A worker restarted during a disk or permission incident (VERIFICA_READ_ONLY unset): the
    start writes nothing when nothing changed, and when it must write and cannot, it says so in
    the log and serves the store as it is instead of failing to start."""
    from dashboard.app_factory import create_app
    from etl import timeline

    store = prepared_store  # as the refresh job leaves it
    reader, role = read_only(store)
    try:
        client = create_app(engine=reader).server.test_client()  # nothing changed: no write needed
        assert client.get("/api/health").status_code == 200
        assert "could not be prepared" not in caplog.text  # it did not even try to write
        events = timeline.read_timeline()
        changed = [{**events[0], "id": f"{events[0]['id']}-edited"}, *events[1:]]
        original = timeline.read_timeline
        timeline.read_timeline = lambda *a, **k: changed  # the curated timeline changed: a write is due
        try:
            client = create_app(engine=reader).server.test_client()
        finally:
            timeline.read_timeline = original
        assert "could not be prepared" in caplog.text
        assert client.get("/api/health").status_code == 200
        assert client.get("/").status_code == 200
    finally:
        reader.dispose()
        if role:
            admin(store.url.render_as_string(hide_password=False), f'DROP OWNED BY "{role}"')
            admin(server_url(), f'DROP ROLE "{role}"')
