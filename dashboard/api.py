"""Machine-readable twins of every view: indicator metadata, series as CSV/JSON, events, status."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Mapping

import pandas as pd
from flask import Blueprint, Response, jsonify, request
from sqlalchemy.exc import SQLAlchemyError

from dashboard import brief, downloads, exports, links, queries
from dashboard.i18n import lang_query, normalise_lang, pick, t
from indicators import explain, precompute, service
from indicators.assessment import Assessment
from indicators.catalogue import SOURCE_IDS, load_origin
from indicators.claims import select as select_claims
from indicators.claims import summary as claims_summary
from indicators.claims import table as claims_table
from indicators.commitments import select as select_commitments
from indicators.commitments import summary as commitments_summary
from indicators.commitments import table as commitments_table
from indicators.explain import effect_unit
from indicators.registry import INDICATORS, UnknownIndicator, get_indicator
from indicators.scorecard import NotAssessable
from indicators.series import NotAvailable
from indicators.service import failing_sources, recent_runs

api = Blueprint("api", __name__, url_prefix="/api")
log = logging.getLogger(__name__)


def _error(status: int, message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    return response


@api.errorhandler(UnknownIndicator)
def _unknown_indicator(exc: UnknownIndicator) -> Response:
    return _error(404, f"unknown indicator {exc.args[0]!r}; see /api/indicators")


@api.errorhandler(queries.UnknownEvent)
@api.errorhandler(NotAvailable)
@api.errorhandler(NotAssessable)
def _not_found(exc: Exception) -> Response:
    return _error(404, str(exc))


@api.errorhandler(queries.BadQuery)
def _bad_query(exc: queries.BadQuery) -> Response:
    return _error(400, str(exc))


@api.errorhandler(exports.ExportUnavailable)
def _no_export(exc: exports.ExportUnavailable) -> Response:
    return _error(503, str(exc))


@api.errorhandler(SQLAlchemyError)
def _store_down(_exc: SQLAlchemyError) -> Response:
    """The store unreachable (down, restarting, refused): a JSON 503 a client can retry on, never
    an HTML 500; the details go to the log only."""
    log.exception("an API request could not read the store")
    response = _error(503, "the store cannot be read; try again shortly")
    response.headers["Retry-After"] = "30"
    return response


DATA_FORMATS = ("csv", "json", "xlsx", "zip")


def _args() -> dict[str, str]:
    """The request's parameters; a repeated one counts by its last value, as the page reads it."""
    return {key: values[-1] for key, values in request.args.lists()}


def whole_by_default(params: Mapping[str, str]) -> dict[str, str]:
    """A data download (CSV, JSON, XLSX, ZIP) without ``from`` is the whole series: the explorer's
    display window (from 2024) is for the chart, not for "the data"."""
    return {**params} if "from" in params else {**params, "from": ""}


@api.get("/indicators")
def indicators_index() -> Response:
    items = []
    for spec in INDICATORS.values():
        meta = spec.to_json()
        meta["geos"] = queries.geos_for(spec.id) if spec.status == "available" else []
        meta["source"] = queries.source_card(spec.source_id)
        meta["links"] = {"csv": f"/api/indicators/{spec.id}.csv", "json": f"/api/indicators/{spec.id}.json"}
        items.append(meta)
    return jsonify({"indicators": items})


@api.get("/indicators/<indicator_id>.metadata.json")
def indicator_metadata(indicator_id: str) -> Response:
    """How to cite the data URL beside it (same parameters): citation, "cite this", unit, query,
    every vintage with its full sha256, the dated view, notes, and the data URLs."""
    state = downloads.view_state(indicator_id, whole_by_default(_args()), downloads.EXPORT_PARAMS)
    _view, _table, meta = downloads.data_bundle(state, links.base_url())
    return jsonify(meta)


