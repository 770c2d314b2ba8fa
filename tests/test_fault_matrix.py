"""The fault matrix: real releases, each bent the way a broken download, a changed export or an
operator's mistake bends it, imported with the real command line on top of the release before it.
Every case must end in one line ``error: …``, exit 2 and an unchanged store — or, for the cases
that are the same release in other bytes, ``unchanged``. ``python -m tests.test_fault_matrix``
prints the table the README carries; a test keeps the two in step."""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from etl import pipeline
from etl.__main__ import main
from etl.store import Observation, list_vintages
from indicators.series import read_series

PROJECT_ROOT = Path(__file__).resolve().parent.parent
FUTURE = (dt.date.today() + dt.timedelta(days=400)).isoformat()


# --- ways to bend a CSV --------------------------------------------------------------------

def table(content: bytes) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    return rows[0], [r for r in rows[1:] if r]


def written(header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def cells(column: str, change: Callable[[str], str], where: Callable[[dict], bool] = lambda r: True):
    def bend(content: bytes) -> bytes:
        header, rows = table(content)
        i = header.index(column)
        for row in rows:
            if where(dict(zip(header, row, strict=False))):
                row[i] = change(row[i])
        return written(header, rows)
    return bend


def rows_where(keep: Callable[[dict], bool]):
    def bend(content: bytes) -> bytes:
        header, rows = table(content)
        return written(header, [r for r in rows if keep(dict(zip(header, r, strict=False)))])
    return bend


def swap_columns(a: str, b: str):
    def bend(content: bytes) -> bytes:
        header, rows = table(content)
        i, j = header.index(a), header.index(b)
        header[i], header[j] = header[j], header[i]
        return written(header, rows)
    return bend


def drop_column(name: str):
    def bend(content: bytes) -> bytes:
        header, rows = table(content)
        i = header.index(name)
        return written([h for k, h in enumerate(header) if k != i], [[c for k, c in enumerate(r) if k != i]
                                                                      for r in rows])
    return bend


def rename_column(old: str, new: str):
    def bend(content: bytes) -> bytes:
        header, rows = table(content)
        header[header.index(old)] = new
        return written(header, rows)
    return bend


def scaled(factor: float) -> Callable[[str], str]:
    return lambda v: f"{float(v) * factor:.6f}" if v.strip() else v


def first_rows(share: float):
    def bend(content: bytes) -> bytes:
        header, rows = table(content)
        return written(header, rows[: int(len(rows) * share)])
    return bend


def constant(body: bytes):
    return lambda _content: body


def cut_mid_line(content: bytes) -> bytes:
    return content[: int(len(content) * 0.6)]


def doubled(content: bytes) -> bytes:
    header, rows = table(content)
    return written(header, rows + rows)


def decimal_commas(column: str):
    return cells(column, lambda v: v.replace(".", ",") if v.strip() else v)


def recode(encoding: str):
    return lambda content: content.decode("utf-8-sig").encode(encoding)


def re_encoded(content: bytes) -> bytes:
    """BOM, CRLF, columns reversed, rows reversed: the same release in other bytes."""
    header, rows = table(content)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header[::-1])
    writer.writerows(r[::-1] for r in reversed(rows))
    return b"\xef\xbb\xbf" + out.getvalue().encode()


def thousands_points(value: str) -> str:
    """1234 written as 1.234 (a European export): read as one death and a quarter."""
    return f"{int(value) / 1000:.3f}" if value.isdigit() and int(value) >= 1000 else value


def month_is(month: str, fiscal_year_prefix: str):
    return lambda r: r["Month (abbv)"] == month and r["FY"].startswith(fiscal_year_prefix)


# --- the matrix ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    source: str
    name: str
    bend: Callable[[bytes], bytes]
    expect: str  # a fragment of the one-line error, "unchanged" or "published"
    options: tuple[str, ...] = ()
    served: tuple[str, str] | None = None  # published: this (indicator, geo) must keep its numbers


