"""An explorer view as a file: the table with everything a reader needs to cite it (CSV, JSON,
XLSX, ZIP) or the chart as an image. The API's routes, the explorer's download buttons and the
briefing pack all call this, so a button, a link and a pack give the same file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pandas as pd

from dashboard import exports, queries, views
from dashboard.i18n import basis_text, pick, t
from dashboard.state import PARAMS, ExplorerState, Problem
from indicators.registry import get_indicator
from indicators.series import NotAvailable
from indicators.series import decimals as series_decimals

EXPORT_PARAMS = tuple(p for p in PARAMS if p != "indicator")  # an explorer view's, the indicator in the path
IMAGE_PARAMS = (*EXPORT_PARAMS, "size")
def _safe(text: str) -> str:
    """File-name text from a known id: letters, digits, dash and underscore only."""
    return "".join(c for c in text if c.isalnum() or c in "-_")[:40]


def view_state(indicator_id: str, params: Mapping[str, str], allowed: tuple[str, ...]) -> ExplorerState:
    """The explorer view an export asks for (``ExplorerState``, as the page reads it), or a 400
    naming everything in the address that cannot be used."""
    spec = get_indicator(indicator_id)
    state, problems = ExplorerState.parse({k: v for k, v in params.items() if k != "size"},
                                          queries.view_choices(spec.id), allowed=allowed, indicator=spec.id)
    if "size" in params and "size" not in allowed:
        problems.insert(0, Problem("unknown_params", value="size", extra=", ".join(sorted(allowed))))
    if problems:
        raise queries.BadQuery("; ".join(p.english() for p in problems))
    if spec.status != "available":
        raise NotAvailable(f"{spec.id} has no data loaded yet (source {spec.source_id})")
    return state


def export_view(indicator_id: str, fmt: str, params: Mapping[str, str], host_url: str) -> tuple[bytes, str, str]:
    """An explorer view as a file (bytes, media type, file name): the API's routes and the
    explorer's download buttons both call this, so a button and a link give the same file."""
    return export_file(indicator_id, fmt, params, host_url)[:3]


def export_file(indicator_id: str, fmt: str, params: Mapping[str, str], host_url: str
            ) -> tuple[bytes, str, str, dict | None]:
    """:func:`export_view`, and the data's metadata (None for an image)."""
    state = view_state(indicator_id, params, IMAGE_PARAMS if fmt in (*exports.FORMATS, "zip") else EXPORT_PARAMS)
    size = params.get("size") or exports.DEFAULT_SIZE
    if size not in exports.SIZES:
        raise queries.BadQuery(f"size={size[:20]!r}; use one of {', '.join(exports.SIZES)}")
    spec = get_indicator(indicator_id)
    name = f"{spec.id}_{_safe(state.geo or spec.default_geo)}"
    if fmt in exports.FORMATS:
        return image_bytes(state, fmt, size, host_url), exports.FORMATS[fmt], f"{name}.{fmt}", None
    _view, table, meta = data_bundle(state, host_url)
    if fmt == "csv":
        return csv_text(spec, table, meta).encode(), "text/csv", f"{name}.csv", meta
    if fmt == "xlsx":
        return exports.xlsx_bytes(table, meta), exports.XLSX, f"{name}.xlsx", meta
    figure = image_bytes(state, "png", size, host_url)
    return (exports.zip_bytes(name, csv_text(spec, table, meta), meta, figure), "application/zip", f"{name}.zip",
            meta)


def data_bundle(state: ExplorerState, host_url: str):
    """The table of a view and everything a reader needs to cite it: indicator, query, source,
    citation, vintages (ids, checksums, release dates), the test's answer when an event is
    tested, the explorer permalink, the date."""
    view = views.chart_view(state)
    if view.assessment_error:
        raise queries.BadQuery(view.assessment_error)
    spec = view.spec
    table = queries.export_frame(spec, view.table)
    source = queries.source_card(spec.source_id) or {}
    read_sources, read_frames = definition_inputs(view, state)
    vintages = view_vintages(view, read_frames)
    # Every source the view draws on (a compared indicator's, the population of a rate, whether
    # the view or the indicator's definition divides by it), main first.
    sources = list(dict.fromkeys([*view.sources, *read_sources]))
    cards = [queries.source_card(source_id) or {"citation": source_id} for source_id in sources]
    citation = " ".join(card.get("citation", "") for card in cards) + " Vintage(s): " + "; ".join(
        f"{v['file_name']} (published {queries.published_text(v)})" for v in vintages
    )
    # The view's address is dated: as known on the day of the export, so it redraws as exported.
    view_state_ = state.with_(geo=view.geo, as_of=state.as_of or dt.date.today())
    meta = {
        "indicator": spec.to_json(),
        "query": {"geo": view.geo,
                  "from": state.start.isoformat()[:7] if state.start else None,
                  "to": state.end.isoformat()[:7] if state.end else None,
                  "as_of": state.as_of.isoformat() if state.as_of else None,
                  **{k: v for k, v in view_state_.params(keep_lang=False).items()
                     if k not in ("indicator", "geo", "from", "to", "as_of")}},
        "unit": view.unit,
        "source": source,
        "citation": citation,
        "vintages": [{**v, "published_on_basis": basis_text(v["published_on_basis"], state.lang)} for v in vintages],
        "view": host_url + view_state_.search(),
        "generated": dt.date.today().isoformat(),
        "lang": state.lang,
    }
    if view.assessment is not None:
        result = view.assessment
        meta["result"] = {"event": state.event, "headline": view.headline, "verdict": result.verdict,
                          "method": result.method, "effect": result.effect, "ci_low": result.ci_low,
                          "ci_high": result.ci_high, "mde": result.mde, "alpha": result.alpha}
    lang = state.lang
    meta["cite"] = inert_line(t(
        "cite_this", lang, sources=" ".join(card.get("citation", "") for card in cards).strip(),
        name=pick(spec.name, lang), geo=view.geo or spec.default_geo, unit=view.unit,
        vintages="; ".join(f"{v['file_name']} ({queries.published_text(v, lang)}, sha256 {v['sha256']})"
                           for v in vintages) or "-",
        day=meta["generated"], url=meta["view"]))
    meta["notes"] = notes(spec, meta)
    data_query = view_state_.export_query()
    meta["data"] = {fmt: f"{host_url.rstrip('/')}/api/indicators/{spec.id}.{fmt}?{data_query}"
                    for fmt in ("csv", "json", "xlsx", "metadata.json")}
    return view, table, meta


