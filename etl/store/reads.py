"""As-of reads: for each month, the rows of the newest vintage covering it as known on a date (one
SQL statement each, one seek a month in the coverage table), filtered on dimensions in SQL; and the
vintages' own rows."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Text, cast, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from etl.store.schema import DIMENSION_NAME, OBSERVATION_COLUMNS, Observation, Vintage, _parse_dims


def is_empty(engine: Engine) -> bool:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Vintage)) == 0


# A month's vintage as known on :as_of: the first coverage row of the month in the seek index
# (newest release first, then newest vintage) whose span of service holds the date. Its rows are
# all that month's rows, so a combination missing from the newest release is not taken from an
# older one. One index seek a month, however many vintages cover it.
_SERVED_VINTAGE = """(SELECT c.vintage_id FROM coverage AS c
        WHERE c.indicator = :indicator AND c.geo = {geo} AND c.period = {period} AND c.published_on <= :as_of
          AND c.served_from <= :as_of AND (c.withdrawn_on IS NULL OR c.withdrawn_on > :as_of)
        ORDER BY c.published_on DESC, c.vintage_id DESC LIMIT 1)"""

# One statement (so a publish in between cannot mix two views): the (indicator, geo) key's months
# in range, each found from the one before in the coverage index ("months"); each month's vintage
# ("chosen"); then that vintage's rows of the month that match the dimension filters ("row"), and
# the month's distinct flags ("month": DISTINCT inside, so PostgreSQL types the NULLs from the
# first part, not as text). CROSS JOIN keeps SQLite's loop on the chosen months (each an
# index seek into the observations), not on every vintage's rows of the key; PostgreSQL plans it
# as any inner join.
_SLICE_SQL = """
WITH RECURSIVE months(period) AS (
    SELECT MIN(period) FROM coverage
    WHERE indicator = :indicator AND geo = :geo AND period >= :period_from AND period <= :period_to
    UNION ALL
    SELECT (SELECT MIN(c.period) FROM coverage AS c
            WHERE c.indicator = :indicator AND c.geo = :geo AND c.period > m.period AND c.period <= :period_to)
    FROM months AS m WHERE m.period IS NOT NULL
),
chosen AS (
    SELECT m.period AS period, """ + _SERVED_VINTAGE.format(geo=":geo", period="m.period") + """ AS vintage_id
    FROM months AS m WHERE m.period IS NOT NULL
)
SELECT 'row' AS kind, obs.period AS period, obs.vintage_id AS vintage_id, {dims_text} AS dims,
       obs.value AS value, obs.value_predicted AS value_predicted, obs.flags AS flags
FROM chosen AS c
CROSS JOIN observations AS obs
WHERE obs.vintage_id = c.vintage_id AND obs.period = c.period
  AND obs.indicator = :indicator AND obs.geo = :geo {filters}
UNION ALL
SELECT 'month', f.period, f.vintage_id, NULL, NULL, NULL, f.flags
FROM (SELECT DISTINCT c.period AS period, c.vintage_id AS vintage_id, obs.flags AS flags
      FROM chosen AS c
      CROSS JOIN observations AS obs
      WHERE obs.vintage_id = c.vintage_id AND obs.period = c.period AND obs.indicator = :indicator
        AND obs.geo = :geo) AS f
