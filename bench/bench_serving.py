"""Benchmark: the app as deployed (gunicorn) against the floors the targets are stated on.

    .venv/bin/python -m bench.bench_serving [--clients 16] [--seconds 20] [--repeat 5] [--write]

Measured in one run, on a temporary SQLite store filled from the committed snapshot:

* **Start-up.** Wall time from starting ``gunicorn -w 1 app:server`` on an existing store to the
  first HTTP 200 of ``/api/health``, against the floor of ``python -c "import dash, plotly,
  pandas, sqlalchemy"`` (median of ``--repeat`` runs each).
* **Chart callback under load.** ``--clients`` threads POST the explorer's callback (the request a
  browser sends on a page load or Back: ``/_dash-update-component`` with the page's address) to
  ``gunicorn -w 2 app:server`` for ``--seconds`` after a warm-up, cycling over every available
  indicator's default view; the same clients POST the one callback of ``bench/floor_app.py`` (a
  bare Dash app returning a figure of the explorer's size as plain dicts) to the same gunicorn.
  Both request bodies are built from the app's own ``/_dash-dependencies``. Throughput is answers
  per second (every answer must be HTTP 200); latency percentiles are per request.
* **Memory.** Resident set size (``VmRSS``) of each gunicorn worker after the load.

The clients run on the same machine as the server (and take part of its CPU), the same for the
app and the floor. ``--write`` replaces this benchmark's block of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.results import report

BEGIN, END = "<!-- serving block", "<!-- end serving block -->"
PROJECT = Path(__file__).resolve().parents[1]
FLOOR_IMPORT = "import dash, plotly, pandas, sqlalchemy"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(port: int, method: str, path: str, body: bytes | None = None, timeout: float = 60) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Accept-Encoding": "gzip"}  # as every browser sends (the answer is not decoded here)
        if body is not None:
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def gunicorn(target: str, workers: int, env: dict, port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}", "--timeout", "120",
         "--log-level", "warning", target],
        cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def wait_for(port: int, path: str, process: subprocess.Popen, timeout: float = 120) -> float:
    """Seconds until ``path`` answers 200 (polled every 10 ms)."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if process.poll() is not None:
            sys.exit(f"server exited: {process.stderr.read().decode()[-2000:]}")
        try:
            status, _ = request(port, "GET", path, timeout=5)
            if status == 200:
                return time.perf_counter() - start
        except OSError:
            pass
        time.sleep(0.01)
    sys.exit(f"no answer from {path} in {timeout} s")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


@contextlib.contextmanager
def filled_store(folder: str):
    """A temporary SQLite store in ``folder``, filled from the committed snapshot by a first
    ``gunicorn`` start (not measured): yields the environment that points at it and the port of
    that server, which is stopped on leaving."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{Path(folder) / 'bench.db'}", "VERIFICA_LOG_LEVEL": "WARNING"}
    port = free_port()
    prepare = gunicorn("app:server", 1, env, port)
    try:
        wait_for(port, "/api/health", prepare, timeout=300)
        yield env, port
    finally:
        stop(prepare)


def worker_rss_mb(master: int) -> list[float]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    out = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                out.append(int(line.split()[1]) / 1024)
    return out


# --- request bodies from the app's own callback list -----------------------------------------

def _split_output(output: str) -> list[dict] | dict:
    """Dash's ``outputs``: a list for a multi-output callback, one object for a single output."""
    def one(part: str) -> dict:
        cid, _, prop = part.rpartition(".")
        return {"id": cid, "property": prop}
    return [one(part) for part in output[2:-2].split("...")] if output.startswith("..") else one(output)


def callback_body(port: int, figure_output: str, search: str, state_values: dict | None = None) -> bytes:
    """:func:`page_load_body` for the app serving on ``port``."""
    status, raw = request(port, "GET", "/_dash-dependencies")
    assert status == 200, status
    return page_load_body(json.loads(raw), figure_output, search, state_values)


def page_load_body(deps: list[dict], figure_output: str, search: str, state_values: dict | None = None) -> bytes:
    """The body a browser sends when the page's ``dcc.Location`` reports ``search``: the callback
    (from the app's ``/_dash-dependencies``) whose outputs include ``figure_output`` (``id.prop``),
    every input blank but the address, states from ``state_values`` (``id.prop`` keys)."""
    dep = next(d for d in deps if figure_output in d["output"] and not d.get("clientside_function"))
    url_input = next(i for i in dep["inputs"] if i["property"] == "search")
    inputs = [{**i, "value": search if i is url_input else None} for i in dep["inputs"]]
    states = [{**s, "value": (state_values or {}).get(f"{s['id']}.{s['property']}")} for s in dep["state"]]
    return json.dumps({
        "output": dep["output"], "outputs": _split_output(dep["output"]), "inputs": inputs, "state": states,
        "changedPropIds": [f"{url_input['id']}.search"],
    }).encode()


