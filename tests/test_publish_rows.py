"""Publishing converts a release's columns once per distinct value: its content digest is the one
computed row by row before (kept here), so stored vintages keep theirs, and the tuples it inserts
store what SQLAlchemy's insert of one dict a row stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import cast, insert, select, text
from sqlalchemy.types import Text

from etl.store import Observation, VintageRecord, content_digest, dimension_columns, publish
from etl.store import publishing as store_publishing
from etl.store.schema import OBSERVATION_COLUMNS
from tests.helpers import TEST_ORIGIN as ORIGIN


def old_records(frame: pd.DataFrame, vintage_id: int) -> list[dict]:
    """The rows as publishing built them before: one dict a row."""
    dimensions = dimension_columns(frame)
    frame = frame.reindex(columns=[*OBSERVATION_COLUMNS, *dimensions])
    columns = {}
    for name in frame.columns:
        values, missing = frame[name].tolist(), frame[name].isna().tolist()
        columns[name] = [None if gone else value for value, gone in zip(values, missing, strict=True)]
    periods = [p.date() if isinstance(p, pd.Timestamp) else p for p in columns["period"]]
    dim_values = [columns[d] for d in dimensions]
    records = []
    for i in range(len(frame)):
        record = {c: columns[c][i] for c in OBSERVATION_COLUMNS}
        record["period"] = periods[i]
        record["dims"] = {d: str(v[i]) for d, v in zip(dimensions, dim_values, strict=True) if v[i] not in (None, "")}
        record["vintage_id"] = vintage_id
        record["flags"] = record["flags"] or ""
        records.append(record)
    return records


def old_digest(records: list[dict]) -> str:
    """The content digest as it was computed before, row by row."""

    def number(value) -> str:
        return "" if value is None or (isinstance(value, float) and pd.isna(value)) else f"{float(value):.10g}"

    hashes = np.frombuffer(b"".join(
        hashlib.blake2b("\t".join((
            str(r["indicator"]), str(r["period"])[:10], str(r["geo"]),
            json.dumps(dict(sorted(r["dims"].items())), sort_keys=True),
            number(r["value"]), number(r["value_predicted"]),
            ",".join(sorted(f for f in str(r["flags"] or "").split(",") if f)))).encode(), digest_size=16).digest()
        for r in records), dtype="V16")
    return hashlib.sha256(np.sort(hashes.view("S16"), kind="stable").tobytes()).hexdigest()


def frame(made_as: str = "dates") -> pd.DataFrame:
    """Rows with what releases hold: missing values and predictions, empty and missing dimensions,
    numbers as dimension values, flags in any order, a repeated combination."""
    months = [dt.date(2024, m, 1) for m in (1, 2, 3)]
    rows = []
    for i, month in enumerate(months * 3):
        rows.append({
            "indicator": "test_lbs" if i % 4 else "test_count", "period": month, "geo": ("US", "TX", "CA")[i % 3],
            "category": (None, "", "Fentanyl", "Heroin")[i % 4], "region": "Southwest Border" if i % 2 else None,
            "end_year": float(2020 + i % 2) if i % 3 == 0 else np.nan,
            "value": np.nan if i == 4 else 1234.56789012345 * (i + 1), "value_predicted": 1.0 / (i + 1) if i % 2 else np.nan,
            "flags": ("", "provisional", "b,a", None)[i % 4]})
    result = pd.DataFrame(rows)
    if made_as == "timestamps":
        result["period"] = pd.to_datetime(result["period"])
    if made_as == "objects":  # as a parser may leave them: Python objects, None for a missing one
        result = result.astype(object).where(result.notna(), None)
    return result


@pytest.mark.parametrize("made_as", ["dates", "timestamps", "objects"])
@pytest.mark.parametrize("chunk_rows", [store_publishing.CHUNK_ROWS, 4])
def test_the_digest_is_the_row_by_row_digest(monkeypatch, made_as, chunk_rows):
    monkeypatch.setattr(store_publishing, "CHUNK_ROWS", chunk_rows)
    rows = frame(made_as)
    assert content_digest(store_publishing._chunks(rows)) == old_digest(old_records(rows, 0))
    # Row order and column order do not count; a changed value does.
    shuffled = rows.sample(frac=1, random_state=1)[list(reversed(rows.columns))]
    assert content_digest(store_publishing._chunks(shuffled)) == old_digest(old_records(rows, 0))
    changed = rows.assign(value=rows["value"] * 2)
    assert content_digest(store_publishing._chunks(changed)) != old_digest(old_records(rows, 0))


@pytest.mark.parametrize("made_as", ["dates", "objects"])
def test_the_inserted_rows_are_what_the_insert_of_dicts_stored(store, made_as):
    rows = frame(made_as)
    record = VintageRecord(source_id="test_source", file_name="release.csv", sha256="a" * 64,
                           published_on=dt.date(2024, 4, 1), published_on_basis="test", observations=rows)
    vintage_id = publish(store, ORIGIN, record, kind="test").vintage_id
    with store.begin() as conn:
        conn.execute(insert(Observation.__table__), old_records(rows, vintage_id))
    columns = [Observation.indicator, Observation.period, Observation.geo, cast(Observation.dims, Text),
               Observation.value, Observation.value_predicted, Observation.flags]
    with store.connect() as conn:
        stored = conn.execute(select(*columns).where(Observation.vintage_id == vintage_id)
                              .order_by(Observation.id)).all()
        raw_periods = conn.execute(text("SELECT period FROM observations ORDER BY id")).scalars().all()
    published, inserted = stored[:len(rows)], stored[len(rows):]
    assert [tuple(row) for row in published] == [tuple(row) for row in inserted]
    assert raw_periods[:len(rows)] == raw_periods[len(rows):]  # the dates as the Date column writes them
