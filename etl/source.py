"""The shape every file-based source shares: raw files → parse → release date → vintage record.

A source module defines its ``parse(content, file_name)`` (which runs its sanity checks) and
``published_on(tidy, file_name)`` (and optionally ``check(tidy, file_name)``, checks of the
whole release that a partial test table would fail), then one ``FileSource`` and takes ``raw_files``,
``build_record``, ``record_from_file``, ``build_records`` and ``records_from_file`` from it, so the
skeleton is written once.

**Tables of dated publications.** A curated table whose every row is a publication of its own (an
official statement, a figure of a report) names the column that dates each row (``dated_by``). It
is loaded as the releases it records: one vintage per publication date, holding the table as it
stood that day (its header and the rows dated on or before it, in file order, byte for byte; the
sha256 is of those bytes), the newest being the file itself (rows without a date count from it).
So ``as_of`` reads of such a table return what had been published by that date, through the same
time model as every other source.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from etl.common import SanityError, read_csv_cells
from etl.store import VintageRecord, make_record

Parse = Callable[[bytes, str], pd.DataFrame]
PublishedOn = Callable[[pd.DataFrame, str], tuple[dt.date, str]]

# "2025-01-09", "2025-01" (dated to the month: its last day), "2012" (to the year: 31 December).
PUBLICATION_DATE = re.compile(r"^\s*(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?\b")


def publication_date(text: str) -> dt.date | None:
    """The day a row was surely published by, from ``YYYY-MM-DD``, ``YYYY-MM`` (the last day of
    the month) or ``YYYY`` (31 December): a view as known on a date never shows a figure that may
    not have been out yet. None when it has none."""
    found = PUBLICATION_DATE.match(str(text or ""))
    if not found:
        return None
    year, month, day = int(found["year"]), int(found["month"] or 12), found["day"]
    try:
        return dt.date(year, month, int(day) if day else calendar.monthrange(year, month)[1])
    except ValueError:
        return None


def csv_records(content: bytes) -> tuple[bytes, list[bytes]]:
    """The header and each record of a CSV file as its own bytes, line ends included (a quoted
    field may hold a line break: a record ends at a line end outside quotes)."""
    lines = content.splitlines(keepends=True)
    records, pending = [], b""
    for line in lines:
        pending += line
        if pending.count(b'"') % 2 == 0:
            records.append(pending)
            pending = b""
    if pending:
        records.append(pending)
    if not records:
        return b"", []
    return records[0], records[1:]


def dated_cuts(content: bytes, file_name: str, dated_by: str) -> list[tuple[dt.date, bytes]]:
    """The table as it stood on each publication date its rows carry (``dated_by``), oldest first:
    the header and the rows dated on or before that day, in file order. The newest is the file
    itself, so a row without a date counts from the newest date."""
    header, records = csv_records(content)
    rows = [record for record in records if record.strip()]  # blank lines are no rows (nor for pandas)
    raw = read_csv_cells(content, file_name)
    if dated_by not in raw.columns or len(raw) != len(rows):
        raise SanityError(f"{file_name}: cannot date each row by its {dated_by!r} column")
    dates = [publication_date(text) for text in raw[dated_by]]
    known = sorted({day for day in dates if day is not None})
    cuts = [(day, header + b"".join(row for row, when in zip(rows, dates, strict=True)
                                    if when is not None and when <= day)) for day in known[:-1]]
    return [*cuts, (known[-1], content)] if known else [(dt.date.min, content)]


def dated_records(source_id: str, content: bytes, file_name: str, parse: Parse, published_on: PublishedOn,
                  dated_by: str, whole: VintageRecord) -> list[VintageRecord]:
    """``whole`` (the file's record) preceded by one record per earlier publication date of its
    rows (:func:`dated_cuts`), each parsed and dated like a release of its own. A release date
    given for the file (``whole.published_on``) ends the series: cuts dated after it are not
    releases of their own."""
    cuts = dated_cuts(content, file_name, dated_by)
    newest = cuts[-1][0]
    if newest != dt.date.min and whole.published_on < newest:
        # A release date given for the file must not come before the rows it holds: the table
        # would then be served as known before its newest statements were made.
        raise SanityError(f"{file_name}: its rows are dated up to {newest}; a table of dated publications "
                          f"cannot be released on {whole.published_on}, before them")
    earlier = []
    for day, part in cuts[:-1]:
        if day >= whole.published_on:
            break
        tidy = parse(part, file_name)
        record = make_record(source_id, part, file_name, tidy, published_on(tidy, file_name), whole.url)
        record.earlier_state = True  # a figure found later for an earlier date is not an old file
        earlier.append(record)
    return [*earlier, whole]


@dataclass(frozen=True)
class FileSource:
    source_id: str
    raw_glob: str  # below the raw-data folder, e.g. "cbp/drug-seizures/*.csv"
    parse: Parse
    published_on: PublishedOn
    check: Callable[[pd.DataFrame, str], None] | None = None
    dated_by: str | None = None  # a table of dated publications: the column dating each row

    def raw_files(self, raw_dir: Path) -> list[Path]:
        return sorted(Path(raw_dir).glob(self.raw_glob))

    def build_record(self, content: bytes, file_name: str, *, url: str | None = None,
                     published: tuple[dt.date, str] | None = None) -> VintageRecord:
        """A release's vintage record; ``published`` overrides the estimated release date."""
        tidy = self.parse(content, file_name)
        if self.check is not None:
            self.check(tidy, file_name)
        return make_record(self.source_id, content, file_name, tidy,
                           published or self.published_on(tidy, file_name), url)

    def record_from_file(self, path: Path) -> VintageRecord:
        return self.build_record(Path(path).read_bytes(), Path(path).name)

    def build_records(self, content: bytes, file_name: str, *, url: str | None = None,
                      published: tuple[dt.date, str] | None = None) -> list[VintageRecord]:
        """The releases a file holds, oldest first: itself, or for a table of dated publications
        one per publication date (see the module docstring)."""
        whole = self.build_record(content, file_name, url=url, published=published)
        if self.dated_by is None:
            return [whole]
        return dated_records(self.source_id, content, file_name, self.parse, self.published_on, self.dated_by,
                             whole)

    def records_from_file(self, path: Path) -> list[VintageRecord]:
        return self.build_records(Path(path).read_bytes(), Path(path).name)
