"""Overview page: what the numbers say since the last bilateral meeting (or the meeting, statement or
commitment picked: ``?meeting=<event id>``), how fresh each source
is and when its next release is due. Descriptive on purpose: the scorecard and the explorer hold
the tests; this page says where to look and what cannot be known yet (data lag)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from dash import dcc, html

from dashboard import components, queries
from dashboard.i18n import lang_query, normalise_lang, pick, t
from dashboard.pages.changes import overview_section as changes_section
from dashboard.state import ExplorerState
from indicators.catalogue import load_origin
from indicators.explain import effect_unit, number, percent
from indicators.registry import INDICATORS
from indicators.service import failing_sources, freshness

OVERVIEW = "overview-changes"
PICKER = "overview-meeting"
FRESHNESS = "overview-freshness"
OVERVIEW_COMMITMENTS = "overview-commitments"


PICKABLE = {"meeting", "statement", "commitment"}  # the moments a reader compares the numbers against


def last_meeting(events: list[dict], today: dt.date) -> dict | None:
    meetings = [e for e in events if "meeting" in {e["type"], *e.get("also", [])}
                and e.get("status") != "announced_not_confirmed" and dt.date.fromisoformat(str(e["date"])) <= today]
    return meetings[-1] if meetings else None


def pickable(events: list[dict], today: dt.date) -> list[dict]:
    """Meetings, statements and commitments that happened by today, newest first."""
    return sorted((e for e in events if PICKABLE & {e["type"], *e.get("also", [])}
                   and e.get("status") != "announced_not_confirmed" and dt.date.fromisoformat(str(e["date"])) <= today),
                  key=lambda e: str(e["date"]), reverse=True)


def meeting_picker(choices: list[dict], chosen: dict, lang: str) -> html.Form:
    """A plain GET form: the chosen meeting is the page's address."""
    options = [(e["id"], f"{e['date']} · {pick(e['title'], lang)}") for e in choices]
    return components.get_form("/overview", lang, [
        components.select_field("meeting", t("overview_pick", lang), options, chosen["id"], f"{PICKER}-select"),
    ], className="claims-filter", id=PICKER)


def _month_before(day: dt.date) -> dt.date:
    first = day.replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


def _change_row(spec, meeting: dict, lang: str) -> html.Tr:
    day = dt.date.fromisoformat(str(meeting["date"]))
    _spec, frame = queries.series_view(queries.SeriesQuery(spec.id, None, _month_before(day) - dt.timedelta(days=400)))
    unit = effect_unit(spec.unit, spec.semantics, lang)
    link = dcc.Link(pick(spec.name, lang), href=ExplorerState(indicator=spec.id, event=meeting["id"], lang=lang).href())
    if not frame.empty and "end_year" in frame:  # yearly figures: is there one for the meeting's year yet?
        newest = int(pd.to_numeric(frame["end_year"], errors="coerce").max())
        if newest < day.year:
            return html.Tr([html.Td(link), html.Td(t("overview_see_explorer", lang)),
                            html.Td(t("overview_not_yet", lang, through=str(newest)), colSpan=2)])
    if frame.empty or "end_year" in frame:
        return html.Tr([html.Td(link), html.Td(t("overview_see_explorer", lang), colSpan=3)])
    series = frame.groupby("period")["value"].sum(min_count=1).dropna()
    before = series[series.index <= str(_month_before(day))]
    after = series[series.index >= str(day.replace(day=1))]
    if before.empty:
        return html.Tr([html.Td(link), html.Td(t("overview_no_before", lang), colSpan=3)])
    base_month, base = before.index[-1], float(before.iloc[-1])
    base_text = f"{number(base, lang)} {unit} ({base_month:%Y-%m})"
    if after.empty:
        return html.Tr([html.Td(link), html.Td(base_text),
                        html.Td(t("overview_not_yet", lang, through=f"{series.index[-1]:%Y-%m}"), colSpan=2)])
    last_month, last = after.index[-1], float(after.iloc[-1])
    change = percent((last - base) / base, lang) if base else "—"
    return html.Tr([html.Td(link), html.Td(base_text), html.Td(f"{number(last, lang)} {unit} ({last_month:%Y-%m})"),
                    html.Td(change)])


