"""SESNSP's Registro Nacional de Incidencia Delictiva (RNID, January 2026 on): crimes (carpetas de
investigación) by state, month and crime: fetch → parse → sanity checks → vintage record.

From January 2026 SESNSP publishes its monthly crime statistics in a new register with a new crime
catalogue that it calls not directly comparable with the 2015-2025 series (methodology CNSP/38/15,
behind ``sesnsp_homicides``, which closed at 2025-12). The state file
``RNID-Delitos_Estatal-<aaaa>-<mes><aaaa>.csv`` is cp1252, Spanish headers, one row per state ×
bien jurídico × tipo × subtipo × modalidad, one column per month (``Enero`` … ``Diciembre``), blank
for months not yet published.

Every crime of the catalogue becomes one tidy series ``sesnsp_rnid_crimes`` by month, state (ISO
3166-2) and the national total ``MX`` (the sum of the 32 states), with dimensions ``crime_group``
(bien jurídico), ``crime_type`` (tipo), ``crime`` (subtipo) and ``modality`` (modalidad), each an
ASCII slug of SESNSP's label (``homicidio_doloso``, ``feminicidio``, ``homicidio_culposo``, …). The
unit is crimes, never victims: the series is never joined to the victims series. The last 12 months
of a release are flagged ``provisional`` (SESNSP revises recent months in every cut).

The live refresh reads SESNSP's datos-abiertos page for links named like the files (CSV or a ZIP
holding one CSV), newest cut first; the victims family (``RNID-Víctimas_Estatal-…``) is found and
named in the log but not loaded yet (its shape is not checked against a real file).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import unicodedata
import zipfile
from urllib.parse import unquote, urlsplit

import pandas as pd
import requests

from etl import http
from etl.common import SanityError, load_origin, next_month, require_columns, require_range, require_unique
from etl.geography import INEGI_TO_CODE, MX_STATES
from etl.sesnsp_homicides import FILE_MONTHS, SPANISH_MONTHS, decode
from etl.source import FileSource
from etl.store import VintageRecord

SOURCE_ID = "sesnsp_rnid"
RAW_SUBDIR = "mexico"
INDICATOR = "sesnsp_rnid_crimes"
PAGE_URL = "https://www.gob.mx/sesnsp/acciones-y-programas/datos-abiertos-de-incidencia-delictiva"
FALLBACK_BASE = "https://repodatos.atdt.gob.mx/api_update/sesnsp/incidencia_delictiva/"
# RNID-Delitos_Estatal-2026-mar2026.csv, RNID-Víctimas_Estatal-2026-mar2026.zip (the accent is
# sometimes dropped in the ZIP's name).
FILE_NAME = re.compile(r"RNID-(?P<family>Delitos|V[ií]ctimas)_Estatal-(?P<year>\d{4})-(?P<mes>[a-z]{3})"
                       r"(?P<cut_year>\d{4})\.(?P<ext>csv|zip)$", re.IGNORECASE)
DIMENSIONS = ["crime_group", "crime_type", "crime", "modality"]
PROVISIONAL_MONTHS = 12
# National homicidio doloso carpetas: about 1,200-1,400 a month in early 2026 (victims ran 1,300 to
# 3,100 a month in 2015-2025; carpetas are fewer). A file read in another unit, or one state
# repeated, falls outside.
NATIONAL_HOMICIDES_RANGE = (300, 6_000)
MAX_PER_CELL = 100_000  # crimes of one kind in one state and month (the largest are ~25,000 thefts)
log = logging.getLogger(__name__)


def slug(label: str) -> str:
    """SESNSP's label as a stable ASCII id: 'Homicidio doloso' → 'homicidio_doloso'."""
    text = unicodedata.normalize("NFKD", str(label)).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def _key(name: str) -> str:
    return slug(name).replace("_", " ")


def _counts(column: pd.Series, file_name: str, month: str) -> pd.Series:
    text = column.str.replace(",", "", regex=False)
    blank = text.isin(["", "NA", "N/A", "ND"])
    values = pd.to_numeric(text.mask(blank), errors="coerce")
    bad = values.isna() & ~blank
    if bad.any():
        raise SanityError(f"{file_name}: {month} is not a number: {column[bad].iloc[0]!r}")
    return values