CBP, CDC, MX, ATF = "cbp_drug_seizures", "cdc_vsrr", "sesnsp_homicides", "atf_mexico_traces"
LBS, EVENTS = "Sum Qty (lbs)", "Count of Event"
BASES = {  # source: (the release already published, the next release that gets bent)
    CBP: ("cbp/drug-seizures/nationwide-drugs-fy22-fy25-may.csv", "cbp/drug-seizures/nationwide-drugs-fy23-fy26-dec.csv"),
    CDC: (None, "cdc_vsrr/vsrr_api_T40.4_states_2015-01_to_2026-01.csv"),
    MX: (None, "mexico/sesnsp_victimas_homicidio_estatal_mensual_2015-01_2025-06.csv"),
    ATF: (None, "atf/atf_mexico_firearms_trace_figures.csv"),
}
TRACED_ROW = lambda r: r["metric"] == "firearms_recovered_in_mexico_submitted_for_tracing"  # noqa: E731
US_ROW = lambda r: r["metric"] == "us_sourced_firearms"  # noqa: E731
FENTANYL = lambda r: r["Drug Type"] == "Fentanyl"  # noqa: E731

CASES = [
    # CBP drug seizures: the December release on top of May's.
    Case(CBP, "lbs and event-count headers swapped", swap_columns(LBS, EVENTS), "whole counts have fractions"),
    Case(CBP, "every weight ×10", cells(LBS, scaled(10)), "moved by a factor of 10"),
    Case(CBP, "every weight ÷1000 (another unit)", cells(LBS, scaled(0.001)), "moved by a factor of"),
    Case(CBP, "every weight ×2 (counted twice)", cells(LBS, scaled(2)), "revised beyond"),
    Case(CBP, "every row twice", doubled, "rows share a key"),
    Case(CBP, "fentanyl rows only", rows_where(FENTANYL), "cell(s) of completed months are missing"),
    Case(CBP, "fentanyl rows gone", rows_where(lambda r: not FENTANYL(r)), "no fentanyl rows"),
    Case(CBP, "Southwest border rows gone", rows_where(lambda r: r["Region"] != "Southwest Border"),
         "cell(s) of completed months are missing"),
    Case(CBP, "a completed month gone", rows_where(lambda r: not month_is("MAR", "2025")(r)),
         "months with no rows inside the release window: ['2025-03']"),
    Case(CBP, "a completed month revised +40 %", cells(LBS, scaled(1.4), month_is("MAR", "2025")), "revised beyond"),
    Case(CBP, "fentanyl weights blank", cells(LBS, lambda v: "", FENTANYL), "not a number"),
    Case(CBP, "every weight blank", cells(LBS, lambda v: ""), "not a number"),
    Case(CBP, "a weight that is text", cells(LBS, lambda v: "n/a", FENTANYL), "not a number"),
    Case(CBP, "negative weights", cells(LBS, lambda v: f"-{v}", FENTANYL), "outside the plausible range"),
    Case(CBP, "decimal commas", decimal_commas(LBS), "is not a number: '147,0483"),
    Case(CBP, "file cut after 60 % of its rows", first_rows(0.6), "months with no rows inside the release window"),
    Case(CBP, "file cut mid-line", cut_mid_line, "is not a number: ''"),
    Case(CBP, "last month cut short", rows_where(lambda r: not (month_is("DEC", "2026")(r) and r["Area of Responsibility"] > "E")),
         "thin"),
    Case(CBP, "last month gone", rows_where(lambda r: not month_is("DEC", "2026")(r)), "an older or truncated file"),
    Case(CBP, "fiscal 2023 relabelled 1997", cells("FY", lambda v: "1997", lambda r: r["FY"] == "2023"),
         "months with no rows inside the release window"),
    Case(CBP, "months from fiscal 2030", cells("FY", lambda v: "2030 (FYTD)" if "FYTD" in v else v),
         "months with no rows inside the release window"),
    Case(CBP, "fiscal year 0001", cells("FY", lambda v: "0001", FENTANYL),
         "could not be read (ValueError: year 0 is out of range"),
    Case(CBP, "unknown month name", cells("Month (abbv)", lambda v: "FOO", FENTANYL), "month"),
    Case(CBP, "column missing", drop_column("Drug Type"), "missing column"),
    Case(CBP, "column renamed", rename_column(LBS, "Sum Qty (kg)"), "missing column"),
    Case(CBP, "header only", lambda c: c.split(b"\n", 1)[0] + b"\n", "no data rows"),
    Case(CBP, "empty file", constant(b""), "not a readable CSV"),
    Case(CBP, "an HTML error page", constant(b"<html><body><h1>Access denied</h1></body></html>"), "missing column(s)"),
    Case(CBP, "JSON instead of CSV", constant(b'{"error": "rate limited"}'), "missing column(s)"),
    Case(CBP, "gzip bytes", constant(b"\x1f\x8b\x08\x00" + bytes(range(256))), "not a readable CSV"),
    Case(CBP, "UTF-16 text", recode("utf-16"), "not a readable CSV"),
    Case(CBP, "release date in the future", lambda c: c, "in the future", ("--published-on", FUTURE)),
    Case(CBP, "release date before its last month", lambda c: c, "months after the release date",
         ("--published-on", "2025-06-01")),
    Case(CBP, "the older release presented as new", lambda c: c, "an older or truncated file", ("older",)),
    Case(CBP, "same release with BOM, CRLF, columns and rows reordered", re_encoded, "unchanged"),
    # CDC VSRR: the state file's rows, bent, as the next release.
    Case(CDC, "every death count blank", cells("data_value", lambda v: ""), "blank"),
    Case(CDC, "death counts ×10", cells("data_value", scaled(10)), "outside the plausible range"),
    Case(CDC, "a state gone (a partial product: it keeps its previous release)",
         rows_where(lambda r: r["state"] != "TX"), "published", served=("cdc_synthetic_opioid_deaths_12m", "TX")),
    Case(CDC, "another drug's indicator label", cells("indicator", lambda v: "Cocaine (T40.5)"),
         "renamed or mislabelled column"),
    Case(CDC, "year 2030", cells("year", lambda v: "2030" if v == "2025" else v), "in the future"),
    Case(CDC, "counts with thousands points (1.234)", cells("data_value", thousands_points), "must be whole deaths"),
    Case(CDC, "an unknown state code", cells("state", lambda v: "ZZ" if v == "TX" else v), "geography code(s)"),
    Case(CDC, "same release with BOM, CRLF, columns and rows reordered", re_encoded, "unchanged"),
    # SESNSP victims by state.
    Case(MX, "victims ×10", cells("victimas", scaled(10)), "outside the plausible range"),
    Case(MX, "victims × 1.5 (fractions)", cells("victimas", scaled(1.5)), "whole counts have fractions"),
    Case(MX, "month 13 in one row", cells("fecha", lambda v: v[:5] + "13", lambda r: r["fecha"] == "2025-06"),
         "could not be read (ValueError: month must be in 1..12"),
    Case(MX, "year 99999 in one row", cells("fecha", lambda v: "99999-06", lambda r: r["fecha"] == "2025-06"),
         "unreadable fecha '99999-06'"),
    Case(MX, "victims blank", cells("victimas", lambda v: ""), "victimas"),
    Case(MX, "a state gone", rows_where(lambda r: r["cve_ent"] != "09"), "has 31 states, expected 32"),
    Case(MX, "2025's months moved to 2030", cells("fecha", lambda v: "2030" + v[4:], lambda r: r["fecha"] >= "2025"),
         "months with no rows inside the release"),
    # ATF's curated figures.
    Case(ATF, "a count that is infinite", cells("value", lambda v: "inf", TRACED_ROW), "is not a finite number"),
    Case(ATF, "a negative count", cells("value", lambda v: "-5", TRACED_ROW), "is negative"),
    Case(ATF, "a count of 99,999,999", cells("value", lambda v: "99999999", TRACED_ROW),
         "firearms a year covered"),
    Case(ATF, "U.S.-sourced five times the traced (a 500 % share)",
         cells("value", lambda v: str(int(float(v.replace(",", ""))) * 5), US_ROW), "exceeds firearms traced"),
    Case(MX, "same release in Windows-1252 with reordered columns",
         lambda c: re_encoded(c).decode("utf-8-sig").encode("cp1252"), "unchanged"),
]


