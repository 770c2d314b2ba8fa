"""SESNSP victims of crime (Mexico): homicide, feminicide and firearm-injury victims by state,
month and weapon: fetch → parse → sanity checks → vintage record.

Two shapes of the same data are read:

* SESNSP's own victims file (``IDVFC_NM_<mes><aa>.csv``): cp1252/latin-1, Spanish headers, one
  row per state × crime type × subtype × weapon (``Modalidad``) × sex × age band, one column per
  month (``Enero`` … ``Diciembre``), empty or ``NA`` for months not yet published;
* the long UTF-8 table derived from it (``fecha, cve_ent, …, modalidad, victimas``), already
  summed over sex and age.

Both become one tidy series ``sesnsp_victims`` by month, state (ISO 3166-2) and the national
total ``MX`` (the sum of the 32 states), with dimensions ``crime`` (``homicidio_doloso``,
``feminicidio``, ``lesiones_dolosas``) and ``weapon`` (``firearm``, ``knife``, ``other``,
``unspecified``). Firearm injuries are only published as such, so ``lesiones_dolosas`` has the
``firearm`` weapon alone. SESNSP revises recent months in every release; the last 12 months of a
release are flagged ``provisional``.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from urllib.parse import urlsplit

import pandas as pd
import requests

from etl import http
from etl.common import SanityError, load_origin, next_month, require_columns, require_range, require_unique
from etl.geography import INEGI_TO_CODE, MX_STATES
from etl.source import FileSource
from etl.store import VintageRecord

SOURCE_ID = "sesnsp_homicides"
RAW_SUBDIR = "mexico"
INDICATOR = "sesnsp_victims"
LIVE_BASE = "https://repodatos.atdt.gob.mx/api_update/sesnsp/incidencia_delictiva/"
SPANISH_MONTHS = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
                  "septiembre", "octubre", "noviembre", "diciembre"]
FILE_MONTHS = ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"]
CRIMES = {  # (tipo, subtipo) normalised → crime code
    ("homicidio", "homicidio doloso"): "homicidio_doloso",
    ("feminicidio", "feminicidio"): "feminicidio",
    ("lesiones", "lesiones dolosas"): "lesiones_dolosas",
}
WEAPONS = {
    "con arma de fuego": "firearm",
    "con arma blanca": "knife",
    "con otro elemento": "other",
    "no especificado": "unspecified",
}
PROVISIONAL_MONTHS = 12
# National homicide victims per month have been between ~1,300 (2015) and ~3,100 (2018-2019).
NATIONAL_HOMICIDES_RANGE = (500, 6_000)



def _key(name: str) -> str:
    """A header or label without accents, case or extra spaces: 'Año' → 'ano'."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    return re.sub(r"[\s_]+", " ", text).strip().lower()


