"""One code path for every view and its machine-readable twin: parse the query, read, cache.

The explorer figure, the CSV and the JSON exports all come from :func:`series_view`, so what a
report cites is exactly what the chart showed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TypeVar

import pandas as pd
from flask import current_app, g, has_request_context
from flask_caching import Cache
from sqlalchemy.engine import Engine

from dashboard.i18n import basis_text
from indicators import claims as claims_checker
from indicators import commitments as commitments_model
from indicators import context, maps, precompute, service, stored_claims
from indicators.assessment import Assessment
from indicators.catalogue import POPULATION_SOURCE
from indicators.digest import code_digest
from indicators.registry import INDICATORS, Indicator, get_indicator
from indicators.scorecard import verify
from indicators.series import POPULATION_BASE, geographies, read_series, sources_read
from indicators.series import decimals as series_decimals
from indicators.service import DataVersions, ViewChoices, available_geos, data_versions, read_events, read_slice
from indicators.verification import METHODS

cache = Cache()
T = TypeVar("T")


class BadQuery(ValueError):
    """A request parameter could not be read; the message says which and why."""


class UnknownEvent(BadQuery):
    """No timeline event has that id."""


@dataclass(frozen=True)
class SeriesQuery:
    indicator: str
    geo: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    as_of: dt.date | None = None


# YYYY-MM, YYYY-MM-DD, or the date picker's YYYY-MM-DDT00:00:00; nothing after it.
DATE_TEXT = re.compile(r"\d{4}-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?)?")


def parse_month(value: str | None, name: str) -> dt.date | None:
    """``YYYY-MM`` (or a full ISO date) as the first day of that month."""
    if not value:
        return None
    text = str(value).strip()
    try:
        if not DATE_TEXT.fullmatch(text):
            raise ValueError(text)
        parsed = dt.date.fromisoformat(text + "-01" if len(text) == 7 else text[:10]).replace(day=1)
    except ValueError:
        raise BadQuery(f"{name}={str(value)[:20]!r} is not a month (YYYY-MM)") from None
    return parsed


def parse_date(value: str | None, name: str) -> dt.date | None:
    if not value:
        return None
    text = str(value).strip()
    try:
        if not DATE_TEXT.fullmatch(text) or len(text) == 7:
            raise ValueError(text)
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise BadQuery(f"{name}={str(value)[:20]!r} is not a date (YYYY-MM-DD)") from None


def page_as_of(value: str | None) -> dt.date | None:
    """A page's ``as_of`` from its URL; a malformed one shows the latest data (pages do not 400)."""
    try:
        return parse_date(value, "as_of")
    except BadQuery:
        return None


def engine() -> Engine:
    return current_app.config["VERIFICA_ENGINE"]


def versions(db: Engine) -> DataVersions:
    """The store's data versions (:func:`etl.store.data_versions`), read once per request."""
    if not has_request_context():
        return data_versions(db)
    memo = g.setdefault("verifica_data_versions", {})
    key = str(db.url)
    if key not in memo:
        memo[key] = data_versions(db)
    return memo[key]


def store_version(db: Engine) -> str:
    """Changes whenever a vintage is published, withdrawn or its release date corrected, or the
    timeline changes, in this process or any other, so cached reads never go stale."""
    return versions(db).overall


def source_version(db: Engine, *source_ids: str) -> str:
    """Changes only when one of these sources' vintages do: the key of caches that read only them
    (a publish of CDC data leaves the cached SESNSP series in place)."""
    found = versions(db)
    return "|".join(found.source(source_id) for source_id in source_ids)


