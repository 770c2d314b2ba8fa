"""The overview page: the last meeting's linked indicators before and after it (numbers from the
store), and each source's newest data, release and next due date (from the store and the origin
files). Everything compared is derived, nothing typed here."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from dashboard.app_factory import create_app
from dashboard.pages.overview import last_meeting
from etl.store import freshness, list_sources
from etl.timeline import read_timeline
from tests.test_spanish_pages import render


@pytest.fixture(scope="module")
def app(request):
    app = create_app(engine=request.getfixturevalue("snapshot_store"))
    app.server.test_client().get("/")
    return app


def test_the_last_meeting_and_its_indicators_are_shown(app):
    events = [{**e, "date": str(e["date"])} for e in read_timeline()]
    meeting = last_meeting(events, dt.date.today())
    assert meeting is not None and "meeting" in {meeting["type"], *meeting.get("also", [])}
    layout, _title = render(app, "/overview", "")
    text = json.dumps(layout, ensure_ascii=False)
    assert meeting["title"]["en"] in text
    named = [link["indicator"] for link in meeting.get("indicators") or []] or sorted(
        {link["indicator"] for e in events for link in e.get("indicators") or []})
    assert named
    for indicator in named:  # each links the explorer with the meeting tested
        assert f"/?indicator={indicator}&from=2024-01&event={meeting['id']}" in text


def test_every_source_has_a_freshness_row(app, snapshot_store):
    rows = freshness(snapshot_store)
    assert {r.source_id for r in rows} == {s.id for s in list_sources(snapshot_store)}
    layout, _title = render(app, "/overview", "?lang=es")
    text = json.dumps(layout, ensure_ascii=False)
    for row in rows:
        if row.data_through:
            assert f"{row.data_through:%Y-%m}" in text
        if row.next_due:
            assert str(row.next_due) in text
    monthly = [r for r in rows if r.next_due]
    assert monthly and all(r.next_due > r.data_through for r in monthly)