def decode(content: bytes, file_name: str) -> str:
    """UTF-8 (with or without BOM) or, as SESNSP publishes, cp1252/latin-1."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise SanityError(f"{file_name}: neither UTF-8 nor cp1252 text ({exc})") from exc


def _read(content: bytes, file_name: str) -> pd.DataFrame:
    try:
        raw = pd.read_csv(io.StringIO(decode(content, file_name)), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise SanityError(f"{file_name}: not a readable CSV ({exc})") from exc
    raw.columns = [_key(c) for c in raw.columns]
    return raw.apply(lambda col: col.str.strip())


def _counts(column: pd.Series, file_name: str, name: str) -> pd.Series:
    text = column.str.replace(",", "", regex=False)
    values = pd.to_numeric(text.mask(text.isin(["", "NA", "N/A", "ND"])), errors="coerce")
    bad = values.isna() & ~text.isin(["", "NA", "N/A", "ND"])
    if bad.any():
        raise SanityError(f"{file_name}: {name} is not a number: {column[bad].iloc[0]!r}")
    return values


def _long_from_wide(raw: pd.DataFrame, file_name: str) -> pd.DataFrame:
    require_columns(raw, ["ano", "clave ent", "tipo de delito", "subtipo de delito", "modalidad",
                          *SPANISH_MONTHS], file_name)
    frames = []
    for number, month in enumerate(SPANISH_MONTHS, 1):
        frames.append(pd.DataFrame({
            "year": raw["ano"], "month": number, "cve_ent": raw["clave ent"],
            "tipo": raw["tipo de delito"], "subtipo": raw["subtipo de delito"],
            "modalidad": raw["modalidad"], "victims": _counts(raw[month], file_name, month.capitalize()),
        }))
    long = pd.concat(frames, ignore_index=True)
    return long[long["victims"].notna()]  # months not published yet


def _long_from_derived(raw: pd.DataFrame, file_name: str) -> pd.DataFrame:
    require_columns(raw, ["fecha", "cve ent", "tipo de delito", "subtipo de delito", "modalidad", "victimas"],
                    file_name)
    parts = raw["fecha"].str.extract(r"^(\d{4})-(\d{2})$")
    if parts.isna().any(axis=None):
        raise SanityError(f"{file_name}: unreadable fecha {raw.loc[parts[0].isna(), 'fecha'].iloc[0]!r}")
    victims = _counts(raw["victimas"], file_name, "victimas")
    if victims.isna().any():
        raise SanityError(f"{file_name}: victimas is empty in {int(victims.isna().sum())} rows")
    return pd.DataFrame({"year": parts[0], "month": parts[1].astype(int), "cve_ent": raw["cve ent"],
                         "tipo": raw["tipo de delito"], "subtipo": raw["subtipo de delito"],
                         "modalidad": raw["modalidad"], "victims": victims})


def parse(content: bytes, file_name: str) -> pd.DataFrame:
    """Tidy victims by month, state/national, crime and weapon from one release."""
    raw = _read(content, file_name)
    if raw.empty:
        raise SanityError(f"{file_name}: no data rows")
    long = _long_from_derived(raw, file_name) if "fecha" in raw.columns else _long_from_wide(raw, file_name)
    long["crime"] = [CRIMES.get((_key(t), _key(s))) for t, s in zip(long["tipo"], long["subtipo"], strict=True)]
    long = long[long["crime"].notna()]
    if long.empty:
        raise SanityError(f"{file_name}: no homicidio doloso / feminicidio / lesiones dolosas rows; "
                          "is this SESNSP's victims file?")
    long["weapon"] = long["modalidad"].map(lambda m: WEAPONS.get(_key(m)))
    unknown = long["weapon"].isna()
    if unknown.any():
        raise SanityError(f"{file_name}: unknown modalidad {long.loc[unknown, 'modalidad'].iloc[0]!r}")
    long = long[(long["crime"] != "lesiones_dolosas") | (long["weapon"] == "firearm")]
    long["geo"] = long["cve_ent"].str.zfill(2).map(INEGI_TO_CODE)
    if long["geo"].isna().any() or (long["geo"] == "MX").any():
        bad = long.loc[long["geo"].isna() | (long["geo"] == "MX"), "cve_ent"].iloc[0]
        raise SanityError(f"{file_name}: unknown state key (cve_ent) {bad!r}")
    year = pd.to_numeric(long["year"], errors="coerce")
    if year.isna().any():
        raise SanityError(f"{file_name}: unreadable year {long.loc[year.isna(), 'year'].iloc[0]!r}")
    long["period"] = [dt.date(int(y), int(m), 1) for y, m in zip(year, long["month"], strict=True)]
    require_range(long["victims"], 0, 10_000, f"{file_name}: victims per state and month")
    # Sum over sex and age band (the wide file's extra rows); the derived file is already summed.
    states = long.groupby(["period", "geo", "crime", "weapon"], as_index=False)["victims"].sum()
    require_unique(states, ["period", "geo", "crime", "weapon"], file_name)
    national = states.groupby(["period", "crime", "weapon"], as_index=False)["victims"].sum().assign(geo="MX")
    tidy = pd.concat([states, national], ignore_index=True).rename(columns={"victims": "value"})
    last = max(tidy["period"])
    provisional_from = next_month(last, -(PROVISIONAL_MONTHS - 1))
    tidy["flags"] = ["provisional" if p >= provisional_from else "" for p in tidy["period"]]
    tidy["indicator"] = INDICATOR
    tidy["value_predicted"] = None
    sanity_check_outputs(tidy, file_name)
    return tidy


def sanity_check_outputs(tidy: pd.DataFrame, file_name: str) -> None:
    periods = pd.to_datetime(tidy["period"]).dt.to_period("M")
    months = pd.period_range(periods.min(), periods.max(), freq="M")
    missing = months.difference(periods.unique())
    if len(missing):
        raise SanityError(f"{file_name}: months with no rows inside the release: {list(map(str, missing))[:6]}")
    states_per_month = tidy[tidy["geo"] != "MX"].groupby("period")["geo"].nunique()
    short = states_per_month[states_per_month != len(MX_STATES)]
    if not short.empty:
        raise SanityError(f"{file_name}: {short.index[0]:%Y-%m} has {short.iloc[0]} states, expected "
                          f"{len(MX_STATES)}")
    homicides = tidy[(tidy["geo"] == "MX") & (tidy["crime"] == "homicidio_doloso")].groupby("period")["value"].sum()
    low, high = NATIONAL_HOMICIDES_RANGE
    require_range(homicides, low, high, f"{file_name}: national homicidio doloso victims per month")


def published_on(tidy: pd.DataFrame, file_name: str) -> tuple[dt.date, str]:
    """SESNSP publishes each month's cut around the 20th of the following month."""
    return (next_month(max(tidy["period"])).replace(day=20),
            "estimated: the 20th of the month after the last data month (SESNSP's usual release day)")


