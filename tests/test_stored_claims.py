"""The claims' checks are stored at publish (a hook), read by the first request after it, and
stored again only when what they read has changed."""

from __future__ import annotations

from etl.store import list_vintages, read_events, withdraw
from indicators import claims, stored_claims


def test_the_checks_stored_at_publish_are_what_the_api_serves(snapshot_copy, monkeypatch):
    from dashboard.app_factory import create_app

    store = snapshot_copy
    assert stored_claims.refresh_claims(store) is True
    assert stored_claims.refresh_claims(store) is False  # stored already: nothing checked again
    events = read_events(store)
    stored = stored_claims.stored_claims(store, events)
    assert stored and all(item["status"] for item in stored)

    # The first request reads them: it never checks a claim itself.
    def refuse(*_args, **_kwargs):
        raise AssertionError("the claims were checked again")
    monkeypatch.setattr(claims, "check_claims", refuse)
    app = create_app(engine=store, prepare_store=False)
    served = app.server.test_client().get("/api/claims.json")
    assert served.status_code == 200
    assert sorted(item["id"] for item in served.get_json()["items"]) == sorted(item["id"] for item in stored)

    # A publish of a source the checks read moves the key: nothing stored for it yet.
    source = next(s for s in claims.sources() if list_vintages(store, s))
    withdraw(store, list_vintages(store, source)[-1].id, "test: a publish")
    assert stored_claims.stored_claims(store, events) is None