@api.get("/indicators/<indicator_id>.<fmt>")
def indicator_series(indicator_id: str, fmt: str) -> Response:
    if fmt not in exports.FORMATS and fmt not in DATA_FORMATS:
        return _error(404, f"unknown format {fmt!r}; use .csv, .json, .xlsx, .zip, .png, .svg or .pdf")
    if fmt == "json":
        state = downloads.view_state(indicator_id, whole_by_default(_args()), downloads.EXPORT_PARAMS)
        _view, table, meta = downloads.data_bundle(state, links.base_url())
        return jsonify({**meta, "data": json.loads(table.to_json(orient="records"))})
    params = _args() if fmt in exports.FORMATS else whole_by_default(_args())
    content, mimetype, filename, meta = downloads.export_file(indicator_id, fmt, params, links.base_url())
    response = Response(content, mimetype=mimetype)
    if fmt == "csv":
        # Built from the parsed view (never the raw query string), like every address it gives.
        response.headers["Link"] = f'<{meta["data"]["metadata.json"]}>; rel="describedby"; type="application/json"'
        citation = downloads.inert_line(meta["citation"])
        response.headers["X-Verifica-Citation"] = citation.encode("ascii", "replace").decode()
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@api.get("/verify")
def verify_json() -> Response:
    args = request.args
    unknown = set(args) - {"indicator", "event", "geo", "method", "as_of"}
    if unknown:
        return _error(400, f"unknown parameter(s): {', '.join(sorted(unknown))}")
    if not args.get("indicator") or not args.get("event"):
        return _error(400, "indicator= and event= are required")
    spec = get_indicator(args["indicator"])  # an unknown indicator: 400 (callback_guard)
    geo = args.get("geo")
    if geo and spec.status == "available" and geo not in queries.geos_for(spec.id):
        return _error(400, f"unknown geography {geo!r} for {spec.id}")
    result = queries.assessment(args["indicator"], args["event"], geo=args.get("geo") or None,
                                method=args.get("method") or "auto",
                                as_of=queries.parse_date(args.get("as_of"), "as_of"))
    body = {**result.to_json(), **assessment_words(result)}
    body.update({"indicator": args["indicator"], "event": args["event"],
                 "geo": args.get("geo") or INDICATORS[args["indicator"]].default_geo})
    return jsonify(body)


COMPUTING_RETRY_S = 10  # Retry-After of a past date's scorecard still being computed


def _computing(as_of) -> Response:
    """202: the scorecard for this past date is being computed in the background; ask again."""
    response = jsonify({"status": "computing", "as_of": as_of.isoformat(), "retry_after": COMPUTING_RETRY_S,
                        "message": f"the scorecard as known on {as_of} is being computed; "
                                   f"ask again in {COMPUTING_RETRY_S} s"})
    response.status_code = 202
    response.headers["Retry-After"] = str(COMPUTING_RETRY_S)
    return response


def _grid_or_answer(as_of) -> dict | Response:
    """The scorecard, or the answer to give instead: 202 while a past date is computed, 500 (one
    line saying why) when its computation failed."""
    try:
        grid = queries.scorecard_grid(as_of)
    except precompute.PastScorecardFailed as exc:
        return _error(500, str(exc))
    return _computing(min(as_of, dt.date.today())) if grid is None else grid


@api.get("/scorecard.json")
def scorecard_json() -> Response:
    grid = _grid_or_answer(queries.parse_date(request.args.get("as_of"), "as_of"))
    return grid if isinstance(grid, Response) else jsonify(worded_grid(grid))


def assessment_words(result: Assessment) -> dict:
    """The words an assessment's JSON carries beside its codes and numbers (the engine and the
    stored grid have none): the sentence and the notes, in English and in Spanish."""
    return {"explanation": explain.sentence(result, "en"), "explanation_es": explain.sentence(result, "es"),
            "notes": explain.notes(result, "en"), "notes_es": explain.notes(result, "es")}


def worded_grid(grid: dict) -> dict:
    """The scorecard with every tested cell's words (:func:`assessment_words`); the grid given,
    which a cache may hold, is left as it is."""
    def worded(cell: dict) -> dict:
        return cell if cell["verdict"] == "no_data" else {**cell, **assessment_words(Assessment.from_json(cell))}
    rows = [{**row, "cells": {key: worded(cell) for key, cell in row["cells"].items()}} for row in grid["rows"]]
    return {**grid, "rows": rows}