def cache_key(kind: str, *parts, sources: tuple[str, ...] | None = None, timeline: bool = False,
              daily: bool = False) -> str:
    """The one recipe of every cached read: what is read (``kind`` and its parameters), from which
    store, the version of the data it reads (the named sources' vintages, else everything the
    store holds), the timeline's version when it reads the timeline, today's date when the answer
    changes as days pass (a result becomes checkable, or overdue), and the digest of the code and
    definitions it is computed with (:func:`indicators.digest.code_digest`: after a deploy nothing
    computed by the previous code is served from a shared cache)."""
    db = engine()
    data = source_version(db, *sources) if sources is not None else store_version(db)
    return repr((kind, str(db.url), code_digest(), data, timeline_version() if timeline else None,
                 dt.date.today().isoformat() if daily else None, *parts))


def cached(key: str, compute: Callable[[], T], keep: Callable[[T], bool] = lambda _value: True) -> T:
    """The value stored under ``key``, else ``compute()`` (stored unless ``keep`` says no)."""
    value = cache.get(key)
    if value is None:
        value = compute()
        if keep(value):
            cache.set(key, value)
    return value


def series_view(query: SeriesQuery) -> tuple[Indicator, pd.DataFrame]:
    """The series of a view: its months cut from the whole series, read once per (indicator,
    geography, as-of date) and cached, so that another window or transform of the same series (a
    change of a year earlier reads the year before the window) reads nothing again. Each month is
    summed on its own, so the cut rows are those a read of the months gives; a by-category series
    filled with zeros (its categories are those its months have), yearly figures (a window is in
    the range by its years) and a cut with no rows are read for the months themselves."""
    spec = get_indicator(query.indicator)
    if (query.start is not None or query.end is not None) and spec.semantics != "annual" and not (
            spec.breakdown and spec.zero_fill):
        whole = series_view(SeriesQuery(spec.id, query.geo, None, None, query.as_of))[1]
        if not whole.empty:
            inside = pd.Series(True, index=whole.index)
            if query.start is not None:
                inside &= whole["period"] >= pd.Timestamp(query.start)
            if query.end is not None:
                inside &= whole["period"] <= pd.Timestamp(query.end)
            if inside.any():
                return spec, whole[inside].reset_index(drop=True)
    return spec, _series_read(spec, query)


def _series_read(spec: Indicator, query: SeriesQuery) -> pd.DataFrame:
    db = engine()
    geo = query.geo or spec.default_geo
    key = cache_key("series", spec.id, geo, query.start, query.end, query.as_of, sources=sources_read(spec))
    return cached(key, lambda: read_series(db, spec, query.geo, start=query.start, end=query.end, as_of=query.as_of))


def population(geo: str, as_of: dt.date | None = None) -> pd.DataFrame:
    """Mid-year population of a geography by year (``period``, ``value``; empty when none is
    loaded), as known on ``as_of``: the denominator of per-100k views."""
    db = engine()
    return cached(cache_key("population", geo, as_of, sources=(POPULATION_SOURCE,)),
                  lambda: read_slice(db, POPULATION_BASE, geo, as_of=as_of).rows[
                      ["period", "geo", "value", "vintage_id", "vintage", "vintage_published_on"]])


def map_values(indicator: str, month: dt.date, as_of: dt.date | None, per_100k: bool = False
               ) -> dict[str, float | None]:
    """Each geography's value of one month, for the state map (:mod:`indicators.maps`: stored per
    source release, computed at publish for :func:`map_month`); cached here per source version.
    Per 100,000 people only for counts (a :class:`BadQuery` otherwise)."""
    db = engine()
    spec = get_indicator(indicator)
    if per_100k and not spec.takes_per_100k:
        raise BadQuery(f"{spec.id} is not a count: it has no map per 100,000 people")
    return cached(cache_key("map", indicator, month, as_of, per_100k, sources=sources_read(spec, per_100k)),
                  lambda: maps.map_values(db, spec, month, as_of, per_100k))


def map_month(indicator: str, as_of: dt.date | None = None, upto: dt.date | None = None) -> dt.date | None:
    """The month the state map shows (:func:`indicators.maps.map_month`): the newest month, up to
    ``upto`` (the view's last month), that most states have; not the national series' newest
    month, which the states may not have yet. Cached per source version."""
    db = engine()
    spec = get_indicator(indicator)
    return cached(cache_key("map-month", indicator, as_of, upto, sources=sources_read(spec)),
                  lambda: maps.map_month(db, spec, as_of, upto) or False) or None


