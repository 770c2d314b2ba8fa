"""One explorer state: parsed from an address in one place, written back to one canonical address,
used by the page, its callback, the exports and every page that links into the explorer.

The state is a plain value: what the store offers is handed to ``ExplorerState.parse`` as a
``ViewChoices``, so most tests here need no store and no app; those of the page, its callback and
the API read the snapshot store through the data door."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from urllib.parse import parse_qsl, urlsplit

import pytest

from dashboard import queries
from dashboard.pages import explorer
from dashboard.state import PARAMS, ExplorerState
from etl.timeline import EVENT_TYPES, read_timeline
from indicators.registry import available_indicators
from indicators.service import ViewChoices
from indicators.transforms import TRANSFORMS

EVENTS = read_timeline()
# What a store might offer, written here: each indicator's own default geography and one more
# (a made-up code), every curated event, and a population for every one of those geographies.
SECOND_GEO = "X1"
CHOICES = ViewChoices(geos={spec.id: (spec.default_geo, SECOND_GEO) for spec in available_indicators()},
                      events=frozenset(e["id"] for e in EVENTS),
                      population=frozenset({SECOND_GEO, *(spec.default_geo for spec in available_indicators())}))


def store_choices(app) -> ViewChoices:
    """What the snapshot store offers every available indicator, read by the data door."""
    with app.server.app_context():
        return queries.view_choices(*(spec.id for spec in available_indicators()))


def states(choices: ViewChoices) -> list[ExplorerState]:
    """A state per available indicator, each with a different mix of the parameters (every
    transform its view can take, an event linked to it, a second geography when it has one)."""
    out = []
    for n, spec in enumerate(available_indicators()):
        geos = choices.geos[spec.id]
        linked = [e["id"] for e in EVENTS if any(i["indicator"] == spec.id for i in e.get("indicators") or [])]
        base = ExplorerState(spec.id, geo=geos[n % len(geos)], start=dt.date(2022, 1 + n % 12, 1))
        for transform in TRANSFORMS:
            if base.transform_unavailable(transform, choices.population) is None:
                out.append(base.with_(
                    transform=transform, log=transform in ("level", "per100k") and n % 2 == 0,
                    event=linked[0] if linked else None, base=linked[-1] if transform == "index" and linked else None,
                    compare=next((g for g in geos if g != base.geo), None),
                    event_types=tuple(EVENT_TYPES[: 1 + n % len(EVENT_TYPES)]),
                    unconfirmed=n % 3 != 0, all_events=n % 2 == 1, lang=("en", "es")[n % 2],
                    as_of=dt.date(2026, 1, 1) if n % 4 == 0 else None,
                    revision=dt.date(2025, 6, 1) if n % 5 == 0 else None))
    return out


def test_every_state_survives_its_own_address():
    cases = states(CHOICES)
    assert len(cases) >= len(available_indicators())
    for state in cases:
        parsed, problems = ExplorerState.parse(state.search(), CHOICES)
        assert problems == [], (state, problems)
        assert parsed == state
        # The address is canonical: parsing and writing again gives the same text.
        assert parsed.search() == state.search()


def test_a_permalink_names_indicator_geography_and_start_even_when_they_are_defaults():
    params = dict(parse_qsl(ExplorerState().search().lstrip("?"), keep_blank_values=True))
    assert params["indicator"] == "cbp_fentanyl_seizures_swb_lbs" and params["from"] == "2024-01"
    assert ExplorerState(start=None).params()["from"] == ""  # every month, said so
    assert ExplorerState.parse("?from=", CHOICES)[0].start is None


BAD = [
    ("indicator=nope", "indicator"),
    ("geo=ZZ", "geo"),
    ("from=2024-13", "from"),
    ("to=soon", "to"),
    ("from=2025-06&to=2025-01", "from"),
    ("as_of=yesterday", "as_of"),
    ("revision=2025-02-30", "revision"),
    ("events=meeting,party", "events"),
    ("event=not-an-event", "event"),
    ("base=not-an-event", "base"),
    ("method=magic", "method"),
    ("transform=cubic", "transform"),
    ("log=yes", "log"),
    ("compare=ZZ", "compare"),
    ("vs=nope", "vs"),
    ("colour=red", "colour"),
]


@pytest.mark.parametrize(("query", "name"), BAD, ids=[b[0] for b in BAD])
def test_every_bad_parameter_is_named_and_falls_back(query, name):
    state, problems = ExplorerState.parse(query, CHOICES)
    default, _ = ExplorerState.parse("", CHOICES)
    assert len(problems) == 1, problems
    problem = problems[0]
    assert name in problem.english()
    # In both languages, naming the parameter or the value as written.
    value = name if name == "colour" else query.split("&")[0].split("=", 1)[1].split(",")[-1]
    for lang in ("en", "es"):
        assert value in problem.words(lang), (lang, problem.words(lang))
    # The rest of the view is the default one: the bad value changed nothing else.
    assert state == default or query.startswith(("from=2025-06&", "events="))
    if query.startswith("events="):  # the known types in the list are kept
        assert state.event_types == ("meeting",)


def test_every_parameter_has_a_bad_value_case():
    named = {name for _, name in BAD}
    assert set(PARAMS) - {"lang", "unconfirmed", "all_events"} <= named


def test_a_transform_a_view_cannot_take_is_refused_with_the_reason():
    annual = next(s.id for s in available_indicators() if s.semantics == "annual")
    state, problems = ExplorerState.parse(f"indicator={annual}&transform=yoy", CHOICES)
    assert state.transform == "level" and problems[0].code == "transform"
    assert "yearly figures" in problems[0].english()


def test_a_rate_per_100k_is_offered_where_the_choices_hold_a_population():
    """The same address, two stores: parsing answers from the choices it is given, nothing else."""
    spec = next(s for s in available_indicators() if s.takes_per_100k and s.semantics != "annual")
    query = f"indicator={spec.id}&geo={SECOND_GEO}&transform=per100k"
    state, problems = ExplorerState.parse(query, CHOICES)
    assert (state.transform, problems) == ("per100k", [])
    state, problems = ExplorerState.parse(query, replace(CHOICES, population=CHOICES.population - {SECOND_GEO}))
    assert state.transform == "level" and "population" in problems[0].english()
    assert state.transform_unavailable("per100k", CHOICES.population) is None


def test_the_api_and_the_page_read_an_address_alike(app):
    """The same bad address: the page names it in a notice, the API refuses it with the same words."""
    client = app.server.test_client()
    for query, name in BAD:
        if name in ("indicator", "colour"):
            continue  # the API's indicator is in its path; its unknown parameters list what it takes
        with app.server.test_request_context():
            [problem] = explorer.read_address(query)[1]
        response = client.get(f"/api/indicators/cbp_fentanyl_seizures_swb_lbs.json?{query}")
        assert response.status_code == 400, query
        assert problem.english() in response.get_json()["error"], query


def test_every_link_into_the_explorer_is_a_canonical_address(app):
    """Scorecard cells, overview rows, timeline events and source cards link to explorer views
    that parse without a problem and are already canonical (one Back leaves them)."""
    import json

    import plotly

    from dashboard.pages import overview, scorecard, sources, timeline

    hrefs = []
    with app.server.test_request_context("/"):
        for page in (scorecard, overview, timeline, sources):
            for lang in ("en", "es"):
                tree = json.dumps(page.layout(lang=lang), cls=plotly.utils.PlotlyJSONEncoder)
                hrefs += [h for h in _hrefs(json.loads(tree)) if h.startswith("/?indicator=")]
        assert len(hrefs) >= len(EVENTS)
        for href in hrefs:
            state, problems = explorer.read_address(urlsplit(href).query)
            assert problems == [], (href, problems)
            assert state.href() == href


def _hrefs(node) -> list[str]:
    if isinstance(node, dict):
        found = [node["props"]["href"]] if isinstance(node.get("props"), dict) and "href" in node["props"] else []
        return found + [h for value in node.values() for h in _hrefs(value)]
    if isinstance(node, list):
        return [h for item in node for h in _hrefs(item)]
    return []


def explorer_post(app, search: str, controls: ExplorerState, changed: str) -> dict:
    """The explorer callback's request, as the browser sends it (built from the callback map)."""
    from dashboard import ids

    [output] = [k for k in app.callback_map if f"{ids.FIGURE}.data" in k]
    declared = app.callback_map[output]
    values = {(cid, prop): value for (_, cid, prop), value in zip(explorer.CONTROLS,
                                                                   explorer.control_values(controls), strict=True)}
    values[(ids.EXPLORER_URL, "search")] = search
    values[(ids.LANG, "data")] = controls.lang
    body = {"output": output,
            "outputs": [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True))
                        for part in output.strip(".").split("...")],
            "inputs": [{**i, "value": values[i["id"], i["property"]]} for i in declared["inputs"]],
            "state": [{**i, "value": values[i["id"], i["property"]]} for i in declared["state"]],
            "changedPropIds": [changed]}
    response = app.server.test_client().post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()["response"]