# --- load --------------------------------------------------------------------------------------

def load(port: int | list[int], bodies: list[bytes], clients: int, seconds: float, warmup: float) -> dict:
    """``clients`` threads POST the bodies in turn; latencies of the requests that start after the
    warm-up and end before the deadline. Before the clock starts every client sends every body
    once (so each view has been answered by every worker: the steady state of a dashboard in
    use); the warm-up then runs the full load for ``warmup`` seconds unmeasured."""
    ports = port if isinstance(port, list) else [port]
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    for body in bodies:  # one view at a time first: the cold answers do not pile up
        for each in ports:
            request(each, "POST", "/_dash-update-component", body)
    window: dict[str, float] = {}

    def start_clock() -> None:
        window["from"] = time.perf_counter() + warmup
        window["to"] = window["from"] + seconds

    ready = threading.Barrier(clients, action=start_clock)

    def client(offset: int) -> None:
        port = ports[offset % len(ports)]  # clients spread evenly over the servers
        for k in range(len(bodies)):
            request(port, "POST", "/_dash-update-component", bodies[(offset + k) % len(bodies)])
        ready.wait()
        i = offset
        while True:
            started = time.perf_counter()
            if started >= window["to"]:
                return
            try:
                status, body = request(port, "POST", "/_dash-update-component", bodies[i % len(bodies)])
            except OSError as exc:
                status, body = 0, str(exc).encode()
            ended = time.perf_counter()
            i += 1
            with lock:
                if status != 200:
                    failures.append(f"HTTP {status}: {body[:200]!r}")
                elif started >= window["from"] and ended <= window["to"]:
                    latencies.append(ended - started)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        sys.exit(f"{len(failures)} failed requests, first: {failures[0]}")
    latencies.sort()
    q = statistics.quantiles(latencies, n=100)
    return {"rps": len(latencies) / seconds, "p50": q[49] * 1000, "p95": q[94] * 1000, "n": len(latencies)}


def measure_startup(env: dict, repeat: int) -> tuple[float, float]:
    floor = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", FLOOR_IMPORT], check=True, cwd=PROJECT)
        floor.append(time.perf_counter() - start)
    startup = []
    for _ in range(repeat):
        port = free_port()
        server = gunicorn("app:server", 1, env, port)
        try:
            startup.append(wait_for(port, "/api/health", server))
        finally:
            stop(server)
    return statistics.median(floor), statistics.median(startup)


DEPLOY_BEGIN, DEPLOY_END = "<!-- deployment block", "<!-- end deployment block -->"


