"""Benchmarks: full ETL build against bare pandas.read_csv of the same files, and the explorer
callback's latency (p50/p95, cold and cached).

    .venv/bin/python -m bench.bench_etl --raw-dir ../shared/data/raw [--repeat 3] [--write]

``--write`` replaces the measured block of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd
from sqlalchemy import insert, select

from bench.results import write_block
from dashboard import queries
from dashboard.app_factory import create_app
from dashboard.pages import explorer
from dashboard.state import ExplorerState
from etl import pipeline
from etl.sources import SOURCES
from etl.store import Observation, Source, Vintage, init_schema, make_engine, read_slice
from indicators.registry import get_indicator

VIEWS = [
    ("cbp_fentanyl_seizures_swb_lbs", "US", "2024-01-01"),
    ("cbp_drug_seizures_by_type_lbs", "US", None),
    ("cdc_synthetic_opioid_deaths_12m", "US", None),
    ("cdc_synthetic_opioid_deaths_12m", "TX", "2020-01-01"),
    ("cdc_overdose_deaths_12m", "US", None),
    ("cdc_synthetic_opioid_deaths_monthly", "CA", None),
    ("sesnsp_homicide_rate_100k", "MX-CHH", None),
    ("cbp_weapons_seizures_outbound", "US", None),
    ("cbp_swb_encounters", "US", None),
    ("atf_mexico_us_sourced_traces", "MX", None),
]


def bare_read(files: list[Path]) -> None:
    for path in files:
        if path.suffix == ".json":
            json.loads(path.read_bytes())
        else:
            pd.read_csv(path)


def bulk_floor(files: list[Path], source_db: Path, target_db: Path) -> float:
    """The floor the full build is compared with: read the same files (``bare_read``) and insert
    the same observation rows (taken from a finished build) into an empty store with the schema,
    in one transaction through SQLAlchemy's executemany. No parsing, no checks, no diff."""
    source = make_engine(f"sqlite:///{source_db}")
    with source.connect() as conn:
        sources = [dict(row._mapping) for row in conn.execute(select(Source.__table__))]
        vintages = [dict(row._mapping) for row in conn.execute(select(Vintage.__table__))]
        observations = [dict(row._mapping) for row in conn.execute(select(Observation.__table__))]
    source.dispose()
    target = make_engine(f"sqlite:///{target_db}")
    init_schema(target)
    start = time.perf_counter()
    bare_read(files)
    with target.begin() as conn:
        conn.execute(insert(Source.__table__), sources)
        conn.execute(insert(Vintage.__table__), vintages)
        conn.execute(insert(Observation.__table__), observations)
    elapsed = time.perf_counter() - start
    target.dispose()
    return elapsed


def timed(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def percentile(values: list[float], q: float) -> float:
    return float(pd.Series(values).quantile(q))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--raw-dir", type=Path,
                        default=Path(__file__).resolve().parents[2] / "shared" / "data" / "raw")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--calls", type=int, default=60)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()

    files = [p for module in SOURCES.values() for p in module.raw_files(args.raw_dir)]
    size_mb = sum(p.stat().st_size for p in files) / 1e6
    bare = timed(lambda: bare_read(files), args.repeat)

    workdir = Path(tempfile.mkdtemp(prefix="verifica-bench-"))
    builds = []
    for index in range(args.repeat):
        engine = make_engine(f"sqlite:///{workdir / f'build{index}.db'}")
        start = time.perf_counter()
        pipeline.build(engine, args.raw_dir, progress=False)
        builds.append(time.perf_counter() - start)
        engine.dispose()

    floors = [bulk_floor(files, workdir / "build0.db", workdir / f"floor{index}.db") for index in range(args.repeat)]

    engine = make_engine(f"sqlite:///{workdir / 'build0.db'}")
    app = create_app(engine=engine, prepare_store=False)
    cold, warm = [], []
    with app.server.test_request_context():
        for call in range(args.calls):
            indicator, geo, start_month = VIEWS[call % len(VIEWS)]
            queries.cache.clear()
            t0 = time.perf_counter()
            explorer.render_state(ExplorerState(indicator, geo, queries.parse_month(start_month, "from")))
            cold.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            explorer.render_state(ExplorerState(indicator, geo, queries.parse_month(start_month, "from")))
            warm.append(time.perf_counter() - t0)

    read_rows = []
    for indicator in ("cbp_fentanyl_seizures_swb_lbs", "cbp_weapons_seizures_outbound", "cbp_swb_encounters"):
        spec = get_indicator(indicator)
        key_rows = len(read_slice(engine, spec.base, spec.default_geo).rows)
        filtered = read_slice(engine, spec.base, spec.default_geo, filters=spec.filters)
        read_rows.append((indicator, key_rows, len(filtered.rows), len(filtered.months)))

    rows = [
        ("bare pandas.read_csv / json.loads of the same files", statistics.median(bare)),
        ("floor: the same read + bulk insert of the same rows (one transaction)", statistics.median(floors)),
        ("full ETL build (parse, checks, publish to SQLite, timeline)", statistics.median(builds)),
    ]
    lines = [
        "<!-- measured block: written by bench/bench_etl.py --write -->",
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, pandas {pd.__version__}, SQLite store.",
        "",
        f"ETL: {len(files)} raw files, {size_mb:.1f} MB; median of {args.repeat} runs.",
        "",
        "| step | seconds |",
        "|---|---|",
        *[f"| {name} | {seconds:.2f} |" for name, seconds in rows],
        f"| ratio build / bare read | {rows[2][1] / rows[0][1]:.1f}x |",
        f"| ratio build / floor (target 3x: **{'met' if rows[2][1] <= 3 * rows[1][1] else 'missed'}**) | "
        f"{rows[2][1] / rows[1][1]:.1f}x |",
        "",
        f"Explorer callback (`dashboard.pages.explorer.render`: store read, figure, source card), "
        f"{args.calls} calls over {len(VIEWS)} views:",
        "",
        "| cache | p50 ms | p95 ms |",
        "|---|---|---|",
        *[f"| {label} | {percentile(times, 0.5) * 1000:.0f} | {percentile(times, 0.95) * 1000:.0f} |"
          for label, times in (("cold (cache cleared before each call)", cold), ("warm (same view again)", warm))],
        "",
        "Rows read from the store to draw one series (dimension filters in SQL since the flexible "
        "dimensions; before, every row of the series' key was read and filtered in pandas):",
        "",
        "| indicator | rows of the key | rows read | months drawn |",
        "|---|---|---|---|",
        *[f"| `{name}` | {key:,} | {read:,} | {months:,} |" for name, key, read, months in read_rows],
        "<!-- end measured block -->",
    ]
    engine.dispose()
    shutil.rmtree(workdir, ignore_errors=True)  # the stores built here (hundreds of MB)
    block = "\n".join(lines)
    print(block)
    if args.write:
        write_block("<!-- measured block", "<!-- end measured block -->", block)


if __name__ == "__main__":
    main()
