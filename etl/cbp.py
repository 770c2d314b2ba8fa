"""What every CBP public-data source shares: fiscal-year months, the ``(FYTD)`` flag, numbers as
CBP writes them, the release date estimate, and finding the newest CSV on a listing page.

CBP names each monthly release ``<dataset>-fyAA-fyBB-<mon>[-<flavour>][_N].csv`` (the month part
is dropped in the fiscal-year-final release) and links it from one listing page per dataset.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import requests

from etl import http
from etl.common import (
    MONTH_ABBREVIATIONS,
    SanityError,
    fiscal_to_calendar,
    load_origin,
    next_month,
    per_value,
    read_csv_cells,
    require_columns,
)
from etl.source import FileSource
from etl.store import VintageRecord

log = logging.getLogger(__name__)


def release_pattern(dataset: str, flavour: str = "") -> re.Pattern:
    """File names of one CBP dataset (``flavour``: e.g. ``-state`` for encounters by state)."""
    return re.compile(
        rf"{re.escape(dataset)}-fy(?P<start>\d{{2}})-fy(?P<end>\d{{2}})(?:-(?P<month>[a-z]{{3}}))?"
        rf"{re.escape(flavour)}(?:_\d+)?\.csv$"
    )


def fiscal_year(two_digits: str, today: dt.date | None = None) -> int:
    """'26' → 2026, '99' → 1999: a two-digit year past next fiscal year is of the last century."""
    year = 2000 + int(two_digits)
    return year if year <= (today or dt.date.today()).year + 1 else year - 100


def release_order(pattern: re.Pattern, file_name: str) -> tuple[int, int]:
    """(last fiscal year, fiscal month) of a release from its name; (-1, -1) if not one."""
    match = pattern.search(file_name)
    if not match:
        return (-1, -1)
    month = match.group("month")
    # A fiscal-year-final file (no month) closes the year: September is the 12th FY month.
    fiscal_month = 12 if month is None else (MONTH_ABBREVIATIONS[month.upper()] - 10) % 12 + 1
    return (fiscal_year(match.group("end")), fiscal_month)


def discover_latest_url(listing_html: str, base_url: str, pattern: re.Pattern, dataset: str) -> str:
    """The newest release of a dataset linked from its listing page (names change monthly)."""
    links = http.csv_links(listing_html, base_url)
    candidates = [link for link in links if pattern.search(link.rsplit("/", 1)[-1])]
    if not candidates:
        raise SanityError(f"no {dataset} CSV link found on {base_url}")
    return max(candidates, key=lambda link: release_order(pattern, link.rsplit("/", 1)[-1]))


def fetch_latest(session: requests.Session | None, listing_url: str, pattern: re.Pattern, dataset: str,
                 build_record: Callable[..., VintageRecord], hosts: list[str] | None = None) -> VintageRecord:
    session = session or http.make_session()
    listing = http.get(session, listing_url, hosts=hosts)
    url = discover_latest_url(listing.text, listing_url, pattern, dataset)
    response = http.get(session, url, hosts=hosts)
    return build_record(response.content, url.rsplit("/", 1)[-1], url=url, published=http.last_modified(response))


def read_release(content: bytes, file_name: str, columns: list[str]) -> pd.DataFrame:
    """A CBP CSV release as text cells: the expected columns (others are ignored), stripped."""
    raw = read_csv_cells(content, file_name)
    require_columns(raw, columns, file_name)
    if raw.empty:
        raise SanityError(f"{file_name}: no data rows")
    extra = [c for c in raw.columns if c not in columns]
    if extra:  # a later release may add columns: tolerated, and said
        log.warning("%s: column(s) not read: %s", file_name, ", ".join(map(str, extra)))
    return raw[columns].apply(lambda col: per_value(col, str.strip))


def months(fiscal_year: pd.Series, month: pd.Series, file_name: str) -> tuple[list[dt.date], pd.Series]:
    """Calendar months of (``FY`` text such as ``2026 (FYTD)``, ``OCT``) pairs, and the
    ``provisional`` flag of months in the fiscal year in progress (revised by later releases)."""
    year = pd.to_numeric(fiscal_year.str.extract(r"^\s*(\d{4})")[0], errors="coerce")
    if year.isna().any():
        raise SanityError(f"{file_name}: unreadable fiscal year {fiscal_year[year.isna()].iloc[0]!r}")
    number = month.str.strip().str.upper().map(MONTH_ABBREVIATIONS)
    if number.isna().any():
        raise SanityError(f"{file_name}: unknown month {month[number.isna()].iloc[0]!r}")
    key = (year * 100 + number).astype(int)
    calendar = {k: fiscal_to_calendar(k // 100, k % 100) for k in pd.unique(key)}
    periods = key.map(calendar).tolist()  # one date object per month, shared by its rows
    flags = per_value(fiscal_year, lambda fy: "provisional" if "FYTD" in fy.upper() else "")
    return periods, flags


def numbers(column: pd.Series, file_name: str, name: str, blank_ok: bool = False) -> pd.Series:
    """CBP numbers: no thousands separators in the files, but tolerate them; floats such as
    ``9.0`` or ``6.61386786e-05`` are fine; blanks are NaN when ``blank_ok``; anything else is
    refused."""
    text = column.str.strip()
    values = pd.to_numeric(text.str.replace(",", "", regex=False), errors="coerce")
    # Thousands commas only in groups of three before any point: "1.147,048" (a decimal comma)
    # would otherwise read as 1.147048.
    malformed = text.str.contains(",") & ~text.str.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?")
    values = values.mask(malformed)
    bad = values.isna() & ~(blank_ok & (text == ""))
    if bad.any():
        raise SanityError(f"{file_name}: {name} is not a number: {column[bad].iloc[0]!r}")
    return values


def published_on(periods, file_name: str) -> tuple[dt.date, str]:
    """CBP posts a release in the month after its last data month; the day is not recorded."""
    return (next_month(max(periods)).replace(day=15),
            "estimated: mid-month after the last data month (CBP uploads in the following month)")


def require_every_month(periods, file_name: str) -> None:
    found = pd.to_datetime(pd.Series(list(periods))).dt.to_period("M")
    expected = pd.period_range(found.min(), found.max(), freq="M")
    missing = expected.difference(found.unique())
    if len(missing):
        raise SanityError(f"{file_name}: months with no rows inside the release window: "
                          f"{list(map(str, missing))[:6]}")


@dataclass(frozen=True, kw_only=True)
class ListingSource(FileSource):
    """A CBP dataset: a file source whose newest release is found on a listing page."""

    dataset: str
    listing_url: str
    flavour: str = ""

    @property
    def pattern(self) -> re.Pattern:
        return release_pattern(self.dataset, self.flavour)

    def discover_latest_url(self, listing_html: str, base_url: str | None = None) -> str:
        return discover_latest_url(listing_html, base_url or self.listing_url, self.pattern, self.dataset)

    def fetch_latest(self, session: requests.Session | None = None) -> VintageRecord:
        hosts = load_origin(self.source_id).get("hosts")
        return fetch_latest(session, self.listing_url, self.pattern, self.dataset, self.build_record, hosts)


def tidy_published_on(tidy, file_name: str) -> tuple[dt.date, str]:
    return published_on(tidy["period"], file_name)