def definition_inputs(view, state: ExplorerState) -> tuple[list[str], list[pd.DataFrame]]:
    """The sources the view's indicators read by their definition besides their own, and the rows
    read from them (:func:`dashboard.queries.cited_inputs`: the population of
    ``sesnsp_homicide_rate_100k``): cited like the view's own sources."""
    wanted = [(view.spec, [view.geo, state.compare])]
    if state.vs:
        wanted.append((get_indicator(state.vs), [view.geo]))
    sources, frames = [], []
    for spec, geos in wanted:
        read, rows = queries.cited_inputs(spec, geos, state.as_of)
        sources += read
        frames += rows
    return sources, frames


def view_vintages(view, cited: list[pd.DataFrame] | tuple = ()) -> list[dict]:
    """Every vintage the view drew from: the series', those of the compared series (another
    geography, indicator or an earlier release), and those of ``cited`` (rows the indicators'
    definitions read: :func:`definition_inputs`)."""
    frames = [view.frame, *(rows for _, rows, _ in view.extra), *view.cited, *cited]
    frames = [f for f in frames if not f.empty and "vintage_id" in f]
    if not frames:
        return []
    seen, out = set(), []
    for frame in frames:
        for item in queries.vintages_used(frame):
            if item["id"] not in seen:
                seen.add(item["id"])
                out.append(item)
    return out


def csv_text(_spec, table, _meta: dict | None = None) -> str:
    """The table alone: any tool reads it with no options (``pandas.read_csv(url)``, R's
    ``read.csv``). How to cite it is in the ``.metadata.json`` beside it (and in the XLSX and ZIP)."""
    return table.to_csv(index=False)


def notes(spec, meta: dict) -> list[str]:
    """What a reader of the table must know beyond the columns (the result itself is
    ``meta["result"]``), in the view's language."""
    lang = meta.get("lang", "en")
    out = []
    if meta.get("unit") and meta["unit"] != pick(spec.unit, lang):
        column = "value_" + meta["query"].get("transform", "")
        out.append(t("csv_shown_as", lang, unit=meta["unit"], column=column))
    out.append(t("csv_rounded", lang, places=str(series_decimals(spec))))
    if meta.get("result"):
        out.append(t("csv_counterfactual", lang, level=str(round((1 - meta["result"]["alpha"]) * 100))))
    return [inert_line(line) for line in out]


def inert_line(line: str) -> str:
    """A metadata line can carry source text: never a line a spreadsheet would run (it starts with
    '#', and line breaks inside are flattened)."""
    return line.replace("\r", " ").replace("\n", " ")


def image_bytes(state: ExplorerState, fmt: str, size: str, host_url: str) -> bytes:
    """The rendered image, served from the cache when the same view was exported since the last
    publish (the key holds the store version, the timeline, the date, the format, the size and
    the view's canonical address)."""
    key = queries.cache_key("image", fmt, size, state.search(), host_url, timeline=True, daily=True)
    return queries.cached(key, lambda: _render_image(state, fmt, size, host_url))


def _render_image(state: ExplorerState, fmt: str, size: str, host_url: str) -> bytes:
    view = views.chart_view(state)
    if view.assessment_error:
        raise queries.BadQuery(view.assessment_error)
    spec = view.spec
    read, frames = definition_inputs(view, state)
    others = [source_id for source_id in dict.fromkeys([*view.sources, *read]) if source_id != spec.source_id]
    return exports.export_figure(
        spec, view.figure, fmt=fmt, lang=state.lang, source=queries.source_card(spec.source_id),
        also=[queries.source_card(source_id) or {"citation": source_id} for source_id in others],
        vintages=view_vintages(view, frames),
        permalink=host_url + state.with_(geo=view.geo, as_of=state.as_of or dt.date.today()).search(),
        size=size, events=view.events, tested=state.event,
    )