def cited_inputs(spec: Indicator, geos, as_of: dt.date | None = None) -> tuple[list[str], list[pd.DataFrame]]:
    """What an indicator's definition reads besides its own source (:func:`indicators.series.sources_read`:
    the CONAPO population a rate per 100,000 divides by): those sources, and the rows read from
    them for these geographies, with their vintages. Every view and export of the indicator cites
    them, as a per-100k view of another indicator does."""
    others = [source for source in sources_read(spec) if source != spec.source_id]
    frames = [population(geo, as_of) for geo in dict.fromkeys(geos)
              if POPULATION_SOURCE in others and geo and has_population(geo)]
    return others, frames


def has_population(geo: str) -> bool:
    return geo in population_geos()


def population_geos() -> set[str]:
    db = engine()
    return cached(cache_key("population-geos", sources=(POPULATION_SOURCE,)),
                  lambda: set(available_geos(db, POPULATION_BASE)))


def geos_for(indicator: str) -> list[str]:
    db = engine()
    return cached(cache_key("geos", indicator, sources=(get_indicator(indicator).source_id,)),
                  lambda: geographies(db, indicator))


def view_choices(*indicators: str) -> ViewChoices:
    """What an explorer address of these indicators may choose from (:func:`indicators.service.view_choices`):
    what ``ExplorerState.parse`` checks an address against. Indicators without data are left out."""
    db = engine()
    known = tuple(dict.fromkeys(i for i in indicators if i in INDICATORS and INDICATORS[i].status == "available"))
    sources = tuple(dict.fromkeys([*(INDICATORS[i].source_id for i in known), POPULATION_SOURCE]))
    return cached(cache_key("view-choices", known, sources=sources, timeline=True),
                  lambda: service.view_choices(db, known))


def events() -> list[dict]:
    db = engine()
    return cached(cache_key("events"), lambda: read_events(db))


def timeline_version() -> str:
    """Changes when the curated timeline does, so verification caches follow edits to it: the
    digest stored with it (read with the data version), else one of the events read here."""
    return versions(engine()).timeline or precompute.timeline_digest(events())


def event_by_id(event_id: str) -> dict:
    for item in events():
        if item["id"] == event_id:
            return item
    raise UnknownEvent(f"unknown event {event_id!r}; see /api/events.json")


def assessment(indicator: str, event_id: str, geo: str | None = None, method: str = "auto",
               as_of: dt.date | None = None) -> Assessment:
    """One verification, cached by store version; the explorer and /api/verify both use it."""
    if method not in METHODS:
        raise BadQuery(f"method={method!r}; use one of {', '.join(METHODS)}")
    event = event_by_id(event_id)
    db = engine()
    # An assessment reads its indicator's series and the timeline (other events are windows to
    # leave out): another source's release does not move it. Without ``as_of``, whether a result
    # is verifiable yet changes as days pass.
    spec = get_indicator(indicator)
    key = cache_key("verify", indicator, event_id, geo, method, as_of,
                    sources=(*sources_read(spec), *context.sources(spec)), timeline=True, daily=as_of is None)
    return cached(key, lambda: verify(db, indicator, event, events=events(), geo=geo, method=method, as_of=as_of))


def context_changes(indicator: str, geo: str | None, start: dt.date | None, end: dt.date | None,
                    as_of: dt.date | None = None) -> list[dict]:
    """The displacement check's context series over a view's months (:func:`indicators.context.changes`)."""
    spec = get_indicator(indicator)
    if not spec.context:
        return []
    key = cache_key("context", indicator, geo, start, end, as_of, sources=context.sources(spec))

    def read(series: Indicator, place: str) -> pd.DataFrame:
        """A context series over the view's months (:func:`series_view`: cut from the whole series
        read once per place; the homicide indicators share their context series)."""
        return series_view(SeriesQuery(series.id, place, start, end, as_of))[1]
    return cached(key, lambda: context.changes(engine(), spec, geo, start, end, as_of, read=read))


