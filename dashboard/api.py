"""Machine-readable twins of every view: indicator metadata, series as CSV/JSON, events, status."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import urlencode

import pandas as pd
from flask import Blueprint, Response, jsonify, request

from dashboard import exports, queries, views
from dashboard.i18n import normalise_lang, pick
from etl.store import failing_sources, recent_runs
from etl.timeline import EVENT_TYPES
from indicators.claims import summary as claims_summary
from indicators.explain import effect_unit
from indicators.registry import INDICATORS, UnknownIndicator, get_indicator
from indicators.scorecard import NotAssessable
from indicators.series import NotAvailable
from indicators.verification import METHODS

api = Blueprint("api", __name__, url_prefix="/api")


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


SERIES_PARAMS = {"geo", "from", "to", "as_of"}
IMAGE_PARAMS = SERIES_PARAMS | {"event", "method", "events", "unconfirmed", "lang", "all_events"}


def _safe(text: str) -> str:
    """File-name text from a known id: letters, digits, dash and underscore only."""
    return "".join(c for c in text if c.isalnum() or c in "-_")[:40]


def _series_query(indicator_id: str, allowed: set[str] = SERIES_PARAMS) -> queries.SeriesQuery:
    args = request.args
    unknown = set(args) - allowed
    if unknown:
        raise queries.BadQuery(f"unknown parameter(s): {', '.join(sorted(unknown))}; use {', '.join(sorted(allowed))}")
    query = queries.SeriesQuery(
        indicator=indicator_id,
        geo=args.get("geo") or None,
        start=queries.parse_month(args.get("from"), "from"),
        end=queries.parse_month(args.get("to"), "to"),
        as_of=queries.parse_date(args.get("as_of"), "as_of"),
    )
    if query.start and query.end and query.start > query.end:
        raise queries.BadQuery(f"from={args.get('from')} is after to={args.get('to')}")
    spec = get_indicator(indicator_id)
    if query.geo is not None and spec.status == "available" and query.geo not in queries.geos_for(indicator_id):
        raise queries.BadQuery(f"geo={query.geo[:20]!r} has no data for {indicator_id}; see /api/indicators")
    return query


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


DATA_FORMATS = ("csv", "json", "xlsx", "zip")


@api.get("/indicators/<indicator_id>.<fmt>")
def indicator_series(indicator_id: str, fmt: str) -> Response:
    if fmt in exports.FORMATS:
        return _image(indicator_id, fmt)
    if fmt not in DATA_FORMATS:
        return _error(404, f"unknown format {fmt!r}; use .csv, .json, .xlsx, .zip, .png, .svg or .pdf")
    spec, query, table, meta = _data_bundle(indicator_id, IMAGE_PARAMS if fmt == "zip" else SERIES_PARAMS)
    name = f"{spec.id}_{_safe(query.geo or spec.default_geo)}"
    if fmt == "json":
        return jsonify({**meta, "data": json.loads(table.to_json(orient="records"))})
    if fmt == "csv":
        response = Response(_csv_text(spec, table, meta), mimetype="text/csv")
        response.headers["X-Verifica-Citation"] = meta["citation"].encode("ascii", "replace").decode()
    elif fmt == "xlsx":
        response = Response(exports.xlsx_bytes(table, meta), mimetype=exports.XLSX)
    else:
        figure = _image_bytes(indicator_id, "png")
        response = Response(exports.zip_bytes(name, _csv_text(spec, table, meta), meta, figure),
                            mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _data_bundle(indicator_id: str, allowed: set[str]):
    """The table of a view and everything a reader needs to cite it: indicator, query, source,
    citation, vintages (ids, checksums, release dates), the explorer permalink, the date."""
    query = _series_query(indicator_id, allowed)
    spec, frame = queries.series_view(query)
    table = queries.export_frame(spec, frame)
    source = queries.source_card(spec.source_id) or {}
    vintages = queries.vintages_used(frame)
    citation = f"{source.get('citation', spec.source_id)} Vintage(s): " + "; ".join(
        f"{v['file_name']} (published {queries.published_text(v)})" for v in vintages
    )
    meta = {
        "indicator": spec.to_json(),
        "query": {"geo": query.geo or spec.default_geo,
                  "from": query.start.isoformat()[:7] if query.start else None,
                  "to": query.end.isoformat()[:7] if query.end else None,
                  "as_of": query.as_of.isoformat() if query.as_of else None},
        "source": source,
        "citation": citation,
        "vintages": vintages,
        "view": explorer_permalink(spec.id),
        "generated": dt.date.today().isoformat(),
    }
    return spec, query, table, meta


def _csv_text(spec, table, meta: dict) -> str:
    vintages = meta["vintages"]
    lines = [f"# {spec.id}: {pick(spec.name, 'en')} ({pick(spec.unit, 'en')})", f"# Source: {meta['citation']}",
             f"# Vintage ids: {', '.join(str(v['id']) for v in vintages) or '-'}; sha256: "
             f"{', '.join(v['sha256'][:12] for v in vintages) or '-'}",
             f"# View: {meta['view']}",
             "# Read with pandas.read_csv(path, comment='#'); the table starts below."]
    return "\n".join(_inert_line(line) for line in lines) + "\n" + table.to_csv(index=False)


def _inert_line(line: str) -> str:
    """A metadata line can carry source text: never a line a spreadsheet would run (it starts with
    '#', and line breaks inside are flattened)."""
    return line.replace("\r", " ").replace("\n", " ")


def explorer_permalink(indicator_id: str) -> str:
    """The explorer view an export was made from (the image's own parameters are the explorer's):
    the address a reader of the report opens to see it live."""
    params = [("indicator", indicator_id), *((k, v) for k, v in request.args.items(multi=True))]
    return f"{request.host_url}?{urlencode(params, safe=',')}"


def _image(indicator_id: str, fmt: str) -> Response:
    """The explorer's chart as a static image for reports, with citation and data vintage."""
    spec = get_indicator(indicator_id)
    response = Response(_image_bytes(indicator_id, fmt), mimetype=exports.FORMATS[fmt])
    geo = request.args.get("geo") or spec.default_geo
    response.headers["Content-Disposition"] = f'attachment; filename="{spec.id}_{_safe(geo)}.{fmt}"'
    return response


