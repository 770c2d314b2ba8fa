"""CDC WONDER monthly export: absent small cells become NULL + suppressed, never 0."""

from __future__ import annotations

import datetime as dt

import pytest

from etl import cdc_wonder
from etl.common import SanityError

HEADER = ("Notes,Year,Year Code,Month,Month Code,Residence State,Residence State Code,"
          "Multiple Cause of death,Multiple Cause of death Code,Deaths,Population,Crude Rate")


def export(*rows: str) -> bytes:
    return "\n".join([HEADER, *rows]).encode()


def row(month_code: str, state: str, fips: str, deaths: str) -> str:
    year = month_code[:4]
    return (f',{year},{year},"x",{month_code},{state},{fips},Other synthetic narcotics,T40.4,'
            f"{deaths},Not Applicable,Not Applicable")


def test_missing_state_months_are_suppressed_nulls():
    tidy = cdc_wonder.parse(export(
        row("2024/01", "Texas", "48", "150"),
        row("2024/02", "Texas", "48", "160"),
        row("2024/01", "Vermont", "50", "12"),
        '"---",,,,,,,,,,,',
        '"Query Date: Oct 1, 2025",,,,,,,,,,,',
    ), "wonder.csv").set_index(["geo", "period"])
    assert tidy.loc[("TX", dt.date(2024, 2, 1)), "value"] == 160
    vt = tidy.loc[("VT", dt.date(2024, 2, 1))]
    assert vt["value"] != vt["value"]
    assert vt["flags"] == "provisional,suppressed"
    assert len(tidy) == 4


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (export(row("2024/13x", "Texas", "48", "150")), "unreadable Month Code"),
        (export(row("2024/01", "Texas", "98", "150")), "unknown state FIPS"),
        (export(row("2024/01", "Texas", "48", "many")), "Deaths is not a number"),
        (export(row("2024/01", "Texas", "48", "5")), "outside the plausible range"),
        (export(row("2024/01", "Texas", "48", "50").replace("T40.4", "T40.1")), "expected only cause T40.4"),
        (b"Year,Deaths\n2024,5\n", "missing column(s)"),
    ],
)
def test_malformed_exports_are_rejected(content: bytes, message: str):
    with pytest.raises(SanityError) as caught:
        cdc_wonder.parse(content, "wonder.csv")
    assert message in str(caught.value)
