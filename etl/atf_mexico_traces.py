"""ATF firearms traced in Mexico: figures for single years and multi-year windows, as published.

ATF publishes the Mexico figures only in PDF reports (a rolling six-year report each year, e.g.
"Firearms Trace Data: Mexico 2018-2023"); GAO and ATF releases give other windows. Two inputs:

* a curated CSV of published figures (``period_start, period_end, metric, value, unit, scope,
  confidence, primary_source, primary_source_url, …``), one row per figure with its citation;
* ATF's yearly Mexico report (PDF): the per-year table is read with pdfplumber (lines such as
  ``2023  18,012  12,104``: year, firearms traced, U.S.-sourced).

Every figure stays what it is: a window (``2018–2023``) is stored once at its first year with its
last year and never spread into fake single years; overlapping windows are never added up (the
indicators read figures, not sums). Counts are by calendar year of recovery; later reports revise
earlier years, so each report is a vintage, and the curated table is one vintage per date its
figures were published (its ``as_of`` column): the figures as known on a date are those out by
then. The U.S.-sourced share is derived for every window that has both counts (flag ``derived``);
shares stated on another basis (GAO, NFCTA) stay as stated.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import requests

from etl import http
from etl.common import SanityError, load_origin, read_csv_cells, require_columns, require_range, require_unique
from etl.source import dated_records, publication_date
from etl.store import VintageRecord, make_record

SOURCE_ID = "atf_mexico_traces"
RAW_SUBDIR = "atf"
INDICATOR = "atf_mexico_traces"
TRACED = "firearms_recovered_in_mexico_submitted_for_tracing"
US_SOURCED = "us_sourced_firearms"
SHARE = "us_sourced_share"
COLUMNS = ["period_start", "period_end", "metric", "value", "unit", "confidence", "primary_source",
           "primary_source_url", "as_of"]
CONFIDENCE = ("high", "medium", "low")
DATED_BY = "as_of"  # when each figure was published (the report or release it was read from)
PAGE_URL = "https://www.atf.gov/resource-center/firearms-trace-data-mexico-{start}-{end}"
REPORT_YEARS = 6
ROW = re.compile(r"^\s*(?P<year>(?:19|20)\d\d)\s+(?P<traced>\d{1,3}(?:,\d{3})*|\d+)\s+"
                 r"(?P<us>\d{1,3}(?:,\d{3})*|\d+)\b")


# The largest year ATF has published for Mexico is about 32,000 firearms traced (2008); a figure
# above this many a year covered is a typo, a unit slip or a broken file.
MAX_FIREARMS_PER_YEAR = 200_000


def check_figures(frame: pd.DataFrame, file_name: str) -> None:
    """Finite values; firearms as non-negative whole counts within MAX_FIREARMS_PER_YEAR for each
    year a figure covers; U.S.-sourced never above the firearms traced in the same window."""
    value = frame["value"].astype(float)
    label = frame["start"].astype(int).astype(str) + "-" + frame["end"].astype(int).astype(str) + " " + frame["metric"]
    problems = [
        (~np.isfinite(value), "is not a finite number"),
        ((frame["unit"] == "firearms") & (value < 0), "is negative"),
        ((frame["unit"] == "firearms") & np.isfinite(value) & (value % 1 != 0), "is not a whole count"),
        ((frame["unit"] == "firearms")
         & (value > MAX_FIREARMS_PER_YEAR * (frame["end"] - frame["start"] + 1)),
         f"is above {MAX_FIREARMS_PER_YEAR:,} firearms a year covered"),
    ]
    for bad, why in problems:
        if bad.any():
            first = bad.to_numpy().nonzero()[0][0]
            raise SanityError(f"{file_name}: {bad.sum()} figure(s) wrong: {label.iloc[first]} = "
                              f"{frame['value'].iloc[first]!r} {why}")
    counts = frame[frame["metric"].isin([TRACED, US_SOURCED])].pivot_table(
        index=["start", "end"], columns="metric", values="value", aggfunc="first")
    if {TRACED, US_SOURCED} <= set(counts.columns):
        over = counts[counts[US_SOURCED] > counts[TRACED]]
        if not over.empty:
            (start, end), row = next(iter(over.iterrows()))
            raise SanityError(f"{file_name}: {int(start)}-{int(end)}: U.S.-sourced {row[US_SOURCED]:,.0f} exceeds "
                              f"firearms traced {row[TRACED]:,.0f}")


def raw_files(raw_dir: Path) -> list[Path]:
    return sorted((raw_dir / RAW_SUBDIR).glob("*.csv"))


def window_label(start: int, end: int) -> str:
    return str(start) if start == end else f"{start}–{end}"


def _figures(frame: pd.DataFrame) -> pd.DataFrame:
    """Tidy observations from figures (start, end, metric, value, unit, confidence, citation, url)."""
    tidy = pd.DataFrame({
        "period": [dt.date(int(s), 1, 1) for s in frame["start"]],
        "geo": "MX",
        "metric": frame["metric"].to_numpy(),
        "end_year": [str(int(e)) for e in frame["end"]],
        "window": [window_label(int(s), int(e)) for s, e in zip(frame["start"], frame["end"], strict=True)],
        "unit": frame["unit"].to_numpy(),
        "confidence": frame["confidence"].to_numpy(),
        "citation": frame["citation"].to_numpy(),
        "url": frame["url"].to_numpy(),
        "value": frame["value"].to_numpy(dtype=float),
        "flags": frame["flags"].to_numpy(),
    })
    # Derived share for every window with both counts, unless a share is already stated for it.
    counts = tidy[tidy["metric"].isin([TRACED, US_SOURCED])].pivot_table(
        index=["period", "end_year", "window"], columns="metric", values="value", aggfunc="first")
    stated = set(zip(tidy.loc[tidy["metric"] == SHARE, "period"], tidy.loc[tidy["metric"] == SHARE, "end_year"],
                     strict=True))
    derived = []
    if {TRACED, US_SOURCED} <= set(counts.columns):
        both = counts.dropna(subset=[TRACED, US_SOURCED])
        for (period, end_year, _window), row in both.iterrows():
            if (period, end_year) in stated:
                continue
            source = tidy[(tidy["period"] == period) & (tidy["end_year"] == end_year) & (tidy["metric"] == US_SOURCED)]
            confidence = max(tidy.loc[(tidy["period"] == period) & (tidy["end_year"] == end_year)
                                      & tidy["metric"].isin([TRACED, US_SOURCED]), "confidence"],
                             key=CONFIDENCE.index)
            derived.append({**source.iloc[0].to_dict(), "metric": SHARE, "unit": "percent", "confidence": confidence,
                            "value": row[US_SOURCED] / row[TRACED] * 100,
                            "flags": source.iloc[0]["flags"] + ",derived"})
    if derived:
        tidy = pd.concat([tidy, pd.DataFrame(derived)], ignore_index=True)
    require_unique(tidy, ["period", "end_year", "metric"], "ATF figures")
    tidy["indicator"] = INDICATOR
    tidy["value_predicted"] = None
    return tidy


def parse_csv(content: bytes, file_name: str) -> pd.DataFrame:
    raw = read_csv_cells(content, file_name)
    require_columns(raw, COLUMNS, file_name)
    if raw.empty:
        raise SanityError(f"{file_name}: no figures")
    start = pd.to_numeric(raw["period_start"], errors="coerce")
    end = pd.to_numeric(raw["period_end"], errors="coerce")
    value = pd.to_numeric(raw["value"].str.replace(",", "", regex=False), errors="coerce")
    bad = start.isna() | end.isna() | value.isna() | (end < start)
    if bad.any():
        row = raw[bad].iloc[0]
        raise SanityError(f"{file_name}: unreadable figure {row['period_start']}-{row['period_end']} "
                          f"{row['metric']} = {row['value']!r}")
    unknown = set(raw["confidence"]) - set(CONFIDENCE)
    if unknown:
        raise SanityError(f"{file_name}: confidence must be one of {', '.join(CONFIDENCE)}, found {sorted(unknown)}")
    require_range(value[raw["unit"] == "percent"], 0, 100, f"{file_name}: percent figures")
    frame = pd.DataFrame({
        "start": start, "end": end, "metric": raw["metric"], "unit": raw["unit"], "value": value,
        "confidence": raw["confidence"], "citation": raw["primary_source"], "url": raw["primary_source_url"],
        "flags": ["annual" if s == e else "annual,window" for s, e in zip(start, end, strict=True)],
    })
    check_figures(frame, file_name)
    tidy = _figures(frame)
    cited = [day for day in map(publication_date, raw[DATED_BY]) if day is not None]
    if cited:
        tidy.attrs["cited_as_of"] = max(cited)
    return tidy


def report_text(content: bytes, file_name: str) -> str:
    import pdfplumber  # imported here: only the live fetch and its tests read PDFs

    try:
        with pdfplumber.open(io.BytesIO(content)) as pdf:
            return "\n".join(page.extract_text() or "" for page in pdf.pages)
    except Exception as exc:  # pdfminer raises many kinds for a broken file
        raise SanityError(f"{file_name}: not a readable PDF ({exc.__class__.__name__})") from exc


def parse_report(content: bytes, file_name: str, url: str | None = None) -> pd.DataFrame:
    """The per-year table of an ATF Mexico report: (year, firearms traced, U.S.-sourced)."""
    text = report_text(content, file_name)
    title = re.search(r"Mexico\s+(?P<start>(?:19|20)\d\d)\s*[-–]\s*(?P<end>(?:19|20)\d\d)", text)
    if not title:
        raise SanityError(f"{file_name}: no 'Mexico <year>-<year>' title; is this ATF's Mexico trace report?")
    first, last = int(title["start"]), int(title["end"])
    rows = [m.groupdict() for m in map(ROW.match, text.splitlines()) if m]
    years = {int(r["year"]): r for r in rows if first <= int(r["year"]) <= last}
    missing = [y for y in range(first, last + 1) if y not in years]
    if missing:
        raise SanityError(f"{file_name}: the per-year table lacks {', '.join(map(str, missing))}")
    citation = f"ATF, Firearms Trace Data: Mexico {first}-{last}"
    figures = []
    for year, row in sorted(years.items()):
        traced, us = (int(row[k].replace(",", "")) for k in ("traced", "us"))
        if us > traced:
            raise SanityError(f"{file_name}: {year}: U.S.-sourced {us:,} exceeds firearms traced {traced:,}")
        for metric, value in ((TRACED, traced), (US_SOURCED, us)):
            figures.append({"start": year, "end": year, "metric": metric, "unit": "firearms", "value": value,
                            "confidence": "high", "citation": citation, "url": url or "", "flags": "annual"})
    frame = pd.DataFrame(figures)
    check_figures(frame, file_name)
    return _figures(frame)


def parse(content: bytes, file_name: str) -> pd.DataFrame:
    return parse_report(content, file_name) if content[:5] == b"%PDF-" else parse_csv(content, file_name)


def published_on(tidy: pd.DataFrame, file_name: str) -> tuple[dt.date, str]:
    """A curated file is as new as the newest report it cites (a date given to the month is its
    last day, to the year 31 December); ATF releases its Mexico report about ten months after
    the last year it covers."""
    if tidy.attrs.get("cited_as_of"):
        return tidy.attrs["cited_as_of"], "estimated: the month of the newest report the figures cite (as_of)"
    last = max(int(y) for y in tidy["end_year"])
    return dt.date(last + 1, 10, 1), "estimated: about ten months after the last year covered (ATF's usual lag)"


def build_record(content: bytes, file_name: str, *, url: str | None = None,
                 published: tuple[dt.date, str] | None = None) -> VintageRecord:
    tidy = parse_report(content, file_name, url) if content[:5] == b"%PDF-" else parse_csv(content, file_name)
    return make_record(SOURCE_ID, content, file_name, tidy, published or published_on(tidy, file_name), url)


def record_from_file(path: Path) -> VintageRecord:
    return build_record(path.read_bytes(), path.name)


def build_records(content: bytes, file_name: str, *, url: str | None = None,
                  published: tuple[dt.date, str] | None = None) -> list[VintageRecord]:
    """The releases a file holds, oldest first: an ATF report is one; the curated table of
    figures is one per date its figures were published (``as_of``), so the figures as known on a
    date are those published by then (``etl.source``: tables of dated publications)."""
    whole = build_record(content, file_name, url=url, published=published)
    if content[:5] == b"%PDF-":
        return [whole]
    return dated_records(SOURCE_ID, content, file_name, parse_csv, published_on, DATED_BY, whole)


def records_from_file(path: Path) -> list[VintageRecord]:
    return build_records(path.read_bytes(), path.name)


def download_link(page_html: str, page_url: str) -> str:
    links = [link for link in http.links(page_html, page_url) if re.search(r"/file/\d+/download", link)]
    if not links:
        raise SanityError(f"no report download link (/file/<id>/download) on {page_url}")
    return links[0]


def fetch_latest(session: requests.Session | None = None, today: dt.date | None = None,
                 page_url: str = PAGE_URL) -> VintageRecord:
    """The newest six-year Mexico report: its page, then the PDF it links."""
    session = session or http.make_session()
    hosts = load_origin(SOURCE_ID)["hosts"]
    year = (today or dt.date.today()).year
    failures = []
    for end in range(year - 1, year - 4, -1):
        url = page_url.format(start=end - REPORT_YEARS + 1, end=end)
        try:
            page = http.get(session, url, hosts=hosts)
        except SanityError as exc:
            failures.append(str(exc))
            continue
        pdf_url = download_link(page.text, url)
        response = http.get(session, pdf_url, hosts=hosts)
        return build_record(response.content, f"atf-mexico-{end - REPORT_YEARS + 1}-{end}.pdf", url=pdf_url,
                            published=http.last_modified(response))
    raise http.none_found("an ATF Mexico trace report page", failures)