def _image_bytes(indicator_id: str, fmt: str) -> bytes:
    """The rendered image, served from the cache when the same view was exported since the last
    publish (the key holds the store version, the format and every parameter)."""
    db = queries.engine()
    key = repr(("image", str(db.url), queries.store_version(db), queries.timeline_version(), dt.date.today(),
                indicator_id, fmt,
                sorted(request.args.items(multi=True)), request.host_url))
    image = queries.cache.get(key)
    if image is None:
        image = _render_image(indicator_id, fmt)
        queries.cache.set(key, image)
    return image


def _render_image(indicator_id: str, fmt: str) -> bytes:
    args = request.args
    query = _series_query(indicator_id, IMAGE_PARAMS)
    spec = get_indicator(indicator_id)
    if spec.status != "available":
        raise NotAvailable(f"{spec.id} has no data loaded yet (source {spec.source_id})")
    method = args.get("method") or "auto"
    if method not in METHODS:
        raise queries.BadQuery(f"method={method!r}; use one of {', '.join(METHODS)}")
    event_types = args["events"].split(",") if "events" in args else list(EVENT_TYPES)
    lang = normalise_lang(args.get("lang"))
    view = views.chart_view(indicator_id, query.geo, query.start, query.end, query.as_of, event_types,
                            args.get("unconfirmed", "1") == "1", args.get("event"), method, lang,
                            all_events=args.get("all_events") == "1")
    if view.assessment_error:
        raise queries.BadQuery(view.assessment_error)
    image = exports.export_figure(
        spec, view.figure, fmt=fmt, lang=lang, source=queries.source_card(spec.source_id),
        vintages=queries.vintages_used(view.frame), permalink=explorer_permalink(indicator_id),
    )
    return image


@api.get("/verify")
def verify_json() -> Response:
    args = request.args
    unknown = set(args) - {"indicator", "event", "geo", "method", "as_of"}
    if unknown:
        return _error(400, f"unknown parameter(s): {', '.join(sorted(unknown))}")
    if not args.get("indicator") or not args.get("event"):
        return _error(400, "indicator= and event= are required")
    result = queries.assessment(args["indicator"], args["event"], geo=args.get("geo") or None,
                                method=args.get("method") or "auto",
                                as_of=queries.parse_date(args.get("as_of"), "as_of"))
    body = result.to_json()
    body.update({"indicator": args["indicator"], "event": args["event"],
                 "geo": args.get("geo") or INDICATORS[args["indicator"]].default_geo})
    return jsonify(body)


@api.get("/scorecard.json")
def scorecard_json() -> Response:
    return jsonify(queries.scorecard_grid(queries.parse_date(request.args.get("as_of"), "as_of")))


SCORECARD_CSV_COLUMNS = ["event_id", "event_date", "event_title", "indicator", "geo", "verdict", "method",
                         "effect", "ci_low", "ci_high", "unit", "mde", "q_value", "expected_direction",
                         "data_through", "checkable_from"]


@api.get("/scorecard.csv")
def scorecard_csv() -> Response:
    """The scorecard's CSV twin: one row per commitment × indicator cell, with its unit, and the
    grid's as-of date, test count and store key in '#' lines."""
    grid = queries.scorecard_grid(queries.parse_date(request.args.get("as_of"), "as_of"))
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
    lines = [f"# Verifica scorecard, data as known on {grid['as_of'] or 'the latest releases'}",
             f"# {grid['tests']} tests at {round(grid['alpha'] * 100)} %: about {grid['expected_by_chance']:.1f} "
             "would look significant by chance; q_value accounts for it",
             "# Read with pandas.read_csv(path, comment='#')."]
    response = Response("\n".join(lines) + "\n" + table.to_csv(index=False), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="verifica_scorecard.csv"'
    return response


@api.get("/claims.json")
def claims_json() -> Response:
    """Every official claim: what was said, the independent value, its source and vintage, the status."""
    unknown = set(request.args) - {"as_of"}
    if unknown:
        return _error(400, f"unknown parameter(s): {', '.join(sorted(unknown))}; use as_of")
    items = queries.claims(queries.parse_date(request.args.get("as_of"), "as_of"))
    return jsonify({**claims_summary(items), "items": items})


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
                       "/api/events.json, /api/status.json")


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
        "recent_runs": [run_json(r) for r in recent_runs(db, limit=20)],
    })
