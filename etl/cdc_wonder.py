"""CDC WONDER provisional mortality export: true monthly T40.4 deaths by residence state.

WONDER leaves out cells under 10 deaths. A state-month missing from the export of a state that
appears in it is published as a NULL value flagged ``suppressed`` (0-9 deaths), never as 0.
There is no national row: summing states would undercount.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from etl.common import SanityError, next_month, read_csv_cells, require_columns, require_range, require_unique
from etl.geography import FIPS_TO_CODE
from etl.source import FileSource

SOURCE_ID = "cdc_wonder"
RAW_SUBDIR = "cdc_vsrr"
INDICATOR = "cdc_synthetic_opioid_deaths_monthly"
COLUMNS = ["Month Code", "Residence State Code", "Multiple Cause of death Code", "Deaths"]



def parse(content: bytes, file_name: str) -> pd.DataFrame:
    raw = read_csv_cells(content, file_name)
    require_columns(raw, COLUMNS, file_name)
    # WONDER appends footnote lines ("---", query notes) with an empty Month Code.
    raw = raw[raw["Month Code"].str.strip() != ""]
    if raw.empty:
        raise SanityError(f"{file_name}: no data rows")
    causes = set(raw["Multiple Cause of death Code"].str.strip())
    if causes != {"T40.4"}:
        raise SanityError(f"{file_name}: expected only cause T40.4, found {sorted(causes)}")
    match = raw["Month Code"].str.strip().str.extract(r"^(\d{4})/(\d{2})$")
    if match.isna().any(axis=None):
        raise SanityError(f"{file_name}: unreadable Month Code {raw['Month Code'].iloc[0]!r}")
    geo = raw["Residence State Code"].str.strip().str.zfill(2).map(FIPS_TO_CODE)
    if geo.isna().any():
        raise SanityError(f"{file_name}: unknown state FIPS {raw.loc[geo.isna(), 'Residence State Code'].iloc[0]!r}")
    deaths = pd.to_numeric(raw["Deaths"].str.replace(",", "", regex=False), errors="coerce")
    if deaths.isna().any():
        raise SanityError(f"{file_name}: Deaths is not a number: {raw.loc[deaths.isna(), 'Deaths'].iloc[0]!r}")
    reported = pd.DataFrame(
        {
            "period": [dt.date(int(y), int(m), 1) for y, m in zip(match[0], match[1], strict=True)],
            "geo": geo.to_numpy(),
            "value": deaths.to_numpy(dtype=float),
        }
    )
    require_unique(reported, ["period", "geo"], file_name)
    require_range(reported["value"], 10, 20_000, f"{file_name}: monthly deaths")

    months = pd.date_range(min(reported["period"]), max(reported["period"]), freq="MS").date
    grid = pd.MultiIndex.from_product([months, sorted(reported["geo"].unique())], names=["period", "geo"])
    tidy = reported.set_index(["period", "geo"]).reindex(grid).reset_index()
    provisional_from = dt.date(2024, 1, 1)
    tidy["flags"] = [
        ",".join(
            flag for flag, on in (
                ("provisional", period >= provisional_from),
                ("suppressed", pd.isna(value)),
            ) if on
        )
        for period, value in zip(tidy["period"], tidy["value"], strict=True)
    ]
    tidy["indicator"] = INDICATOR
    tidy["value_predicted"] = None
    return tidy


def published_on(tidy: pd.DataFrame, file_name: str) -> tuple[dt.date, str]:
    """WONDER provisional data lag about six months; exports carry no release date."""
    return (
        next_month(max(tidy["period"]), 6).replace(day=1),
        "estimated: six months after the last data month (WONDER exports carry no date)",
    )


SOURCE = FileSource(SOURCE_ID, f"{RAW_SUBDIR}/wonder_*.csv", parse, published_on)
raw_files, build_record, record_from_file = SOURCE.raw_files, SOURCE.build_record, SOURCE.record_from_file