def test_back_and_forward_set_the_controls_from_the_address_and_write_no_history(app):
    """The address changed (Back, Forward, a link): the controls follow it, and the address is not
    written again (a second history entry would take two Backs to leave)."""
    from dashboard import ids

    shown = ExplorerState()  # what the controls showed before Back
    for state in states(store_choices(app))[:6]:
        out = explorer_post(app, state.search(), shown, f"{ids.EXPLORER_URL}.search")
        assert "search" not in out.get(ids.EXPLORER_URL, {})
        with app.server.app_context():
            expected = explorer.control_values(state)
        got = [out[cid][prop] for _, cid, prop in explorer.CONTROLS]
        assert got == expected, state


def test_a_control_change_writes_the_canonical_address(app):
    from dashboard import ids

    with app.server.app_context():
        state = ExplorerState("cdc_synthetic_opioid_deaths_12m", geo="TX", start=dt.date(2023, 1, 1))
    out = explorer_post(app, "?indicator=cdc_synthetic_opioid_deaths_12m", state, f"{ids.GEO}.value")
    with app.server.app_context():
        assert out[ids.EXPLORER_URL]["search"] == state.search()
    assert "Texas" in out[ids.FIGURE]["data"]["layout"]["title"]["text"]


def test_the_readmes_explorer_links_draw_data(app):
    """Every explorer address the README gives parses without a problem and draws a series
    (an example link once showed an empty chart)."""
    import re
    from pathlib import Path

    from dashboard import views

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    links = re.findall(r"`(/\?indicator=[^`\s]+)`", readme)
    assert links
    with app.server.test_request_context("/"):
        for link in links:
            state, problems = explorer.read_address(urlsplit(link).query)
            assert problems == [], (link, problems)
            view = views.chart_view(state)
            assert not view.frame.empty and view.shown["value"].notna().any(), link


def test_combinations_the_address_cannot_carry_are_dropped_from_the_controls():
    state = ExplorerState("cbp_fentanyl_seizures_swb_lbs", geo="US", transform="yoy", log=True,
                          vs="cbp_fentanyl_seizures_swb_lbs", compare="US",
                          start=dt.date(2025, 6, 1), end=dt.date(2025, 1, 1)).normalised(CHOICES.population)
    assert (state.log, state.vs, state.compare, state.end) == (False, None, None, None)
    assert ExplorerState.parse(state.search(), CHOICES) == (state, [])
    # An end before the default start is refused like one before an explicit start.
    parsed, problems = ExplorerState.parse("to=2023-06", CHOICES)
    assert [p.code for p in problems] == ["range"] and parsed.end is None


def test_the_language_link_keeps_blank_parameters():
    from dashboard.components import toggle_lang

    assert toggle_lang("?indicator=x&from=&events=", "en") == "?indicator=x&from=&events=&lang=es"
