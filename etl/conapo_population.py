"""CONAPO population projections (Mexico): mid-year population by state and year, the
denominator of rates per 100,000 people: parse → sanity checks → vintage record.

The file covers 1950-2070 (conciliation 1950-2019, projections from 2020). Only the ``Total``
sex rows and the mid-year column are kept. Each year is stored at its January month
(``period`` = YYYY-01-01) with the flag ``annual``; years after the release year are flagged
``projection``.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from etl.common import SanityError, read_csv_cells, require_columns, require_range, require_unique
from etl.geography import INEGI_TO_CODE
from etl.source import FileSource

SOURCE_ID = "conapo_population"
RAW_SUBDIR = "mexico"
INDICATOR = "conapo_population_mid_year"
COLUMNS = ["n_year", "cve_ent", "genero", "pob_mid_year"]
# The projections were published in 2023 (revised 2024); years from 2020 are projections.
FIRST_PROJECTED_YEAR = 2020



def parse(content: bytes, file_name: str) -> pd.DataFrame:
    raw = read_csv_cells(content, file_name)
    require_columns(raw, COLUMNS, file_name)
    raw = raw[raw["genero"].str.strip().str.lower() == "total"]
    if raw.empty:
        raise SanityError(f"{file_name}: no genero=Total rows")
    geo = raw["cve_ent"].str.strip().str.zfill(2).map(INEGI_TO_CODE)
    if geo.isna().any():
        raise SanityError(f"{file_name}: unknown cve_ent {raw.loc[geo.isna(), 'cve_ent'].iloc[0]!r}")
    year = pd.to_numeric(raw["n_year"], errors="coerce")
    population = pd.to_numeric(raw["pob_mid_year"].str.replace(",", "", regex=False), errors="coerce")
    if year.isna().any() or population.isna().any():
        bad = int((year.isna() | population.isna()).sum())
        raise SanityError(f"{file_name}: unreadable year or population in {bad} rows")
    tidy = pd.DataFrame({
        "period": [dt.date(int(y), 1, 1) for y in year],
        "geo": geo.to_numpy(),
        "value": population.to_numpy(dtype=float),
        "flags": ["annual,projection" if y >= FIRST_PROJECTED_YEAR else "annual" for y in year],
    })
    require_unique(tidy, ["period", "geo"], file_name)
    require_range(tidy.loc[tidy["geo"] == "MX", "value"], 20e6, 200e6, f"{file_name}: national population")
    require_range(tidy.loc[tidy["geo"] != "MX", "value"], 50e3, 25e6, f"{file_name}: state population")
    national = tidy[tidy["geo"] == "MX"].set_index("period")["value"]
    states = tidy[tidy["geo"] != "MX"].groupby("period")["value"].sum()
    off = (states / national - 1).abs()
    if (off > 0.001).any():
        raise SanityError(f"{file_name}: the states do not add up to the national total in "
                          f"{off[off > 0.001].index[0]:%Y} ({off.max():.2%} apart)")
    tidy["indicator"] = INDICATOR
    tidy["value_predicted"] = None
    return tidy


def published_on(tidy: pd.DataFrame, file_name: str) -> tuple[dt.date, str]:
    return dt.date(2023, 6, 1), "estimated: CONAPO's 2020-2070 projections were released mid-2023"


SOURCE = FileSource(SOURCE_ID, f"{RAW_SUBDIR}/conapo_poblacion_*.csv", parse, published_on)
raw_files, build_record, record_from_file = SOURCE.raw_files, SOURCE.build_record, SOURCE.record_from_file
