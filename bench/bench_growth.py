"""Benchmark: how cost grows with the store: 1x, 10x, 100x the rows; 3, 12, 120 vintages of one source.

    .venv/bin/python -m bench.bench_growth [--scales 1 10 100] [--vintages 12 120] [--write]

Rows. A temporary SQLite store is filled from the committed snapshot (1x). Synthetic series are
then added in SQL: every observation copied under a new series name (``<indicator>~s<k>``, same
vintages, geographies and months), until the table holds 10x and 100x the rows. They are generated
here and never committed. At each size: the store's size on disk, the explorer's read of one
series (``read_series``: the national fentanyl series and a state's CDC series, median of 7), a
state map computed from scratch (every state's series for one month), the whole scorecard computed
from scratch, and the geographies of one series.

Vintages. On a second store from the snapshot, the newest ``cdc_vsrr`` release is published again
as further vintages (one a week later each, values changed by 0.1 % per vintage, as revisions
do) until the source has 12 and 120. At each count: the newest-per-month read and an ``as_of`` read
halfway through (median of 7), and the data-version read every request makes. The reads take each
month's vintage from the coverage table; the block gives the largest count's reads against the 12
vintages' (target 1.5x).

ETL build time grows with the rows it parses: see the import block (a 10x larger file) in
bench/RESULTS.md. ``--write`` replaces this benchmark's block of bench/RESULTS.md and writes
``bench/growth.png``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.results import report

BEGIN, END = "<!-- growth block", "<!-- end growth block -->"
PNG = Path(__file__).resolve().parent / "growth.png"
SERIES = [("cbp_fentanyl_seizures_swb_lbs", None), ("cdc_synthetic_opioid_deaths_12m", "TX")]
MAP_INDICATOR = "cdc_synthetic_opioid_deaths_12m"
SOURCE = "cdc_vsrr"
INSERT_OBSERVATIONS = ("INSERT INTO observations "
                       "(vintage_id, indicator, period, geo, dims, value, value_predicted, flags) ")
COVERAGE_COLUMNS = "vintage_id, indicator, geo, period, served_from, published_on, withdrawn_on"
TARGET = 1.5  # the largest vintage count's reads within this factor of the 12 vintages' reads


def median_time(fn, repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 1e6


def rows_part(folder: Path, scales: list[int]) -> list[dict]:
    from etl import pipeline
    from etl.store import available_geos, make_engine
    from indicators import maps, precompute
    from indicators.registry import get_indicator
    from indicators.series import read_series

    path = folder / "rows.db"
    engine = make_engine(f"sqlite:///{path}")
    pipeline.ensure_store(engine)
    spec = get_indicator(MAP_INDICATOR)
    month = read_series(engine, spec)["period"].max().date()
    precompute.compute_scorecard(engine)  # not timed: loads the statistics modules once
    out, copies = [], 0
    for scale in scales:
        while copies < scale - 1:
            copies += 1
            with engine.begin() as conn:
                conn.exec_driver_sql(
                    INSERT_OBSERVATIONS
                    + f"SELECT vintage_id, indicator || '~s{copies}', period, geo, dims, value, value_predicted, flags "
                    "FROM observations WHERE indicator NOT LIKE '%~s%'")
                conn.exec_driver_sql(  # and their months, as a publish would have written them
                    f"INSERT INTO coverage ({COVERAGE_COLUMNS}) "
                    f"SELECT vintage_id, indicator || '~s{copies}', geo, period, served_from, published_on, "
                    "withdrawn_on "
                    "FROM coverage WHERE indicator NOT LIKE '%~s%'")
        with engine.begin() as conn:
            rows = conn.exec_driver_sql("SELECT count(*) FROM observations").scalar()
        with engine.connect() as conn:  # the write-ahead log folded in: the size is the store's
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        row = {"scale": scale, "rows": rows, "mb": size_mb(path)}
        for indicator, geo in SERIES:
            row[f"read {indicator}"] = median_time(lambda i=indicator, g=geo: read_series(engine, i, g))
        row["map"] = median_time(lambda: maps.compute(engine, spec, month), repeat=3)
        row["geos"] = median_time(lambda: available_geos(engine, spec.base, spec.filters))
        row["scorecard"] = median_time(lambda: precompute.compute_scorecard(engine), repeat=1)
        print(row, file=sys.stderr)
        out.append(row)
    engine.dispose()
    return out


def vintages_part(folder: Path, counts: list[int]) -> list[dict]:
    from sqlalchemy import text

    from etl import pipeline
    from etl.store import coverage, data_versions, make_engine
    from indicators.series import read_series

    engine = make_engine(f"sqlite:///{folder / 'vintages.db'}")
    pipeline.ensure_store(engine)
    with engine.begin() as conn:
        newest = conn.execute(text("SELECT * FROM vintages WHERE source_id = :s ORDER BY published_on DESC, id DESC"),
                              {"s": SOURCE}).mappings().first()
        have = conn.execute(text("SELECT count(*) FROM vintages WHERE source_id = :s"), {"s": SOURCE}).scalar()
    columns = [c for c in newest if c != "id"]
    newest = {**newest, "published_on": dt.date.fromisoformat(str(newest["published_on"])[:10])}
    out = []
    for count in [have, *counts]:
        while have < count:
            have += 1
            published = newest["published_on"] + dt.timedelta(days=7 * (have - 1))
            values = {**{c: newest[c] for c in columns}, "published_on": published,
                      "sha256": f"{have:064x}", "content_sha256": f"{have:064x}",
                      "file_name": f"{newest['file_name']}#{have}"}
            with engine.begin() as conn:
                new_id = conn.execute(text(f"INSERT INTO vintages ({', '.join(columns)}) VALUES "
                                           f"({', '.join(':' + c for c in columns)}) RETURNING id"), values).scalar()
                conn.execute(text(
                    INSERT_OBSERVATIONS
                    + "SELECT :new, indicator, period, geo, dims, value * :factor, value_predicted, flags "
                    "FROM observations WHERE vintage_id = :old"),
                    {"new": new_id, "old": newest["id"], "factor": 1 + 0.001 * have})
                coverage.cover(conn, new_id, published)  # its months, as a publish writes them
        halfway = newest["published_on"] + dt.timedelta(days=7 * (count // 2))
        row = {"vintages": count,
               "latest": median_time(lambda: read_series(engine, "cdc_synthetic_opioid_deaths_12m", "TX")),
               "as_of": median_time(lambda h=halfway: read_series(engine, "cdc_synthetic_opioid_deaths_12m", "TX",
                                                                  as_of=h)),
               "version": median_time(lambda: data_versions(engine).overall, repeat=21)}
        print(row, file=sys.stderr)
        out.append(row)
    engine.dispose()
    return out


def vintage_ratios(vintages: list[dict]) -> list[str]:
    """The largest vintage count's reads against the 12 vintages' reads, and the target."""
    base = next((v for v in vintages if v["vintages"] == 12), None)
    last = vintages[-1]
    if base is None or last is base:
        return []
    ratios = {key: last[key] / base[key] for key in ("latest", "as_of")}
    verdict = "met" if max(ratios.values()) <= TARGET else "missed"
    return [f"From 12 to {last['vintages']} vintages: the newest-per-month read {ratios['latest']:.2f}x, the "
            f"`as_of` read {ratios['as_of']:.2f}x (target {TARGET}x: **{verdict}**)."]


def plot(rows: list[dict], vintages: list[dict]) -> None:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    figure = make_subplots(rows=1, cols=2,
                           subplot_titles=("Rows in the store (x the current)", "Vintages of one source"))
    for key, label in ((f"read {SERIES[0][0]}", "read one series (national)"),
                       (f"read {SERIES[1][0]}", "read one series (a state)"),
                       ("map", "state map from scratch"), ("geos", "geographies of a series"),
                       ("scorecard", "whole scorecard")):
        figure.add_trace(go.Scatter(x=[r["scale"] for r in rows], y=[r[key] for r in rows], name=label,
                                    mode="lines+markers"), row=1, col=1)
    for key, label in (("latest", "newest-per-month read"), ("as_of", "as_of read"), ("version", "data version")):
        figure.add_trace(go.Scatter(x=[r["vintages"] for r in vintages], y=[r[key] for r in vintages],
                                    name=label, mode="lines+markers"), row=1, col=2)
    figure.update_xaxes(type="log")
    figure.update_yaxes(type="log", title_text="seconds (median)")
    figure.update_layout(width=1200, height=500, title="Verifica: how cost grows (SQLite)")
    figure.write_image(str(PNG))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--vintages", type=int, nargs="+", default=[12, 120])
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        rows = rows_part(folder, args.scales)
        vintages = vintages_part(folder, args.vintages)
    if args.write:
        plot(rows, vintages)
    first, last = rows[0], rows[-1]

    def growth(key: str) -> str:
        return f"{last[key] / first[key]:.1f}x"

    lines = [
        f"{BEGIN}: written by bench/bench_growth.py --write -->",
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; SQLite. Plot: `bench/growth.png`.",
        "",
        "| rows (x the current) | observations | store MB | read one series, national s | read one series, a state s "
        "| state map from scratch s | geographies of a series s | whole scorecard s |",
        "|---|---|---|---|---|---|---|---|",
        *[f"| {r['scale']}x | {r['rows']:,} | {r['mb']:.0f} | {r[f'read {SERIES[0][0]}']:.4f} | "
          f"{r[f'read {SERIES[1][0]}']:.4f} | {r['map']:.2f} | {r['geos']:.4f} | {r['scorecard']:.1f} |" for r in rows],
        "",
        f"From {first['scale']}x to {last['scale']}x the rows ({last['rows'] / first['rows']:.0f}x): the store "
        f"{last['mb'] / first['mb']:.0f}x; one series' read {growth(f'read {SERIES[0][0]}')} (national) and "
        f"{growth(f'read {SERIES[1][0]}')} (a state); the map {growth('map')}; geographies {growth('geos')}; "
        f"the scorecard {growth('scorecard')}.",
        "",
        f"| `{SOURCE}` vintages | newest-per-month read s | `as_of` read s | data version s |",
        "|---|---|---|---|",
        *[f"| {v['vintages']} | {v['latest']:.4f} | {v['as_of']:.4f} | {v['version']:.5f} |" for v in vintages],
        "",
        *vintage_ratios(vintages),
        END,
    ]
    report(BEGIN, END, lines, args.write)


if __name__ == "__main__":
    main()