def _commitments_of(meeting: dict, lang: str) -> html.Div:
    """The commitments made at the meeting, each with its status as known today (its row on the
    commitments page one click away)."""
    made = [item for item in queries.commitments() or [] if item["event"] == meeting["id"]]
    suffix = lang_query(lang)
    return html.Div(id=OVERVIEW_COMMITMENTS, children=[
        html.H4(t("overview_commitments", lang)),
        html.Ul([html.Li([components.commitment_badge(item["status"], lang), " ",
                          dcc.Link(pick(item["text"], lang), href=f"/commitments{suffix}#commitment-{item['id']}"),
                          f" ({t('commitment_party_' + item['party'], lang)})"]) for item in made])
        if made else html.P(t("overview_no_commitments", lang), className="meta"),
    ])


def layout(lang: str = "en", meeting: str | None = None, **_query: str) -> html.Div:
    lang = normalise_lang(lang)
    today = dt.date.today()
    events = queries.events()
    choices = pickable(events, today)
    chosen_id = meeting
    meeting = next((e for e in choices if e["id"] == chosen_id), None) or last_meeting(events, today)
    failing = {run.source_id for run in failing_sources(queries.engine())}
    changes = []
    if meeting is not None:
        # The meeting's own indicators; if it names none, every indicator the timeline links to.
        named = [link["indicator"] for link in meeting.get("indicators") or []] or sorted(
            {link["indicator"] for e in events for link in e.get("indicators") or []})
        linked = [INDICATORS[i] for i in dict.fromkeys(named)
                  if i in INDICATORS and INDICATORS[i].status == "available"]
        changes = [meeting_picker(choices, meeting, lang),
                   html.H3([f"{meeting['date']} · ", pick(meeting["title"], lang)]),
                   _commitments_of(meeting, lang),
                   html.P(t("overview_changes_intro", lang)),
                   html.Div(className="table-scroll", children=html.Table(id=OVERVIEW, className="overview", children=[
                       html.Thead(html.Tr([html.Th(t(k, lang)) for k in (
                           "indicator", "overview_before", "overview_latest", "overview_change")])),
                       html.Tbody([_change_row(spec, meeting, lang) for spec in linked]),
                   ])) if linked else html.P(t("timeline_no_indicator", lang))]
    rows = []
    for item in freshness(queries.engine()):
        origin = load_origin(item.source_id)
        due = item.next_due
        state = ("overview_failing" if item.source_id in failing else
                 "overview_import_only" if due and not origin.get("hosts") else
                 "overview_overdue" if due and today > due + dt.timedelta(days=31) else
                 "overview_on_time" if due else "overview_static")
        rows.append(html.Tr([
            html.Td(components.origin_text(origin, "title", lang)),
            html.Td(f"{item.data_through:%Y-%m}" if item.data_through else "—"),
            html.Td(str(item.latest_release) if item.latest_release else "—"),
            html.Td(str(due) if due else "—"),
            html.Td(t(state, lang), className=state),
        ]))
    query = components.query_string({"meeting": chosen_id if meeting and chosen_id == meeting["id"] else None,
                                     "lang": lang if lang != "en" else None})
    return components.page_frame(
        "overview_title", lang, "/overview", query,
        *changes,
        *changes_section(lang),
        html.H3(t("overview_freshness", lang)),
        html.Div(className="table-scroll", children=html.Table(id=FRESHNESS, className="overview", children=[
            html.Thead(html.Tr([html.Th(t(k, lang)) for k in (
                "source", "data_through", "overview_latest_release", "overview_next_due", "overview_state")])),
            html.Tbody(rows),
        ])),
    )