SCORECARD_CSV_COLUMNS = ["event_id", "event_date", "event_title", "indicator", "geo", "verdict", "method",
                         "effect", "ci_low", "ci_high", "unit", "mde", "q_value", "expected_direction",
                         "data_through", "checkable_from"]


@api.get("/scorecard.csv")
def scorecard_csv() -> Response:
    """The scorecard's CSV twin: one row per commitment × indicator cell, with its unit, and the
    grid's as-of date, test count and key in ``/api/scorecard.metadata.json`` beside it."""
    grid = _grid_or_answer(queries.parse_date(request.args.get("as_of"), "as_of"))
    if isinstance(grid, Response):
        return grid
    rows = []
    for row in grid["rows"]:
        for indicator, cell in row["cells"].items():
            rows.append({
                "event_id": row["event"]["id"], "event_date": row["event"]["date"],
                "event_title": pick(row["event"]["title"], "en"), "indicator": indicator,
                "geo": cell.get("geo"), "verdict": cell["verdict"], "method": cell.get("method"),
                "effect": cell.get("effect"), "ci_low": cell.get("ci_low"), "ci_high": cell.get("ci_high"),
                "unit": effect_unit(cell.get("unit"), cell.get("semantics", "monthly"), "en"),
                "mde": cell.get("mde"), "q_value": cell.get("q_value"),
                "expected_direction": cell.get("expected_direction"), "data_through": cell.get("data_through"),
                "checkable_from": cell.get("checkable_from"),
            })
    table = queries.inert_frame(pd.DataFrame(rows, columns=SCORECARD_CSV_COLUMNS))
    response = Response(table.to_csv(index=False), mimetype="text/csv")  # a plain table
    as_of = queries.parse_date(request.args.get("as_of"), "as_of")
    described = f"{links.base_url().rstrip('/')}/api/scorecard.metadata.json" + (f"?as_of={as_of}" if as_of else "")
    response.headers["Link"] = f'<{described}>; rel="describedby"; type="application/json"'
    response.headers["Content-Disposition"] = 'attachment; filename="verifica_scorecard.csv"'
    return response


@api.get("/scorecard.metadata.json")
def scorecard_metadata() -> Response:
    """What the scorecard CSV beside it (same ``as_of``) is: the date the data are as known on,
    how many tests and how many would look significant by chance, its key, how to cite it."""
    as_of = queries.parse_date(request.args.get("as_of"), "as_of")
    grid = _grid_or_answer(as_of)
    if isinstance(grid, Response):
        return grid
    day = grid["as_of"] or dt.date.today().isoformat()
    lang = normalise_lang(request.args.get("lang"))
    base = links.base_url().rstrip("/")
    view = f"{base}/scorecard?as_of={day}" + lang_query(lang, "&")
    return jsonify({
        "as_of": grid["as_of"], "generated": dt.date.today().isoformat(), "key": grid["key"],
        "tests": grid["tests"], "alpha": grid["alpha"], "expected_by_chance": grid["expected_by_chance"],
        "note": t("multiple_tests", lang, n=str(grid["tests"]), level=str(round(grid["alpha"] * 100)),
                  k=f"{grid['expected_by_chance']:.1f}"),
        "columns": SCORECARD_CSV_COLUMNS, "view": view,
        "cite": t("cite_scorecard", lang, day=day, url=view),
        "data": f"{base}/api/scorecard.csv?as_of={day}",
    })


CLAIMS_PARAMS = ("as_of", "status", "claimant", "q", "sort", "order", "lang")


