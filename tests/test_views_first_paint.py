"""A new view's answer: the chart as plain JSON that plotly accepts, and neither the table's rows
nor the state map in it (they come when the reader unfolds them, from their own callbacks)."""

from __future__ import annotations

import json

import plotly.graph_objects as go
import pytest

from dashboard import components, ids, queries, views
from dashboard.pages import explorer
from dashboard.response_cache import HEADER
from dashboard.state import ExplorerState
from indicators.registry import available_indicators

STATES = "cdc_synthetic_opioid_deaths_12m"  # published for every state: it has a map
ENDPOINT = "/_dash-update-component"


def body(app, output: str, values: dict, changed: str) -> bytes:
    """The request a browser sends for the callback writing ``output`` (its ``callback_map`` key
    contains it): ``values`` by (id, property), every other input and state None."""
    [key] = [k for k in app.callback_map if output in k and "callback" in app.callback_map[k]]
    declared = app.callback_map[key]
    outputs = [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True))
               for part in key.strip(".").split("...")]

    def items(part):
        return [{**i, "value": values.get((i["id"], i["property"]))} for i in declared[part]]

    return json.dumps({"output": key, "outputs": outputs if key.startswith("..") else outputs[0],
                       "inputs": items("inputs"), "state": items("state"), "changedPropIds": [changed]}).encode()


def post(client, data: bytes):
    return client.post(ENDPOINT, data=data, content_type="application/json")


def page_load(app, search: str) -> bytes:
    return body(app, f"{ids.FIGURE}.data", {(ids.EXPLORER_URL, "search"): search, (ids.LANG, "data"): "en"},
                f"{ids.EXPLORER_URL}.search")


def states() -> list[ExplorerState]:
    """Views of each kind the figure code draws differently, chosen from the registry (a tested
    event's windows and band: tests/test_accessibility.py, through ``view.figure``)."""
    specs = available_indicators()
    breakdown = next(s for s in specs if s.breakdown and s.semantics != "annual")
    annual = next(s for s in specs if s.semantics == "annual")
    return [
        ExplorerState(breakdown.id),
        ExplorerState(annual.id),
        ExplorerState(STATES, geo="AZ", compare="TX", vs="cbp_fentanyl_seizures_swb_lbs", transform="index"),
        ExplorerState(STATES, geo="AZ", transform="yoy"),
        ExplorerState(STATES, log=True),
    ]


@pytest.mark.parametrize("state", states(), ids=lambda s: f"{s.indicator}-{s.transform}")
def test_the_chart_is_plain_json_that_plotly_accepts(snapshot_app, state):
    with snapshot_app.server.test_request_context("/"):
        view = views.chart_view(state)
    chart = view.chart
    # Nothing but JSON's own types (no arrays, timestamps or plotly objects): sent as it is.
    assert json.loads(json.dumps(chart)) == chart
    # Every property one plotly knows, with a valid value (go.Figure checks each and raises).
    figure = go.Figure(chart)
    assert figure.layout.title.text == chart["layout"]["title"]["text"]
    drawn = [t for t in chart["data"] if t.get("meta") is None and "customdata" in t]  # not the predicted line
    if view.spec.semantics != "annual":
        # The series' lines carry every row shown, month by month.
        assert sum(len(t["x"]) for t in drawn) == len(view.shown)
        assert {x for t in drawn for x in t["x"]} == set(view.shown["period"].dt.strftime("%Y-%m-%d"))
    events = [t for t in chart["data"] if t.get("meta") == "events"]
    assert sum(len(t["x"]) for t in events) == len(view.events)
    assert len([s for s in chart["layout"]["shapes"] if s.get("name", "").startswith("event:")]) == len(view.events)
    for label, rows, _right in view.extra:
        [line] = [t for t in chart["data"] if t.get("meta") == "compare" and t["name"] == label]
        assert len(line["x"]) == len(rows)
    # The figure an export lays out is the same chart.
    assert view.figure.to_plotly_json()["layout"]["title"] == figure.to_plotly_json()["layout"]["title"]


def test_the_first_answer_has_no_table_rows_and_no_map(snapshot_app, client):
    search = f"?indicator={STATES}&geo=AZ"
    answer = post(client, page_load(snapshot_app, search))
    assert answer.status_code == 200
    response = answer.get_json()["response"]
    text = json.dumps(response)
    assert ids.MAP_GRAPH not in text and "Tbody" not in text
    # Folded, with what their summaries say: the rows counted, the map's month named.
    with snapshot_app.server.test_request_context("/"):
        view = views.chart_view(explorer.read_address(search)[0])
    assert str(len(view.table)) in text
    assert ids.TABLE_SUMMARY in json.dumps(response[ids.TABLE]) and ids.MAP_SUMMARY in json.dumps(response[ids.MAP])