SOURCE = FileSource(SOURCE_ID, f"{RAW_SUBDIR}/sesnsp_victimas_homicidio_estatal_mensual_*.csv", parse, published_on)
raw_files, build_record, record_from_file = SOURCE.raw_files, SOURCE.build_record, SOURCE.record_from_file


def closed_through() -> dt.date:
    """The last month of the series: SESNSP closed it when it moved to the RNID register (origin file)."""
    year, month = load_origin(SOURCE_ID)["closed"]["through"].split("-")
    return dt.date(int(year), int(month), 1)


def candidate_urls(today: dt.date, months_back: int = 4, base: str = LIVE_BASE) -> list[str]:
    """Victims files named for the months SESNSP may have published last, newest first
    (``IDVFC_NM_jun25.csv`` is the cut with data to June 2025, published in July). Cuts made after
    the series closed carry the new name of its republished history
    (``Estatal-Víctimas-2015-2025_mar2026.csv``, the March 2026 cut of the 2015-2025 series)."""
    urls = []
    for back in range(1, months_back + 1):
        month = next_month(today.replace(day=1), -back)
        short = FILE_MONTHS[month.month - 1]
        if month <= closed_through():
            urls.append(f"{base}IDVFC_NM_{short}{month.year % 100:02d}.csv")
        else:
            urls.append(f"{base}Estatal-Víctimas-2015-2025_{short}{month.year}.csv")
    return urls


def fetch_latest(session: requests.Session | None = None, today: dt.date | None = None,
                 base: str = LIVE_BASE) -> VintageRecord:
    """The newest victims cut on the open-data mirror: the most recent month name that exists.
    Past the series' close, a search that finds nothing says the series closed and where SESNSP
    went (the RNID source), never only "not found"."""
    session = session or http.make_session()
    today = today or dt.date.today()
    hosts = load_origin(SOURCE_ID)["hosts"] if base == LIVE_BASE else [urlsplit(base).hostname]
    failures = []
    for url in candidate_urls(today, base=base):
        try:
            response = http.get(session, url, hosts=hosts)
        except SanityError as exc:
            failures.append(str(exc))
            continue
        file_name = url.rsplit("/", 1)[-1]
        return build_record(response.content, file_name, url=url, published=http.last_modified(response))
    error = http.none_found("the newest SESNSP victims file", failures)
    if today > closed_through():
        closed = load_origin(SOURCE_ID)["closed"]
        raise SanityError(f"series closed at {closed['through']}: SESNSP moved to the RNID register in January "
                          f"2026 (source {closed['successor']}, not comparable); no newer cut of the 2015-2025 "
                          f"series either: {error}")
    raise error