def _claims_selected() -> list[dict]:
    """The claims the query asks for (``status``, ``claimant``, ``q``, ``sort``, ``order`` as on the
    claims page); a value it cannot use is a 400 that names the choices."""
    args = request.args
    unknown = set(args) - set(CLAIMS_PARAMS)
    if unknown:
        raise queries.BadQuery(f"unknown parameter(s): {', '.join(sorted(unknown))}; use {', '.join(CLAIMS_PARAMS)}")
    order = args.get("order") or None
    if order not in (None, "asc", "desc"):
        raise queries.BadQuery("order must be asc or desc (empty: the sort's own direction)")
    if len(args.get("q") or "") > 200:
        raise queries.BadQuery("q is longer than 200 characters")
    items = queries.claims(queries.parse_date(args.get("as_of"), "as_of"))
    claimant = args.get("claimant") or None
    if claimant and claimant not in {item["claimant"] for item in items}:
        raise queries.BadQuery(f"unknown claimant {claimant[:80]!r}; use one of: "
                               + "; ".join(sorted({item["claimant"] for item in items})))
    try:
        return select_claims(items, status=args.get("status") or None, claimant=claimant, q=args.get("q"),
                             sort=args.get("sort") or "stated_on",
                             descending=None if order is None else order == "desc",
                             lang=normalise_lang(args.get("lang")))
    except ValueError as exc:
        raise queries.BadQuery(str(exc)) from None


@api.get("/claims.json")
def claims_json() -> Response:
    """Every official claim (or those the query selects): what was said, the independent value,
    its source and vintage, the status."""
    items = _claims_selected()
    return jsonify({**claims_summary(items), "items": items})


@api.get("/claims.csv")
def claims_csv() -> Response:
    """The claims page's table as a plain CSV, the same selection as the page's address."""
    body = queries.inert_frame(claims_table(_claims_selected())).to_csv(index=False)
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="verifica_claims.csv"'})


COMMITMENTS_PARAMS = ("as_of", "party", "status", "indicator", "lang")


def _commitments_selected() -> list[dict] | Response:
    """The commitments the query asks for (``party``, ``status``, ``indicator`` as on the page) as
    known on ``as_of``, or the answer to give instead: 202 while that date's scorecard is computed,
    500 (one line) when its computation failed. A bad value is a 400."""
    args = request.args
    unknown = set(args) - set(COMMITMENTS_PARAMS)
    if unknown:
        raise queries.BadQuery(f"unknown parameter(s): {', '.join(sorted(unknown))}; "
                               f"use {', '.join(COMMITMENTS_PARAMS)}")
    as_of = queries.parse_date(args.get("as_of"), "as_of")
    try:
        items = queries.commitments(as_of)
    except precompute.PastScorecardFailed as exc:
        return _error(500, str(exc))
    if items is None:
        return _computing(min(as_of, dt.date.today()))
    try:
        return select_commitments(items, party=args.get("party") or None, status=args.get("status") or None,
                                  indicator=args.get("indicator") or None)
    except ValueError as exc:
        raise queries.BadQuery(str(exc)) from None


@api.get("/commitments.json")
def commitments_json() -> Response:
    """Every commitment (or those the query selects) with its status as known on ``as_of`` (default:
    today), the verdicts it rests on and the roll-up rule's name; 202 while a past date is computed."""
    items = _commitments_selected()
    if isinstance(items, Response):
        return items
    as_of = queries.parse_date(request.args.get("as_of"), "as_of")
    return jsonify({**commitments_summary(items), "as_of": (as_of or dt.date.today()).isoformat(),
                    "rule": "README.md#how-a-commitments-status-is-decided", "items": items})


@api.get("/commitments.csv")
def commitments_csv() -> Response:
    """The commitments page's table as a plain CSV, the same selection as the page's address."""
    items = _commitments_selected()
    if isinstance(items, Response):
        return items
    body = queries.inert_frame(commitments_table(items)).to_csv(index=False)
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="verifica_commitments.csv"'})


BRIEF_PARAMS = ("as_of", "lang", "paper", "charts")


