"""The overview page: the last meeting's linked indicators before and after it (numbers from the
store), and each source's newest data, release and next due date (from the store and the origin
files). Everything compared is derived, nothing typed here."""

from __future__ import annotations

import datetime as dt
import json
import re

from dashboard.pages.overview import last_meeting
from etl.store import freshness, list_sources
from etl.timeline import read_timeline
from tests.helpers import render


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


def test_a_reader_picks_the_meeting_and_its_change_column_is_filled(app, snapshot_store):
    """Any meeting, statement or commitment can be picked (``?meeting=``): its indicators are
    compared, and every one with data published for after it has its change."""
    from dashboard.pages.overview import pickable
    from indicators.series import read_series

    events = [{**e, "date": str(e["date"])} for e in read_timeline()]
    default = last_meeting(events, dt.date.today())
    choices = [e for e in pickable(events, dt.date.today()) if e["id"] != default["id"] and e.get("indicators")]
    assert choices
    chosen = choices[0]
    layout, _title = render(app, "/overview", f"?meeting={chosen['id']}&lang=es")
    text = json.dumps(layout, ensure_ascii=False)
    assert chosen["title"]["es"] in text and default["title"]["es"] not in text.split("overview-changes")[1]
    options = [json.loads("{" + props + "}") for props in re.findall(r'"props": \{([^{}]*)\}, "type": "Option"', text)]
    assert [o["value"] for o in options if o.get("selected")] == [chosen["id"]]  # the picker shows the choice
    month = dt.date.fromisoformat(chosen["date"]).replace(day=1)
    filled = 0
    for link in chosen["indicators"]:
        frame = read_series(snapshot_store, link["indicator"])
        if "end_year" in frame or frame.empty:
            continue
        if (frame["period"] >= str(month)).any() and (frame["period"] < str(month)).any():
            filled += 1
    cells = [row["props"]["children"] for row in _rows(layout)]
    changes = [cells_ for cells_ in cells if len(cells_) == 4 and "%" in str(cells_[3]["props"]["children"])]
    assert len(changes) == filled > 0
    # An address naming no known event falls back to the last meeting.
    layout, _title = render(app, "/overview", "?meeting=no-such-event")
    assert default["title"]["en"] in json.dumps(layout, ensure_ascii=False)


def _rows(node) -> list[dict]:
    """The rows of the changes table in a rendered layout."""
    found = []

    def walk(item, inside=False):
        if isinstance(item, list):
            for child in item:
                walk(child, inside)
        elif isinstance(item, dict):
            props = item.get("props", {})
            here = inside or props.get("id") == "overview-changes"
            if here and item.get("type") == "Tr" and props.get("children") and isinstance(props["children"], list) \
                    and item.get("namespace") == "dash_html_components" and _is_body_row(props["children"]):
                found.append(item)
            walk(props.get("children"), here)
    walk(node)
    return found


def _is_body_row(cells) -> bool:
    return all(isinstance(c, dict) and c.get("type") == "Td" for c in cells)
