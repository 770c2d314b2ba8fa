"""Shared ETL pieces: origin blocks, checksums, fiscal calendar, and sanity-check failures."""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pandas as pd
import yaml

ORIGINS_DIR = Path(__file__).resolve().parent / "origins"


class SanityError(ValueError):
    """Input failed a sanity check; nothing was published."""


@functools.cache
def _origin_validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((ORIGINS_DIR / "schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def load_origin(source_id: str) -> dict:
    """The origin block of a source (producer, citation, URLs, licence, cadence, lag and the
    series it outputs), kept beside the code and validated against ``origins/schema.json``.
    Parsed once per version of the file (pages and every publish read it)."""
    path = ORIGINS_DIR / f"{source_id}.yaml"
    return dict(_parsed_origin(path, path.stat().st_mtime_ns, source_id))


@functools.lru_cache(maxsize=64)
def _parsed_origin(path: Path, _version: int, source_id: str) -> dict:
    with open(path, encoding="utf-8") as handle:
        origin = yaml.safe_load(handle)
    errors = sorted(_origin_validator().iter_errors(origin), key=lambda e: list(e.path))
    if errors:
        where = "/".join(map(str, errors[0].path)) or "(top)"
        raise SanityError(f"{path.name}: {where}: {errors[0].message}")
    origin["id"] = source_id
    return origin


def declared_outputs(origin: dict) -> dict[str, dict]:
    """Series id → declared output (unit, dimensions, geographies, aggregation)."""
    return {item["series"]: item for item in origin["outputs"]}


def iso_dates(value):
    """Dates (YAML reads ISO dates as date objects) as ISO text, in nested dicts and lists: what the
    schemas, the store's JSON and the API speak."""
    if isinstance(value, dict):
        return {k: iso_dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [iso_dates(v) for v in value]
    return value.isoformat() if isinstance(value, dt.date) else value


def month_start(year: int, month: int) -> dt.date:
    return dt.date(year, month, 1)


MONTH_ABBREVIATIONS = {
    name: number
    for number, name in enumerate(
        ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], 1
    )
}
MONTH_NAMES = {
    name: number
    for number, name in enumerate(
        [
            "January", "February", "March", "April", "May", "June",
            "July", "August", "September", "October", "November", "December",
        ],
        1,
    )
}


def fiscal_to_calendar(fiscal_year: int, month: int) -> dt.date:
    """US federal fiscal year runs Oct-Sep: FY2026 OCT is October 2025."""
    year = fiscal_year - 1 if month >= 10 else fiscal_year
    return month_start(year, month)


def next_month(day: dt.date, months: int = 1) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def read_csv_cells(content: bytes, file_name: str) -> pd.DataFrame:
    """Every cell as text (no guessing of types or NA markers), headers stripped of spaces and BOM."""
    try:
        raw = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise SanityError(f"{file_name}: not a readable CSV ({exc})") from exc
    raw.columns = [str(c).strip().lstrip("\ufeff") for c in raw.columns]
    return raw


def per_value(column: pd.Series, change: Callable[[str], str]) -> pd.Series:
    """``change`` applied once per distinct cell: equal cells then share one string object, so a
    large release's text columns cost a pointer a row, not a string a row."""
    uniques = pd.unique(column)
    if len(uniques) > len(column) // 4:  # mostly distinct (numbers): a mapping would cost more than it saves
        return column.map(change)
    return column.map(dict(zip(uniques, (change(u) for u in uniques), strict=True)))


def require_columns(frame: pd.DataFrame, expected: list[str], what: str) -> None:
    missing = [c for c in expected if c not in frame.columns]
    if missing:
        raise SanityError(
            f"{what}: missing column(s) {', '.join(missing)}; found {', '.join(map(str, frame.columns))}"
        )


def require_unique(frame: pd.DataFrame, key: list[str], what: str) -> None:
    duplicated = frame.duplicated(subset=key, keep=False)
    if duplicated.any():
        sample = frame.loc[duplicated, key].head(3).to_dict("records")
        raise SanityError(f"{what}: {int(duplicated.sum())} rows share a key, e.g. {sample}")


def require_range(series: pd.Series, low: float, high: float, what: str) -> None:
    values = series.dropna()
    bad = values[(values < low) | (values > high)]
    if not bad.empty:
        raise SanityError(
            f"{what}: {len(bad)} value(s) outside the plausible range [{low}, {high}], e.g. {bad.iloc[0]}"
        )