@api.get("/brief.pdf")
def brief_pdf() -> Response:
    """The briefing pack as known on ``as_of`` (default today) in ``lang``, on A4 or US letter
    (``paper``); 202 while a scorecard it needs is computed, 503 when it cannot be drawn here."""

    args = request.args
    unknown = set(args) - set(BRIEF_PARAMS)
    if unknown:
        raise queries.BadQuery(f"unknown parameter(s): {', '.join(sorted(unknown))}; use {', '.join(BRIEF_PARAMS)}")
    as_of = min(queries.parse_date(args.get("as_of"), "as_of") or dt.date.today(), dt.date.today())
    lang, paper = normalise_lang(args.get("lang")), args.get("paper") or "a4"
    if paper not in brief.PAPERS:
        raise queries.BadQuery(f"paper must be one of {', '.join(brief.PAPERS)}")
    charts_text = args.get("charts") or str(brief.MAX_CHARTS)
    if not charts_text.isdigit() or int(charts_text) > brief.MAX_CHARTS:
        raise queries.BadQuery(f"charts must be a whole number from 0 to {brief.MAX_CHARTS}")
    charts = int(charts_text)
    try:
        key = queries.cache_key("brief", as_of, lang, paper, charts, links.base_url(), timeline=True, daily=True)
        pdf = queries.cached(key, lambda: brief.brief_pdf(as_of, lang, paper, charts=charts))
    except brief.BriefNotReady:
        return _computing(as_of)
    except brief.BriefUnavailable as exc:
        return _error(503, str(exc))
    except precompute.PastScorecardFailed as exc:
        return _error(500, str(exc))
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="verifica_brief_{as_of}_{lang}.pdf"'})


@api.get("/events.json")
def events_json() -> Response:
    lang = request.args.get("lang")
    items = queries.events()
    if lang:
        lang = normalise_lang(lang)
        items = [_localise(item, lang) for item in items]
    return jsonify({"events": items})


def _localise(item: dict, lang: str) -> dict:
    out = dict(item)
    for key in ("title", "summary", "verifiability"):
        if isinstance(out.get(key), dict):
            out[key] = out[key].get(lang) or out[key].get("en")
    return out


@api.route("/<path:unknown>")
def unknown_api_path(unknown: str) -> Response:
    return _error(404, "unknown API path; see /api/indicators, /api/scorecard.json, /api/claims.json, "
                       "/api/commitments.json, /api/changes.json, /api/changes.atom, /api/events.json, "
                       "/api/status.json, /api/health")


@api.get("/health")
def health() -> Response:
    """For a load balancer or a process supervisor: 200 when this process can read a prepared
    store, 503 when it cannot or the store holds no data or no timeline. ``store_version``
    changes with every publish (two processes that agree on it serve the same data)."""
    try:
        version = queries.store_version(queries.engine())
        missing = service.unprepared(queries.engine())
    except Exception:  # any failure to reach the store means "not serving"
        log.exception("health check: the store cannot be read")
        return _error(503, "the store cannot be read")
    if missing:  # a store nobody prepared serves an empty dashboard: not healthy
        return _error(503, f"{missing}: prepare it (python -m etl build, or start the app once)")
    return jsonify({"status": "ok", "store_version": version})


@api.get("/status.json")
def status_json() -> Response:
    db = queries.engine()

    def run_json(run):
        # Public: what happened and when, never the message (file contents, paths): operators
        # read it with `python -m etl status`.
        return {"source_id": run.source_id, "kind": run.kind, "outcome": run.outcome,
                "started_at": run.started_at.isoformat(), "vintage_id": run.vintage_id}

    return jsonify({
        "failing": [run_json(r) for r in failing_sources(db)],
        # Live sources whose next release is late (a publisher that stopped, or a refresh that never ran).
        "overdue": [{"source_id": source_id, **late, "operator_hint": links.operator_hint(source_id)}
                    for source_id, late in sorted(queries.overdue().items())],
        "recent_runs": [run_json(r) for r in recent_runs(db, limit=20)],
        # Series their publisher closed (origin file): a refresh records 'closed', never overdue once complete.
        "closed": [{"source_id": source_id, "through": closed["through"], "successor": closed["successor"]}
                   for source_id in SOURCE_IDS if (closed := load_origin(source_id).get("closed"))],
    })
