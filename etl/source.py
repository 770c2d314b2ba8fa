"""The shape every file-based source shares: raw files → parse → release date → vintage record.

A source module defines its ``parse(content, file_name)`` (which runs its sanity checks) and
``published_on(tidy, file_name)`` (and optionally ``check(tidy, file_name)``, checks of the
whole release that a partial test table would fail), then one ``FileSource`` and takes ``raw_files``,
``build_record`` and ``record_from_file`` from it, so the skeleton is written once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from etl.store import VintageRecord, make_record

Parse = Callable[[bytes, str], pd.DataFrame]
PublishedOn = Callable[[pd.DataFrame, str], tuple[dt.date, str]]


@dataclass(frozen=True)
class FileSource:
    source_id: str
    raw_glob: str  # below the raw-data folder, e.g. "cbp/drug-seizures/*.csv"
    parse: Parse
    published_on: PublishedOn
    check: Callable[[pd.DataFrame, str], None] | None = None

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