def count(store) -> int:
    with Session(store) as session:
        return session.scalar(select(func.count()).select_from(Observation))


def run_case(store, raw_dir: Path, case: Case, tmp_path: Path, capsys) -> tuple[int, str]:
    """Import the bent release with the command line; (exit code, the one line it printed)."""
    base = BASES[case.source][1]
    content = (raw_dir / base).read_bytes()
    options = list(case.options)
    if options == ["older"]:  # the oldest release under the next release's name (an estimated date)
        content, options = sorted((raw_dir / base).parent.glob("*.csv"))[0].read_bytes(), []
    path = tmp_path / Path(base).name.replace(".csv", "-next.csv")
    if case.source == CBP:  # a new name, as CBP's next release would have
        path = tmp_path / Path(base).name.replace("-dec", "-jan")
    path.write_bytes(case.bend(content))
    code = main(["--database-url", store.url.render_as_string(hide_password=False), "import", case.source,
                 str(path), *options])
    out = capsys.readouterr()
    lines = [line for line in (out.err + out.out).splitlines() if not line.startswith(("WARNING ", "INFO "))]
    assert len(lines) == 1, lines
    return code, lines[0]


@pytest.fixture(scope="module")
def seeded(request):
    """A store per source with the release before the bent one (or the base itself, whose bent
    copies then are its next release)."""
    store_factory, raw_dir = request.getfixturevalue("store_factory"), request.getfixturevalue("raw_dir")
    stores = {}
    for source, (previous, base) in BASES.items():
        store = store_factory()
        pipeline.import_file(store, source, raw_dir / (previous or base))
        if previous:
            pipeline.import_file(store, source, raw_dir / base)  # the newest is there too
        stores[source] = store
    yield stores
    for store in stores.values():
        store.dispose()