def scorecard_grid(as_of: dt.date | None = None) -> dict | None:
    """The scorecard for the latest data (the previous data's grid, marked updating, while the new
    one is computed; also for ``as_of`` today or later), or as known on a past ``as_of``: None while that date's grid
    is computed in the background (no request waits for it). Raises
    :class:`indicators.precompute.PastScorecardFailed` when its computation failed."""
    db = engine()
    if as_of is not None and as_of >= dt.date.today():
        as_of = None  # today or later reads what is served now: the latest grid (stored at publish)
    if as_of is None:
        compute = lambda: precompute.scorecard_grid(db, events())  # noqa: E731
    else:
        compute = lambda: precompute.past_scorecard(db, events(), as_of)  # noqa: E731
    # Neither the previous data's grid (updating) nor "not ready yet" is kept.
    return cached(cache_key("scorecard", as_of, timeline=True), compute,
                  keep=lambda grid: grid is not None and not grid.get("updating"))


def claims(as_of: dt.date | None = None) -> list[dict]:
    """Every official claim with its check (cached per version of the sources it reads, and timeline)."""
    db = engine()
    # A claim becomes checkable (or overdue) as days pass.
    key = cache_key("claims", as_of, sources=tuple(claims_checker.sources()), timeline=True, daily=as_of is None)

    def compute() -> list[dict]:
        # The latest data's checks are stored at publish (indicators.stored_claims): read, not redone.
        stored = stored_claims.stored_claims(db, events()) if as_of is None else None
        return stored if stored is not None else claims_checker.check_claims(db, events(), as_of)
    return cached(key, compute)


def commitments(as_of: dt.date | None = None) -> list[dict] | None:
    """Every commitment made by ``as_of`` with its status, rolled up from the scorecard as known
    that day; None while a past date's scorecard is computed in the background. Raises
    :class:`indicators.precompute.PastScorecardFailed` when its computation failed."""
    grid = scorecard_grid(as_of)
    if grid is None:
        return None
    # Dated either way: the statuses are as known on that day (today for the latest data).
    day = dt.date.today() if as_of is None else min(as_of, dt.date.today())
    return commitments_model.evaluate(commitments_model.load(), events(), grid, day)


def _plain(row) -> SimpleNamespace:
    """A stored row as a plain value (cached, and shared through Redis, without the ORM)."""
    return SimpleNamespace(**{column.key: getattr(row, column.key) for column in row.__table__.columns})


def vintages(source_id: str) -> list[SimpleNamespace]:
    """The source's vintages (withdrawn ones included, marked), oldest first; cached per its version."""
    db = engine()
    return cached(cache_key("vintages", source_id, sources=(source_id,)),
                  lambda: [_plain(v) for v in service.vintages(db, source_id)])


def withdrawals() -> list[SimpleNamespace]:
    """Every withdrawal, with its restoration if it was undone; cached per data version."""
    db = engine()
    return cached(cache_key("withdrawals"), lambda: [_plain(w) for w in service.withdrawals(db)])


def overdue() -> dict[str, dict]:
    """Sources whose next release is overdue (:func:`indicators.service.overdue`), as of today."""
    db = engine()
    return cached(cache_key("overdue", daily=True), lambda: service.overdue(db))


def source_card(source_id: str) -> dict | None:
    """The source's stored card (producer, citation, URLs, licence), from the request's data versions."""
    return versions(engine()).card(source_id)