"""


def _filter_sql(dialect: str, filters: dict[str, str]) -> tuple[str, dict]:
    """SQL conditions for dimension filters: ``@>`` on PostgreSQL (GIN-indexed), ``json_extract``
    on SQLite (inside the index range of the key)."""
    if not filters:
        return "", {}
    for name in filters:
        if not DIMENSION_NAME.match(name):
            raise ValueError(f"not a dimension name: {name!r}")
    if dialect == "postgresql":
        return " AND obs.dims @> CAST(:dims_filter AS JSONB)", {"dims_filter": json.dumps(filters)}
    conditions = "".join(f" AND json_extract(obs.dims, '$.{name}') = :dim_{i}" for i, name in enumerate(filters))
    return conditions, {f"dim_{i}": str(value) for i, value in enumerate(filters.values())}


@dataclass
class Slice:
    """An (indicator, geo) read: the matching rows, and every month the chosen vintages cover
    (with that vintage and the month's flags), matched or not."""

    rows: pd.DataFrame
    months: pd.DataFrame


def read_slice(
    engine: Engine,
    indicator: str,
    geo: str,
    *,
    filters: dict[str, str] | None = None,
    period_from: dt.date | None = None,
    period_to: dt.date | None = None,
    as_of: dt.date | None = None,
) -> Slice:
    """Rows of the newest vintage covering each month of (indicator, geo), as known on ``as_of``,
    filtered on dimensions in SQL. Dimensions come back as columns."""
    conditions, filter_params = _filter_sql(engine.dialect.name, dict(filters or {}))
    params = {
        "indicator": indicator,
        "geo": geo,
        "period_from": period_from or dt.date(1900, 1, 1),
        "period_to": period_to or dt.date(2999, 12, 1),
        "as_of": as_of or dt.date(2999, 12, 31),
        **filter_params,
    }
    dims_text = "CAST(obs.dims AS TEXT)" if engine.dialect.name == "postgresql" else "obs.dims"
    sql = _SLICE_SQL.format(filters=conditions, dims_text=dims_text)
    with engine.connect() as conn:
        found = conn.execute(text(sql), params).all()
        vintages = {row[0]: (row[1], row[2]) for row in conn.execute(
            select(Vintage.id, Vintage.file_name, Vintage.published_on).where(
                Vintage.id.in_({int(row[2]) for row in found})))} if found else {}
    # Plain Python over the answer's few hundred tuples: a DataFrame built once, column by column.
    rows = [row for row in found if row[0] == "row"]
    month_flags: dict = {}
    month_vintage: dict = {}
    for _kind, period, vintage_id, _dims, _value, _predicted, flags in (row for row in found if row[0] == "month"):
        month_vintage.setdefault(period, vintage_id)
        month_flags.setdefault(period, set()).update(flag for flag in (flags or "").split(",") if flag)
    periods = sorted(month_vintage)
    month_ids = [month_vintage[period] for period in periods]
    months = pd.DataFrame({
        "period": _months(periods),
        "vintage_id": pd.Series(month_ids, dtype="int64"),
        "vintage": pd.Series([vintages[v][0] for v in month_ids], dtype=str),
        "vintage_published_on": pd.Series([vintages[v][1] for v in month_ids], dtype=object),
        "flags": pd.Series([",".join(sorted(month_flags[period])) for period in periods], dtype=str),
    })
    rows.sort(key=lambda row: row[1])  # by month, stable: the store's order within a month
    ids = [row[2] for row in rows]
    columns = {
        "period": _months([row[1] for row in rows]),
        "geo": pd.Series([geo] * len(rows), dtype=str),
    }
    dims = _dims_frame([row[3] for row in rows], pd.RangeIndex(len(rows)))
    columns.update({name: dims[name] for name in dims.columns})
    columns.update({
        "value": pd.Series(np.array([row[4] for row in rows], dtype=float)),
        "value_predicted": pd.Series(np.array([row[5] for row in rows], dtype=float)),
        "flags": pd.Series([row[6] for row in rows], dtype=str),
        "vintage_id": pd.Series(ids, dtype="int64"),
        "vintage": pd.Series([vintages[v][0] for v in ids], dtype=str),
        "vintage_published_on": pd.Series([vintages[v][1] for v in ids], dtype=object),
    })
    return Slice(rows=pd.DataFrame(columns, index=pd.RangeIndex(len(rows))), months=months)


def _months(values: list) -> pd.Series:
    """Month starts as datetimes, from the dates PostgreSQL returns or the ISO text SQLite does."""
    return pd.to_datetime(pd.Series(values, dtype=object), format="ISO8601")


_MONTHS_SQL = """
WITH keys AS (SELECT DISTINCT geo, period FROM coverage WHERE indicator = :indicator),
chosen AS (
    SELECT k.geo AS geo, k.period AS period, """ + _SERVED_VINTAGE.format(geo="k.geo", period="k.period") + """
           AS vintage_id
    FROM keys AS k
)
SELECT DISTINCT obs.geo AS geo, obs.period AS period
FROM chosen AS c
CROSS JOIN observations AS obs
WHERE obs.vintage_id = c.vintage_id AND obs.period = c.period AND obs.geo = c.geo
  AND obs.indicator = :indicator {filters} AND obs.value IS NOT NULL
"""


def months_with_values(engine: Engine, indicator: str, *, filters: dict[str, str] | None = None,
                       as_of: dt.date | None = None) -> pd.DataFrame:
    """Every (geo, period) where the newest vintage covering it (as known on ``as_of``) has a value
    matching the filters: one query for every geography (``read_slice`` reads one)."""
    conditions, filter_params = _filter_sql(engine.dialect.name, dict(filters or {}))
    params = {"indicator": indicator, "as_of": as_of or dt.date(2999, 12, 31), **filter_params}
    with engine.connect() as conn:
        frame = pd.read_sql_query(text(_MONTHS_SQL.format(filters=conditions)), conn, params=params)
    frame["period"] = pd.to_datetime(frame["period"])
    return frame


def read_observations(engine: Engine, indicator: str, geo: str, **kwargs) -> pd.DataFrame:
    """The rows of :func:`read_slice` (every dimension, unless ``filters`` are given)."""
    return read_slice(engine, indicator, geo, **kwargs).rows


def available_geos(engine: Engine, indicator: str, filters: dict[str, str] | None = None) -> list[str]:
    """Geographies with rows of the series (matching the dimension filters, if any)."""
    conditions, params = _filter_sql(engine.dialect.name, dict(filters or {}))
    sql = f"SELECT DISTINCT obs.geo FROM observations AS obs WHERE obs.indicator = :indicator{conditions}"
    with engine.connect() as conn:
        rows = conn.execute(text(sql), {"indicator": indicator, **params}).all()
    return sorted(row[0] for row in rows)


def list_vintages(engine: Engine, source_id: str | None = None) -> list[Vintage]:
    with Session(engine) as session:
        query = select(Vintage).order_by(Vintage.source_id, Vintage.published_on, Vintage.id)
        if source_id:
            query = query.where(Vintage.source_id == source_id)
        return list(session.scalars(query).all())


def vintage_observations(engine: Engine, vintage_ids: Sequence[int]) -> pd.DataFrame:
    """All observations of the given vintages, dimensions as columns (for the snapshot writer and
    the checks, not for requests)."""
    columns = ["vintage_id", *OBSERVATION_COLUMNS]
    query = (
        select(*(getattr(Observation, c) for c in columns), cast(Observation.dims, Text))
        .where(Observation.vintage_id.in_(list(vintage_ids)))
        .order_by(Observation.vintage_id, Observation.id)
    )
    with engine.connect() as conn:
        result = conn.execute(query).all()
    frame = pd.DataFrame([row[:-1] for row in result], columns=columns)
    return pd.concat([frame, _dims_frame([row[-1] for row in result], frame.index)], axis=1)


def _dims_frame(texts: list[str | None], index: pd.Index) -> pd.DataFrame:
    """Rows' dimensions (their JSON text) as columns, in the order they first appear; each
    distinct combination parsed once (a vintage repeats a few hundred over its rows)."""
    codes, uniques = pd.factorize(pd.Series(texts, dtype=object), use_na_sentinel=False)
    parsed = pd.DataFrame([_parse_dims(text) for text in uniques.tolist()])
    return parsed.take(codes).set_axis(index) if len(parsed.columns) else pd.DataFrame(index=index)