def parse(content: bytes, file_name: str) -> pd.DataFrame:
    """Tidy crimes by month, state/national and crime from one RNID state release."""
    try:
        raw = pd.read_csv(io.StringIO(decode(content, file_name)), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise SanityError(f"{file_name}: not a readable CSV ({exc})") from exc
    raw.columns = [_key(c) for c in raw.columns]
    if raw.empty:
        raise SanityError(f"{file_name}: no data rows")
    labels = ["bien juridico afectado", "tipo de delito", "subtipo de delito", "modalidad"]
    require_columns(raw, ["ano", "clave ent", *labels, *SPANISH_MONTHS], file_name)
    if "sexo" in raw.columns:
        raise SanityError(f"{file_name}: has a Sexo column: a victims file, not the RNID crimes (delitos) file")
    raw = raw.apply(lambda col: col.str.strip())
    frames = []
    for number, month in enumerate(SPANISH_MONTHS, 1):
        frames.append(raw[["ano", "clave ent", *labels]].assign(month=number, value=_counts(
            raw[month], file_name, month.capitalize())))
    long = pd.concat(frames, ignore_index=True)
    published = long.groupby("month")["value"].apply(lambda v: v.notna().any())
    months = [m for m, any_value in published.items() if any_value]
    if not months:
        raise SanityError(f"{file_name}: no month has any value")
    if months != list(range(1, max(months) + 1)):
        raise SanityError(f"{file_name}: published months are not January to the newest one: "
                          f"{[SPANISH_MONTHS[m - 1] for m in months]}")
    long = long[long["month"].isin(months)]
    if long["value"].isna().any():  # a blank cell inside a published month: a cut or broken file
        row = long[long["value"].isna()].iloc[0]
        raise SanityError(f"{file_name}: {int(long['value'].isna().sum())} blank cell(s) in published months, "
                          f"e.g. {SPANISH_MONTHS[row['month'] - 1]} of state {row['clave ent']!r}, "
                          f"{row['subtipo de delito']!r}")
    fractions = long["value"].mod(1) != 0
    if fractions.any():
        raise SanityError(f"{file_name}: whole counts have fractions (e.g. {long.loc[fractions, 'value'].iloc[0]})")
    require_range(long["value"], 0, MAX_PER_CELL, f"{file_name}: crimes per state, crime and month")
    long["geo"] = long["clave ent"].str.zfill(2).map(INEGI_TO_CODE)
    if long["geo"].isna().any() or (long["geo"] == "MX").any():
        bad = long.loc[long["geo"].isna() | (long["geo"] == "MX"), "clave ent"].iloc[0]
        raise SanityError(f"{file_name}: unknown state key (Clave_Ent) {bad!r}")
    year = pd.to_numeric(long["ano"], errors="coerce")
    if year.isna().any() or year.nunique() != 1:
        raise SanityError(f"{file_name}: expected one year in Año, found {sorted(set(long['ano']))[:4]}")
    long["period"] = [dt.date(int(y), int(m), 1) for y, m in zip(year, long["month"], strict=True)]
    for dim, label in zip(DIMENSIONS, labels, strict=True):
        long[dim] = long[label].map(slug)
    empty = (long[DIMENSIONS] == "").any(axis=1)
    if empty.any():
        raise SanityError(f"{file_name}: {int(empty.sum())} row(s) with an empty crime label")
    states = long[["period", "geo", *DIMENSIONS, "value"]]
    require_unique(states, ["period", "geo", *DIMENSIONS], file_name)
    national = states.groupby(["period", *DIMENSIONS], as_index=False)["value"].sum().assign(geo="MX")
    tidy = pd.concat([states, national], ignore_index=True)
    last = max(tidy["period"])
    provisional_from = next_month(last, -(PROVISIONAL_MONTHS - 1))
    tidy["flags"] = ["provisional" if p >= provisional_from else "" for p in tidy["period"]]
    tidy["indicator"] = INDICATOR
    tidy["value_predicted"] = None
    sanity_check_outputs(tidy, file_name)
    return tidy.reset_index(drop=True)


def sanity_check_outputs(tidy: pd.DataFrame, file_name: str) -> None:
    states_per_month = tidy[tidy["geo"] != "MX"].groupby("period")["geo"].nunique()
    short = states_per_month[states_per_month != len(MX_STATES)]
    if not short.empty:
        raise SanityError(f"{file_name}: {short.index[0]:%Y-%m} has {short.iloc[0]} states, expected "
                          f"{len(MX_STATES)}")
    homicides = tidy[(tidy["geo"] == "MX") & (tidy["crime"] == "homicidio_doloso")].groupby("period")["value"].sum()
    if homicides.empty:
        raise SanityError(f"{file_name}: no homicidio doloso rows; is this SESNSP's RNID crimes file?")
    low, high = NATIONAL_HOMICIDES_RANGE
    require_range(homicides, low, high, f"{file_name}: national homicidio doloso crimes per month")


def published_on(tidy: pd.DataFrame, file_name: str) -> tuple[dt.date, str]:
    """SESNSP publishes each month's cut around the 20th of the following month."""
    return (next_month(max(tidy["period"])).replace(day=20),
            "estimated: the 20th of the month after the last data month (SESNSP's usual release day)")


SOURCE = FileSource(SOURCE_ID, f"{RAW_SUBDIR}/RNID-Delitos_Estatal-*.csv", parse, published_on)
raw_files, build_record, record_from_file = SOURCE.raw_files, SOURCE.build_record, SOURCE.record_from_file


def cut_month(file_name: str) -> dt.date | None:
    """The cut a file name carries: 'RNID-Delitos_Estatal-2026-mar2026.csv' → 2026-03-01."""
    found = FILE_NAME.search(unquote(file_name))
    if not found or found["mes"].lower() not in FILE_MONTHS:
        return None
    return dt.date(int(found["cut_year"]), FILE_MONTHS.index(found["mes"].lower()) + 1, 1)


def discover(html: str, page_url: str) -> dict[str, list[str]]:
    """The RNID state files a page links, by family (``delitos``, ``victimas``), newest cut first."""
    found: dict[str, list[tuple[dt.date, str]]] = {"delitos": [], "victimas": []}
    for link in http.links(html, page_url):
        name = unquote(urlsplit(link).path.rsplit("/", 1)[-1])
        match = FILE_NAME.search(name)
        cut = cut_month(name)
        if match and cut:
            family = "delitos" if match["family"].lower() == "delitos" else "victimas"
            found[family].append((cut, link))
    return {family: [url for _, url in sorted(set(items), reverse=True)] for family, items in found.items()}


def candidate_urls(today: dt.date, months_back: int = 4, base: str = FALLBACK_BASE) -> list[str]:
    """Crimes files named for the cuts SESNSP may have published last, newest first, on the
    open-data mirror (used when the page cannot be read: it has sat behind an anti-bot check)."""
    urls = []
    for back in range(1, months_back + 1):
        month = next_month(today.replace(day=1), -back)
        if month.year >= 2026:
            urls.append(f"{base}RNID-Delitos_Estatal-{month.year}-{FILE_MONTHS[month.month - 1]}{month.year}.csv")
    return urls


def csv_bytes(content: bytes, file_name: str) -> tuple[bytes, str]:
    """The CSV itself: SESNSP also links a ZIP holding the one CSV."""
    if not content.startswith(b"PK\x03\x04"):
        return content, file_name
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = [n for n in archive.namelist() if n.lower().endswith(".csv")]
            if len(names) != 1:
                raise SanityError(f"{file_name}: expected one CSV inside the ZIP, found {len(names)}")
            if archive.getinfo(names[0]).file_size > http.MAX_BYTES:
                raise SanityError(f"{file_name}: the CSV inside is larger than the cap of {http.MAX_BYTES:,} bytes")
            return archive.read(names[0]), names[0].rsplit("/", 1)[-1]
    except zipfile.BadZipFile as exc:
        raise SanityError(f"{file_name}: not a readable ZIP ({exc})") from exc


def _page_text(response: requests.Response) -> str:
    """The page as text: its declared charset, else UTF-8 (gob.mx's), else cp1252."""
    if "charset=" in response.headers.get("Content-Type", "").lower():
        return response.text
    try:
        return response.content.decode("utf-8")
    except UnicodeDecodeError:
        return response.content.decode("cp1252", errors="replace")


def fetch_latest(session: requests.Session | None = None, today: dt.date | None = None,
                 page_url: str = PAGE_URL, base: str = FALLBACK_BASE) -> VintageRecord:
    """The newest RNID crimes cut: the files SESNSP's datos-abiertos page links, newest first;
    if the page cannot be read or links none, the file names of the last months on the mirror."""
    session = session or http.make_session()
    origin_hosts = load_origin(SOURCE_ID)["hosts"]
    hosts = origin_hosts if page_url == PAGE_URL else [*origin_hosts, urlsplit(page_url).hostname or ""]
    if base != FALLBACK_BASE:
        hosts = [*hosts, urlsplit(base).hostname or ""]
    failures = []
    found = {"delitos": [], "victimas": []}
    try:
        page = http.get(session, page_url, hosts=hosts, max_bytes=20_000_000)
        found = discover(_page_text(page), page.url or page_url)
    except SanityError as exc:
        failures.append(str(exc))
    if not found["delitos"] and not failures:
        failures.append(f"could not fetch {page_url}: the page links no RNID-Delitos_Estatal file")
    if found["victimas"]:
        log.warning("SESNSP links an RNID victims file (%s); it is not loaded yet (crimes only)",
                    found["victimas"][0].rsplit("/", 1)[-1])
    for url in [*found["delitos"], *candidate_urls(today or dt.date.today(), base=base)]:
        try:
            response = http.get(session, url, hosts=hosts)
        except SanityError as exc:
            failures.append(str(exc))
            continue
        content, file_name = csv_bytes(response.content, unquote(url.rsplit("/", 1)[-1]))
        return build_record(content, file_name, url=url, published=http.last_modified(response))
    raise http.none_found("the newest SESNSP RNID crimes file", failures)
