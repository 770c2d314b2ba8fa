"""Benchmark: explorer views nobody has asked for yet, at a few clients, against a bare Dash app.

    .venv/bin/python -m bench.bench_new_views [--clients 4] [--views 240] [--write]

On a temporary SQLite store filled from the committed snapshot, ``gunicorn -w 2 app:server`` is
sent the explorer's page-load callback (``/_dash-update-component`` with the page's address, the
body built from the app's own ``/_dash-dependencies``) by ``--clients`` threads, each request a
view not asked for before: a distinct combination of indicator, geography, date window and
transform taken from the app's own options (the geographies ``/api/indicators`` lists, the
transforms the explorer offers for that view), never repeated, so that every request misses the
answer cache (checked: the ``X-Verifica-Cache`` header of every answer must say ``miss``). The
combinations are shuffled with a fixed seed, so consecutive requests are spread over indicators
and sources. In the same run the same clients send ``--views`` distinct addresses to the one
callback of ``bench/floor_app.py`` (a bare Dash app returning, as plain dicts, a figure of the
explorer's size), served by the same ``gunicorn -w 2``. Before the measured requests each client
sends ``--warmup`` views of its own (also new), unmeasured: the workers' imports and first reads.

The target: the explorer's p95 within 10x the floor's p95. The clients run on the same machine
as the server. ``--write`` replaces this benchmark's block of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from bench.bench_serving import filled_store, free_port, gunicorn, page_load_body, request, stop, wait_for
from bench.results import report

BEGIN, END = "<!-- new views block", "<!-- end new views block -->"
PROJECT = Path(__file__).resolve().parents[1]
TARGET = 10.0  # the explorer's p95 at most this many times the floor's
# Date windows a reader picks (from, to; "" = open): each one a different view of the same series.
WINDOWS = (("2019-01", ""), ("2020-01", "2022-12"), ("2021-06", ""), ("2022-01", "2024-06"), ("2023-01", ""),
           ("2024-01", ""), ("2024-07", "2025-06"), ("2025-01", ""))
HEADER = "X-Verifica-Cache"


def post(port: int, body: bytes, timeout: float = 120) -> tuple[int, bytes, str | None]:
    """The callback's answer: status, body as sent (gzip when the server compresses), cache header."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST", "/_dash-update-component", body=body,
                     headers={"Content-Type": "application/json", "Accept-Encoding": "gzip"})
        response = conn.getresponse()
        return response.status, response.read(), response.getheader(HEADER)
    finally:
        conn.close()


def view_searches(port: int, database_url: str) -> list[str]:
    """Every indicator x geography x window x transform the explorer offers, shuffled (seed 0)."""
    from etl.store import available_geos, make_engine
    from indicators.registry import INDICATORS
    from indicators.series import POPULATION_BASE
    from indicators.transforms import TRANSFORMS

    _, raw = request(port, "GET", "/api/indicators")
    listed = {item["id"]: item for item in json.loads(raw)["indicators"]}
    store = make_engine(database_url)
    population = set(available_geos(store, POPULATION_BASE))  # the places a rate per 100,000 is offered for
    store.dispose()
    searches = []
    for indicator, item in listed.items():
        spec = INDICATORS.get(indicator)
        if item["status"] != "available" or spec is None:
            continue
        for geo in item["geos"]:
            for start, end in WINDOWS:
                for transform in TRANSFORMS:
                    if not offered(spec, geo, transform, population):
                        continue
                    params = {"indicator": indicator, "geo": geo, "from": start, "to": end, "transform": transform}
                    searches.append("?" + urlencode({k: v for k, v in params.items() if v and v != "level"}))
    random.Random(0).shuffle(searches)
    return searches


def offered(spec, geo: str, transform: str, population: set[str]) -> bool:
    """The transform is one the explorer's control enables for this view (``transform_unavailable``)."""
    if transform == "level":
        return True
    if spec.semantics == "annual":
        return False
    if transform == "per100k":
        return spec.takes_per_100k and geo in population
    return not (transform == "yoy" and spec.transform == "share")