def vintages_used(frame: pd.DataFrame) -> list[dict]:
    """The vintages a view was drawn from, each with its id and checksum, so the same figure can be
    redrawn later (``as_of``) and the files checked; withdrawn ones say so."""
    if frame.empty:
        return []
    last = frame["period"]
    if "end_year" in frame:  # yearly figures: a window runs to the end of its last year
        last = pd.to_datetime(frame["end_year"].astype(int).astype(str) + "-12-01")
    spans: dict[tuple, list] = {}  # (vintage id, file, release date) -> [first month, last month]
    for key, first, end in zip(zip(frame["vintage_id"].tolist(), frame["vintage"].tolist(),
                                   frame["vintage_published_on"].tolist(), strict=True),
                               frame["period"].tolist(), last.tolist(), strict=True):
        if any(pd.isna(part) for part in key):  # a row no vintage stands behind cites none
            continue
        span = spans.setdefault(key, [first, end])
        span[0], span[1] = min(span[0], first), max(span[1], end)
    meta = vintage_meta()
    out = []
    by_release = sorted(spans.items(), key=lambda item: (item[0][2], item[0][0]))  # release date, then id
    for (vintage_id, file_name, published_on), (first, end) in by_release:
        info = meta.get(int(vintage_id), {})
        basis = info.get("published_on_basis", "")
        out.append({
            "id": int(vintage_id),
            "file_name": file_name,
            "sha256": info.get("sha256", ""),
            "published_on": published_on.isoformat(),
            "published_on_basis": basis,
            "estimated": basis.startswith("estimated"),
            "months": f"{first:%Y-%m}..{end:%Y-%m}",
            "withdrawn_on": info.get("withdrawn_on"),
        })
    return out


def vintage_meta() -> dict[int, dict]:
    """Vintage id → checksum, how its release date was known ("estimated: …" for estimates) and
    its withdrawal date (ISO), if any."""
    db = engine()
    return cached(cache_key("vintage-meta"), lambda: service.vintage_meta(db))


def published_text(vintage: dict, lang: str = "en") -> str:
    """"2026-01-15", or "~2026-01-15 (estimated: …)" when the release date is an estimate."""
    if not vintage.get("estimated"):
        return vintage["published_on"]
    return f"~{vintage['published_on']} ({basis_text(vintage['published_on_basis'], lang)})"


def export_frame(spec: Indicator, frame: pd.DataFrame) -> pd.DataFrame:
    """The tidy table every download carries: months as YYYY-MM, flags and vintage per row."""
    out = frame.copy()
    out["period"] = pd.to_datetime(out["period"]).dt.strftime("%Y-%m")
    out["vintage_published_on"] = out["vintage_published_on"].astype(str)
    if "indicator" in out:  # a compared indicator's rows carry their own id
        out.insert(0, "indicator", out.pop("indicator").fillna(spec.id))
    else:
        out.insert(0, "indicator", spec.id)
    if not spec.has_predicted:
        out = out.drop(columns=["value_predicted"])
    return inert_frame(rounded(out))  # no cell a spreadsheet would run as a formula


DERIVED_DECIMALS = 2  # an index, a change on a year earlier, a rate shown by the explorer


def rounded(table: pd.DataFrame) -> pd.DataFrame:
    """Values at the precision their publisher gives (declared in the origin files; a transform's
    own for derived indicators), the counterfactual alike; values the view derived at 0.01.
    Sums of many metric conversions otherwise carry 6-13 meaningless decimals."""
    out = table.copy()
    levels = [c for c in out.columns if c in ("value", "value_predicted") or c.startswith("counterfactual")]
    derived = [c for c in out.columns if c.startswith("value_") and c != "value_predicted"]
    places = {indicator: series_decimals(get_indicator(indicator)) for indicator in out["indicator"].unique()}
    for indicator, rows in out.groupby("indicator", sort=False):
        out.loc[rows.index, levels] = rows[levels].round(places[indicator])
    if places and not any(places.values()):  # whole numbers read as whole numbers ("152", not "152.0")
        out[levels] = out[levels].astype("Int64")
    out[derived] = out[derived].round(DERIVED_DECIMALS)
    return out


def inert_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Every text cell made inert for spreadsheets (see ``_inert``)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(_inert)
    return out


def _inert(value):
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