def test_unfolding_the_table_and_the_map_asks_for_them(snapshot_app, client):
    search = f"?indicator={STATES}&geo=AZ&transform=per100k"
    with snapshot_app.server.test_request_context("/"):
        view = views.chart_view(explorer.read_address(search)[0])
        queries.cache.clear()
    table = body(snapshot_app, f"{ids.TABLE_BODY}.children",
                 {(ids.TABLE_SUMMARY, "n_clicks"): 1, (ids.EXPLORER_URL, "search"): search},
                 f"{ids.TABLE_SUMMARY}.n_clicks")
    answer = post(client, table)
    assert answer.status_code == 200 and answer.headers[HEADER] == "miss"
    rows = answer.get_json()["response"][ids.TABLE_BODY]["children"]["props"]["children"]["props"]["children"][1]
    assert len(rows["props"]["children"]) == min(len(view.table), components.TABLE_LIMIT)
    again = post(client, table)  # the same view's rows again: from the answer cache
    assert again.headers[HEADER] == "hit" and again.data == answer.data

    shown = body(snapshot_app, f"{ids.MAP_BODY}.children",
                 {(ids.MAP_SUMMARY, "n_clicks"): 1, (ids.EXPLORER_URL, "search"): search},
                 f"{ids.MAP_SUMMARY}.n_clicks")
    answer = post(client, shown)
    assert answer.status_code == 200
    [graph] = [c for c in answer.get_json()["response"][ids.MAP_BODY]["children"] if c["props"].get("id")]
    assert graph["props"]["id"] == ids.MAP_GRAPH
    tiles = {geo for trace in graph["props"]["figure"]["data"] for row in trace.get("customdata") or []
             for geo in row if geo}
    assert "AZ" in tiles and "TX" in tiles
    # Folded again (the summary's second click): nothing to draw.
    closed = body(snapshot_app, f"{ids.MAP_BODY}.children", {(ids.MAP_SUMMARY, "n_clicks"): 2,
                                                              (ids.EXPLORER_URL, "search"): search},
                  f"{ids.MAP_SUMMARY}.n_clicks")
    answer = post(client, closed)
    assert answer.status_code in (200, 204) and ids.MAP_GRAPH not in answer.get_data(as_text=True)


def test_the_context_series_cut_from_the_whole_series_are_the_months_read(snapshot_app, snapshot_store):
    """The displacement panel reads each context series once per place and cuts the view's months
    from it: the same months and values as reading those months."""
    import datetime as dt

    from indicators import context
    from indicators.registry import INDICATORS

    homicides = [spec for spec in INDICATORS.values() if spec.context and spec.status == "available"]
    found = []
    with snapshot_app.server.test_request_context("/"):
        for spec in homicides[:2]:
            for start, end in ((dt.date(2024, 1, 1), dt.date(2025, 6, 1)), (dt.date(2025, 3, 1), None)):
                read = context.changes(snapshot_store, spec, "MX", start, end)
                assert queries.context_changes(spec.id, "MX", start, end) == read
                found += read
    assert found and all(item["months"] for item in found)  # context series with months to compare


def test_a_window_is_cut_from_the_whole_series_read_once(snapshot_app, snapshot_store, monkeypatch):
    """Another window of a series reads nothing again: it is cut from the whole series, with the
    rows a read of its months gives (each month is summed on its own); a by-category series filled
    with zeros and yearly figures are still read for their months."""
    import datetime as dt

    from indicators.series import read_series

    specs = available_indicators()
    cut = [s for s in specs if s.semantics != "annual" and not (s.breakdown and s.zero_fill)]
    kinds = {(bool(s.breakdown), s.zero_fill, s.transform) for s in cut}
    chosen = [next(s for s in cut if (bool(s.breakdown), s.zero_fill, s.transform) == kind) for kind in kinds]
    windows = ((dt.date(2024, 1, 1), None), (dt.date(2021, 6, 1), dt.date(2023, 12, 1)))
    reads = []
    real = queries.read_series
    monkeypatch.setattr(queries, "read_series", lambda db, spec, *a, **k: reads.append(spec.id) or real(db, spec, *a, **k))
    with snapshot_app.server.test_request_context("/"):
        queries.cache.clear()
        for spec in chosen:
            for start, end in windows:
                _, frame = queries.series_view(queries.SeriesQuery(spec.id, None, start, end))
                read = read_series(snapshot_store, spec, None, start=start, end=end)
                assert not read.empty and frame.equals(read) and (frame.dtypes == read.dtypes).all()
    assert sorted(reads) == sorted(spec.id for spec in chosen)  # one read per series, whatever the window