def deployment(args) -> None:
    """The explorer callback served by one and by two app server processes (one gunicorn worker
    each) sharing one store (``--database-url``) and one Redis cache (``--redis-url``): the
    README's deployment figures."""
    from dashboard import ids

    prefix = f"verifica-bench-{os.getpid()}:"
    env = {**os.environ, "DATABASE_URL": args.database_url, "CACHE_TYPE": "RedisCache",
           "CACHE_REDIS_URL": args.redis_url, "CACHE_KEY_PREFIX": prefix, "VERIFICA_LOG_LEVEL": "WARNING"}
    rows = []
    for processes in (1, 2):
        servers = [(gunicorn("app:server", 1, env, port), port) for port in (free_port() for _ in range(processes))]
        try:
            for server, port in servers:
                wait_for(port, "/api/health", server, timeout=300)
            port = servers[0][1]
            _, raw = request(port, "GET", "/api/indicators")
            views = [i["id"] for i in json.loads(raw)["indicators"] if i["status"] == "available"]
            bodies = [callback_body(port, f"{ids.FIGURE}.data", f"?indicator={v}", {f"{ids.LANG}.data": "en"})
                      for v in views]
            result = load([p for _, p in servers], bodies, args.clients, args.seconds, args.warmup)
            result["rss"] = [rss for server, _ in servers for rss in worker_rss_mb(server.pid)]
            rows.append((processes, result))
            print(processes, result, file=sys.stderr)
        finally:
            for server, _ in servers:
                stop(server)
    import redis

    client = redis.Redis.from_url(args.redis_url)
    keys = list(client.scan_iter(match=f"{prefix}*"))
    if keys:
        client.delete(*keys)
    dialect = args.database_url.split(":", 1)[0].split("+", 1)[0]
    lines = [
        f"{DEPLOY_BEGIN}: written by bench/bench_serving.py --deployment --write -->",
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, {os.cpu_count()} cores; store {dialect}, "
        f"cache Redis; each process `gunicorn -w 1 app:server`; {args.clients} clients spread evenly over the "
        f"processes, {args.seconds:.0f} s after {args.warmup:.0f} s of warm-up, every available indicator's "
        f"page-load view cycled; the load clients run on the same machine.",
        "",
        "| app processes | requests/s | p50 ms | p95 ms | worker RSS MB |",
        "|---|---|---|---|---|",
        *[f"| {n} | {r['rps']:.0f} | {r['p50']:.0f} | {r['p95']:.0f} | {', '.join(f'{m:.0f}' for m in r['rss'])} |"
          for n, r in rows],
        DEPLOY_END,
    ]
    report(DEPLOY_BEGIN, DEPLOY_END, lines, args.write)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deployment", action="store_true",
                        help="one and two app processes on --database-url and --redis-url")
    parser.add_argument("--database-url")
    parser.add_argument("--redis-url")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(PROJECT))
    if args.deployment:
        if not (args.database_url and args.redis_url):
            parser.error("--deployment needs --database-url and --redis-url")
        deployment(args)
        return
    from dashboard import ids

    with tempfile.TemporaryDirectory() as folder:
        with filled_store(folder) as (env, _port):
            pass
        floor_import, startup = measure_startup(env, args.repeat)
        print(f"start-up {startup:.2f} s, import floor {floor_import:.2f} s", file=sys.stderr)

        rows = {}
        for name, target in (("floor", "bench.floor_app:server"), ("explorer", "app:server")):
            port = free_port()
            server = gunicorn(target, 2, env, port)
            try:
                wait_for(port, "/", server)
                if name == "floor":
                    bodies = [callback_body(port, "chart.figure", f"?view={k}") for k in range(20)]
                else:
                    _, raw = request(port, "GET", "/api/indicators")
                    views = [i["id"] for i in json.loads(raw)["indicators"] if i["status"] == "available"]
                    bodies = [callback_body(port, f"{ids.FIGURE}.data", f"?indicator={v}", {f"{ids.LANG}.data": "en"})
                              for v in views]
                rows[name] = load(port, bodies, args.clients, args.seconds, args.warmup)
                print(name, rows[name], file=sys.stderr)
                rows[name]["views"] = len(bodies)
                rows[name]["rss"] = worker_rss_mb(server.pid)
                _, sample = request(port, "POST", "/_dash-update-component", bodies[0])
                rows[name]["bytes"] = len(sample)
            finally:
                stop(server)

    floor, app = rows["floor"], rows["explorer"]
    rps_ratio, p95_ratio = app["rps"] / floor["rps"], app["p95"] / floor["p95"]
    start_ratio = startup / floor_import
    rss = max(app["rss"])
    lines = [
        f"{BEGIN}: written by bench/bench_serving.py --write -->",
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; gunicorn sync workers, SQLite store from the snapshot; the load "
        f"clients run on the same machine.",
        "",
        f"Start-up on an existing store (median of {args.repeat}): `gunicorn -w 1 app:server` to the first 200 "
        f"of `/api/health` **{startup:.2f} s**; the import floor (`{FLOOR_IMPORT}`) {floor_import:.2f} s; "
        f"ratio **{start_ratio:.2f}x** (target 1.6x: **{'met' if start_ratio <= 1.6 else 'missed'}**).",
        "",
        f"Chart callback, {args.clients} clients, gunicorn 2 workers, {args.seconds:.0f} s after {args.warmup:.0f} s "
        f"of warm-up:",
        "",
        "| server | views cycled | answer bytes sent | requests/s | p50 ms | p95 ms | worker RSS MB |",
        "|---|---|---|---|---|---|---|",
        *[f"| {label} | {r['views']} | {r['bytes']:,} | {r['rps']:.0f} | {r['p50']:.0f} | {r['p95']:.0f} | "
          f"{', '.join(f'{m:.0f}' for m in r['rss'])} |"
          for label, r in (("bare Dash floor (`bench/floor_app.py`)", floor),
                           ("explorer (`app:server`, page-load callback)", app))],
        "",
        f"Throughput {rps_ratio:.2f}x the floor (target 0.6x: **{'met' if rps_ratio >= 0.6 else 'missed'}**); "
        f"p95 {p95_ratio:.2f}x the floor's (target 2x: **{'met' if p95_ratio <= 2 else 'missed'}**); "
        f"worker RSS at most {rss:.0f} MB (target 300 MB: **{'met' if rss <= 300 else 'missed'}**).",
        END,
    ]
    report(BEGIN, END, lines, args.write)


if __name__ == "__main__":
    main()
