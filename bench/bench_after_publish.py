"""Benchmark: every page, API and explorer view requested right after a publish.

    .venv/bin/python -m bench.bench_after_publish [--source cdc_vsrr] [--write]

An app on a temporary SQLite store filled from the committed snapshot serves, through Flask's
test client (one process, the default in-process cache): every page (EN and ES), the JSON APIs,
every available indicator's JSON series and every indicator's default explorer view (the
callback a browser sends on a page load). All are requested twice (warm), then the newest
release of ``--source`` is withdrawn, which changes served numbers exactly as a publish does,
and the publish hooks run (``VERIFICA_AFTER_PUBLISH``, default: the scorecard and the state maps),
timed. Then each request is made once more, the first after the publish, and timed. The target:
every one of them within 0.3 s.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from bench.bench_serving import page_load_body
from bench.results import report

BEGIN, END = "<!-- after publish block", "<!-- end after publish block -->"
TARGET = 0.3


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", default="cdc_vsrr")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    import dash

    import settings
    from dashboard import ids
    from dashboard.app_factory import create_app
    from etl import pipeline
    from etl.store import list_vintages, make_engine, withdraw
    from indicators.registry import available_indicators

    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        app = create_app(engine=engine)
        client = app.server.test_client()
        pages = [page["path"] for page in dash.page_registry.values()]
        gets = [*pages, *(f"{path}?lang=es" for path in pages),
                "/api/scorecard.json", "/api/claims.json", "/api/status.json", "/api/events.json",
                "/api/indicators", "/api/health",
                *(f"/api/indicators/{spec.id}.json" for spec in available_indicators())]
        deps = client.get("/_dash-dependencies").get_json()
        english = {f"{ids.LANG}.data": "en"}
        posts = {spec.id: page_load_body(deps, f"{ids.FIGURE}.data", f"?indicator={spec.id}", english)
                 for spec in available_indicators()}

        def run() -> dict[str, float]:
            timings = {}
            for path in gets:
                start = time.perf_counter()
                response = client.get(path)
                timings[path] = time.perf_counter() - start
                if response.status_code != 200:
                    sys.exit(f"{path}: HTTP {response.status_code}")
            for indicator, body in posts.items():
                start = time.perf_counter()
                response = client.post("/_dash-update-component", data=body, content_type="application/json")
                timings[f"explorer view `{indicator}`"] = time.perf_counter() - start
                if response.status_code != 200:
                    sys.exit(f"view {indicator}: HTTP {response.status_code} {response.data[:300]!r}")
            return timings

        run()
        warm = run()
        newest = list_vintages(engine, args.source)[-1]
        withdraw(engine, newest.id, "benchmark: a publish")
        start = time.perf_counter()
        pipeline.after_publish(engine)
        hooks = time.perf_counter() - start
        after = run()

    def summary(timings: dict[str, float]) -> tuple[float, float, int]:
        values = sorted(timings.values())
        return values[len(values) // 2], values[-1], sum(v > TARGET for v in values)

    slowest = sorted(after.items(), key=lambda item: -item[1])[:5]
    hooks_named = ", ".join(f"`{h}`" for h in settings.get().after_publish) or "none"
    lines = [
        f"{BEGIN}: written by bench/bench_after_publish.py --write -->",
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; Flask test client (one process, in-process cache), SQLite store "
        f"from the snapshot. The publish: `{args.source}`'s newest release withdrawn; hooks {hooks_named} "
        f"ran in **{hooks:.1f} s**.",
        "",
        f"| requests ({len(after)}: pages EN/ES, APIs, series, explorer views) | median s | max s | over {TARGET} s |",
        "|---|---|---|---|",
        *[f"| {label} | {m:.3f} | {x:.3f} | {n} |" for label, (m, x, n) in
          (("warm", summary(warm)), ("first after the publish", summary(after)))],
        "",
        "Slowest after the publish: " + "; ".join(f"{name} {seconds:.3f} s" for name, seconds in slowest) + ".",
        "",
        f"Target (every request after a publish within {TARGET} s): "
        f"**{'met' if summary(after)[2] == 0 else 'missed'}**.",
        END,
    ]
    report(BEGIN, END, lines, args.write)


if __name__ == "__main__":
    main()
