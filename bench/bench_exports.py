"""Benchmark: time to serve an exported PNG of an explorer view, cold and repeated.

    .venv/bin/python -m bench.bench_exports [--repeat 20] [--write]

An app on a store filled from the committed snapshot (a temporary SQLite file) serves
``/api/indicators/<id>.png`` through Flask's test client: the first request starts Chromium
(one kaleido renderer, once per process); then each view is rendered once (cold: the figure is
built and rendered) and requested again ``--repeat`` times (warm: served from the export cache,
keyed by store version, date and every parameter). The target: a warm PNG in 0.5 s or less.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.results import report

BEGIN, END = "<!-- exports block", "<!-- end exports block -->"
VIEWS = [
    "cbp_fentanyl_seizures_swb_lbs.png?from=2022-01",
    "cbp_fentanyl_seizures_swb_lbs.png?from=2022-01&event=2025-02-03-tariff-pause-national-guard",
    "cdc_synthetic_opioid_deaths_12m.png?geo=TX&lang=es",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("VERIFICA_AFTER_PUBLISH", "indicators.precompute:ensure_scorecard")
    from dashboard.app_factory import create_app
    from etl.store import make_engine

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(engine=make_engine(f"sqlite:///{Path(folder) / 'bench.db'}"))
        client = app.server.test_client()

        def timed(url: str) -> float:
            start = time.perf_counter()
            response = client.get(f"/api/indicators/{url}")
            elapsed = time.perf_counter() - start
            if response.status_code != 200 or response.data[:8] != b"\x89PNG\r\n\x1a\n":
                sys.exit(f"{url}: HTTP {response.status_code} {response.data[:200]!r}")
            return elapsed

        first = timed(VIEWS[0] + "&to=2025-06")  # another view: the cold views below stay cold
        rows = []
        for view in VIEWS:
            cold = timed(view)
            warm = [timed(view) for _ in range(args.repeat)]
            rows.append((view, cold, statistics.median(warm), max(warm)))
    lines = [
        f"{BEGIN}: written by bench/bench_exports.py --write -->",
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; Flask test client, SQLite store from the snapshot.",
        "",
        f"First PNG of the process (starts Chromium once): {first:.2f} s.",
        "",
        f"| view | cold s | warm median s ({args.repeat} requests) | warm max s |",
        "|---|---|---|---|",
        *[f"| `{view}` | {cold:.2f} | {warm:.4f} | {worst:.4f} |" for view, cold, warm, worst in rows],
        "",
        f"Target (a repeated PNG in 0.5 s or less): **{'met' if all(r[3] <= 0.5 for r in rows) else 'missed'}**.",
        END,
    ]
    report(BEGIN, END, lines, args.write)


if __name__ == "__main__":
    main()