def load(port: int, bodies: list[bytes], clients: int, warmup: int) -> dict:
    """``clients`` threads take the bodies in turn from one list (each body sent once): first
    ``warmup`` each, unmeasured, then the rest, timed per request."""
    lock = threading.Lock()
    queue = iter(bodies)
    latencies: list[float] = []
    sizes: list[int] = []
    failures: list[str] = []
    hits = 0
    ready = threading.Barrier(clients)

    def take() -> bytes | None:
        with lock:
            return next(queue, None)

    def client() -> None:
        nonlocal hits
        for _ in range(warmup):
            body = take()
            if body is not None:
                post(port, body)
        ready.wait()
        while (body := take()) is not None:
            started = time.perf_counter()
            try:
                status, answer, cache = post(port, body)
            except OSError as exc:
                status, answer, cache = 0, str(exc).encode(), None
            elapsed = time.perf_counter() - started
            with lock:
                if status != 200:
                    failures.append(f"HTTP {status}: {answer[:300]!r}")
                    continue
                hits += cache == "hit"
                latencies.append(elapsed)
                sizes.append(len(answer))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if failures:
        sys.exit(f"{len(failures)} failed requests, first: {failures[0]}")
    if hits:
        sys.exit(f"{hits} answers came from the cache: the views were not new")
    latencies.sort()
    q = statistics.quantiles(latencies, n=100)
    return {"n": len(latencies), "p50": q[49] * 1000, "p95": q[94] * 1000, "max": latencies[-1] * 1000,
            "bytes": statistics.median(sizes), "wall": wall}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--views", type=int, default=240, help="measured requests per server")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured requests per client first")
    parser.add_argument("--note", default="", help="a sentence on the conditions, written into the block")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(PROJECT))
    from dashboard import ids

    need = args.views + args.clients * args.warmup
    load_before = os.getloadavg()[0]  # the machine's load (other work on it) as the run starts
    rows = {}
    with tempfile.TemporaryDirectory() as folder:
        with filled_store(folder) as (env, port):
            searches = view_searches(port, env["DATABASE_URL"])
        if len(searches) < need:
            sys.exit(f"only {len(searches)} distinct views for {need} requests")
        for name, target in (("floor", "bench.floor_app:server"), ("explorer", "app:server")):
            port = free_port()
            server = gunicorn(target, 2, env, port)
            try:
                wait_for(port, "/", server)
                _, raw = request(port, "GET", "/_dash-dependencies")
                deps = json.loads(raw)
                if name == "floor":
                    bodies = [page_load_body(deps, "chart.figure", f"?view={k}") for k in range(need)]
                else:
                    bodies = [page_load_body(deps, f"{ids.FIGURE}.data", search, {f"{ids.LANG}.data": "en"})
                              for search in searches[:need]]
                rows[name] = load(port, bodies, args.clients, args.warmup)
                print(name, rows[name], file=sys.stderr)
            finally:
                stop(server)

    floor, app = rows["floor"], rows["explorer"]
    ratio = app["p95"] / floor["p95"]
    lines = [
        f"{BEGIN}: written by bench/bench_new_views.py --write -->",
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; `gunicorn -w 2` (sync workers), SQLite store from the snapshot; "
        f"{args.clients} clients on the same machine; each server sent {app['n']} measured requests after "
        f"{args.warmup} unmeasured ones per client, every one a view not asked for before (for the explorer: "
        f"indicator x geography x window x transform, of {len(searches):,} combinations; every answer a cache "
        f"miss). Load average (1 min) {load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end."
        f"{(' ' + args.note) if args.note else ''}",
        "",
        "| server | answer bytes sent (median) | p50 ms | p95 ms | max ms |",
        "|---|---|---|---|---|",
        *[f"| {label} | {r['bytes']:,.0f} | {r['p50']:.0f} | {r['p95']:.0f} | {r['max']:.0f} |"
          for label, r in (("bare Dash floor (`bench/floor_app.py`)", floor),
                           ("explorer (`app:server`), new views", app))],
        "",
        f"p95 {ratio:.1f}x the floor's (target {TARGET:.0f}x: **{'met' if ratio <= TARGET else 'missed'}**).",
        END,
    ]
    report(BEGIN, END, lines, args.write)


if __name__ == "__main__":
    main()