@pytest.mark.raw
@pytest.mark.parametrize("case", CASES, ids=[f"{c.source}: {c.name}" for c in CASES])
def test_every_fault_is_refused_in_one_line_and_changes_nothing(seeded, store_factory, raw_dir, tmp_path, capsys,
                                                               case):
    if case.expect == "published":  # on a store of its own: the seeded one must stay as it is
        store = store_factory()
        previous, base = BASES[case.source]
        for path in filter(None, (previous, base)):
            pipeline.import_file(store, case.source, raw_dir / path)
        served = read_series(store, *case.served)
        code, line = run_case(store, raw_dir, case, tmp_path, capsys)
        assert code == 0 and line.startswith("ok: "), line
        pd.testing.assert_frame_equal(read_series(store, *case.served), served)  # still the previous release
        return
    store = seeded[case.source]
    before = (count(store), [(v.id, v.published_on) for v in list_vintages(store)])
    code, line = run_case(store, raw_dir, case, tmp_path, capsys)
    if case.expect == "unchanged":
        assert code == 0 and line.startswith("unchanged: "), line
    else:
        assert code == 2 and line.startswith("error: "), line
        assert case.expect in line, line
        assert "Traceback" not in line and "SELECT" not in line
    assert (count(store), [(v.id, v.published_on) for v in list_vintages(store)]) == before


def test_the_matrix_is_large_and_covers_every_base():
    assert len(CASES) >= 40
    assert {c.source for c in CASES} == set(BASES)


def result(case: Case) -> str:
    return case.expect if case.expect in ("unchanged", "published") else "refused"


def markdown() -> str:
    lines = ["| Source | Fault | Result | The one line says |", "|---|---|---|---|"]
    for case in CASES:
        says = "" if case.expect in ("unchanged", "published") else f"`{case.expect}`"
        lines.append(f"| `{case.source}` | {case.name} | {result(case)} | {says} |")
    return "\n".join(lines)


def test_the_readme_carries_the_matrix():
    readme = (PROJECT_ROOT / "README.md").read_text()
    assert markdown() in readme, "run: .venv/bin/python -m tests.test_fault_matrix"


if __name__ == "__main__":
    sys.stdout.write(markdown() + "\n")
