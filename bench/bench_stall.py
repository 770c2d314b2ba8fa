"""Benchmark: does anything stall while data are published and new past dates are asked for?

    .venv/bin/python -m bench.bench_stall [--clients 16] [--seconds 20] [--write]

The target (the reliability issue): under 16 clients, with publishes made by the command line in
the background, no request waits more than 1 s, and ``/api/health`` answers within 1 s while 6
scorecards for new past dates are asked for at once.

For each gunicorn set-up (2 sync workers; 2 workers with 4 threads each, the deployed one) a fresh
copy of one SQLite store prepared from the committed snapshot (``python -m etl prepare``) is
served, and three phases run one after the other:

* **quiet**: ``--clients`` threads cycle over a mix of requests a dashboard in use makes (every
  available indicator's page-load callback, ``/api/scorecard.json``, the scorecard CSV, the
  indicator list and data downloads, the health check) for ``--seconds``;
* **publishing**: the same load while another process runs, one after the other, ``python -m etl
  withdraw`` of the newest vintage of two sources, ``restore`` of each, and ``import`` of a raw
  file already loaded (each runs the after-publish steps, as the refresh job does: the scorecard
  and maps for the new data are computed by that process; meanwhile requests are served the
  previous grid, marked updating);
* **past dates**: 6 scorecards for dates not asked for before (``/api/scorecard.json?as_of=``,
  six different months) requested at once, each asked again every second while the answer is
  202 (being computed), while a prober asks ``/api/health`` every 0.1 s.

Every request must answer 200 (202 for a past date being computed; any other status fails the
run). Latencies are per request, from
the client's send to the last byte; the clients run on the same machine. ``--write`` replaces
this benchmark's block of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.bench_serving import callback_body, free_port, request, stop, wait_for
from bench.results import report

BEGIN, END = "<!-- stall block", "<!-- end stall block -->"
PROJECT = Path(__file__).resolve().parents[1]
SETUPS = {"2 sync workers (deployed)": ["-w", "2"], "2 workers x 4 threads": ["-w", "2", "--threads", "4"]}
STALL = 1.0  # seconds: the target's bound
AS_OF_DATES = 6


def serve(args: list[str], env: dict, port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", *args, "-b", f"127.0.0.1:{port}", "--timeout", "300",
         "--log-level", "warning", "app:server"],
        cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


class Recorder:
    """Latencies per kind of request, and every failure."""

    def __init__(self) -> None:
        self.latencies: dict[str, list[float]] = {}
        self.failures: list[str] = []
        self.lock = threading.Lock()

    def timed(self, kind: str, port: int, method: str, path: str, body: bytes | None = None,
              ok: tuple[int, ...] = (200,)) -> int:
        started = time.perf_counter()
        try:
            status, answer = request(port, method, path, body, timeout=300)
        except OSError as exc:
            status, answer = 0, str(exc).encode()
        elapsed = time.perf_counter() - started
        with self.lock:
            if status not in ok:
                self.failures.append(f"{kind} {path}: HTTP {status} {answer[:160]!r}")
            self.latencies.setdefault(kind, []).append(elapsed)
        return status

    def summary(self, kinds: list[str] | None = None) -> dict:
        values = sorted(v for k, vs in self.latencies.items() if kinds is None or k in kinds for v in vs)
        if not values:
            return {"n": 0, "p50": 0.0, "p95": 0.0, "max": 0.0, "over": 0}
        q = statistics.quantiles(values, n=100, method="inclusive") if len(values) > 1 else [values[0]] * 99
        return {"n": len(values), "p50": q[49], "p95": q[94], "max": values[-1],
                "over": sum(v > STALL for v in values)}


def mixed_requests(port: int) -> list[tuple[str, str, str, bytes | None]]:
    """(kind, method, path, body): what a dashboard in use asks for."""
    from dashboard import ids

    _, raw = request(port, "GET", "/api/indicators")
    views = [i["id"] for i in json.loads(raw)["indicators"] if i["status"] == "available"]
    items: list[tuple[str, str, str, bytes | None]] = [
        ("view", "POST", "/_dash-update-component",
         callback_body(port, f"{ids.FIGURE}.data", f"?indicator={v}", {f"{ids.LANG}.data": "en"}))
        for v in views]
    items += [("scorecard", "GET", "/api/scorecard.json", None), ("scorecard", "GET", "/api/scorecard.csv", None),
              ("api", "GET", "/api/indicators", None), ("health", "GET", "/api/health", None)]
    items += [("api", "GET", f"/api/indicators/{v}.json", None) for v in views[:4]]
    return items


def run_load(port: int, items: list, clients: int, until: threading.Event | None, seconds: float) -> Recorder:
    """``clients`` threads cycle over ``items`` until ``until`` is set (or for ``seconds``)."""
    recorder = Recorder()
    deadline = time.perf_counter() + seconds

    def done() -> bool:
        return until.is_set() if until is not None else time.perf_counter() >= deadline

    def client(offset: int) -> None:
        i = offset
        while not done():
            kind, method, path, body = items[i % len(items)]
            recorder.timed(kind, port, method, path, body)
            i += 1

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return recorder


def publish_in_background(env: dict, raw_dir: Path, finished: threading.Event, log: list[str]) -> None:
    """Withdraw and restore the newest vintage of two sources, then import a loaded file again,
    each with the after-publish steps, from the command line (another process)."""
    from etl.sources import get_source
    from etl.store import list_vintages, make_engine

    engine = make_engine(env["DATABASE_URL"], create=False)
    by_source: dict[str, int] = {}
    for vintage in list_vintages(engine):
        if vintage.withdrawn_on is None:
            by_source[vintage.source_id] = vintage.id
    engine.dispose()
    chosen = [s for s in ("cbp_drug_seizures", "cdc_vsrr") if s in by_source]
    commands = []
    for source in chosen:
        commands.append(["withdraw", str(by_source[source]), "--reason", "benchmark: a publish in the background"])
        commands.append(["restore", str(by_source[source]), "--reason", "benchmark: served again"])
    path = max(get_source("cdc_vsrr").raw_files(raw_dir), key=lambda p: p.name)
    commands.append(["import", "cdc_vsrr", str(path)])
    try:
        for command in commands:
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "etl", *command], cwd=PROJECT, env=env,
                                  capture_output=True, text=True, timeout=900)
            first = (done.stdout or done.stderr).strip().splitlines()[:1]
            log.append(f"`etl {command[0]}` exit {done.returncode} in {time.perf_counter() - started:.1f} s"
                       f" ({first[0][:80] if first else ''})")
    finally:
        finished.set()


def past_dates(port: int, recorder: Recorder, events: list[dict]) -> dict:
    """AS_OF_DATES new scorecards at once while a prober asks for the health check every 0.1 s."""
    # The 15th of the months after the newest event: grids with every commitment's cells (the
    # costliest), none asked for before.
    newest = max(dt.date.fromisoformat(str(e["date"])[:10]) for e in events)
    days = [dt.date(newest.year + (newest.month + k) // 12, 1 + (newest.month + k) % 12, 15)
            for k in range(AS_OF_DATES)]
    stop_probe = threading.Event()

    def probe() -> None:
        while not stop_probe.is_set():
            recorder.timed("health (probe)", port, "GET", "/api/health")
            time.sleep(0.1)

    prober = threading.Thread(target=probe)
    prober.start()
    ready: list[float] = []

    def ask(day: dt.date) -> None:
        """Ask as a script would: again after each 202 (every second) until the grid is there."""
        started = time.perf_counter()
        while recorder.timed("past date", port, "GET", f"/api/scorecard.json?as_of={day.isoformat()}",
                             ok=(200, 202)) == 202 and time.perf_counter() - started < 900:
            time.sleep(1)
        ready.append(time.perf_counter() - started)

    askers = [threading.Thread(target=ask, args=(day,)) for day in days]
    for thread in askers:
        thread.start()
    for thread in askers:
        thread.join()
    stop_probe.set()
    prober.join()
    return {"past": recorder.summary(["past date"]), "health": recorder.summary(["health (probe)"]),
            "ready": max(ready)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--raw-dir", type=Path, help="the raw files (default: VERIFICA_RAW_DIR)")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(PROJECT))
    import settings

    args.raw_dir = args.raw_dir or (PROJECT / settings.get().raw_dir)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        template = Path(folder) / "template.db"
        base_env = {**os.environ, "VERIFICA_LOG_LEVEL": "WARNING"}
        subprocess.run([sys.executable, "-m", "etl", "--database-url", f"sqlite:///{template}", "prepare"],
                       cwd=PROJECT, env=base_env, check=True, capture_output=True)
        for label, setup in SETUPS.items():
            db = Path(folder) / f"{len(rows)}.db"
            shutil.copy(template, db)
            env = {**base_env, "DATABASE_URL": f"sqlite:///{db}"}
            port = free_port()
            server = serve(setup, env, port)
            try:
                wait_for(port, "/api/health", server, timeout=300)
                items = mixed_requests(port)
                for _kind, method, path, body in items:  # every answer once: the steady state
                    request(port, method, path, body, timeout=300)
                quiet = run_load(port, items, args.clients, None, args.seconds)
                finished, log = threading.Event(), []
                publisher = threading.Thread(target=publish_in_background, args=(env, args.raw_dir, finished, log))
                started = time.perf_counter()
                publisher.start()
                busy = run_load(port, items, args.clients, finished, 0)
                publisher.join()
                busy_seconds = time.perf_counter() - started
                past_recorder = Recorder()
                _, raw = request(port, "GET", "/api/events.json")
                past = past_dates(port, past_recorder, json.loads(raw)["events"])
                failures = quiet.failures + busy.failures + past_recorder.failures
                if failures:
                    sys.exit(f"{label}: {len(failures)} failed requests, first: {failures[0]}")
                rows.append({"label": label, "quiet": quiet.summary(), "busy": busy.summary(),
                             "busy_kinds": {k: busy.summary([k]) for k in sorted(busy.latencies)},
                             "busy_seconds": busy_seconds, "log": log, **past})
                print(json.dumps(rows[-1], indent=1, default=str), file=sys.stderr)
            finally:
                stop(server)

    def ms(value: float) -> str:
        return f"{value * 1000:,.0f}"

    lines = [
        f"{BEGIN}: written by bench/bench_stall.py --write -->",
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; SQLite store prepared from the snapshot; {args.clients} clients on the same "
        f"machine; a stall is a request over {STALL:.0f} s.",
        "",
        "| gunicorn | phase | requests | p50 ms | p95 ms | max ms | over 1 s |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        for phase, key in ((f"quiet, {args.seconds:.0f} s", "quiet"),
                           (f"publishing in the background, {row['busy_seconds']:.0f} s", "busy"),
                           (f"{AS_OF_DATES} new past dates at once: each request for a scorecard", "past"),
                           (f"{AS_OF_DATES} new past dates at once: /api/health every 0.1 s", "health")):
            s = row[key]
            lines.append(f"| {row['label']} | {phase} | {s['n']:,} | {ms(s['p50'])} | {ms(s['p95'])} | "
                         f"{ms(s['max'])} | {s['over']} |")
    lines += ["", f"The {AS_OF_DATES} past dates' scorecards were all served after: " + "; ".join(
        f"{row['label']}: {row['ready']:.0f} s" for row in rows) + ".",
        "", "While publishing, by kind of request (max ms): " + "; ".join(
        f"{row['label']}: " + ", ".join(f"{k} {ms(v['max'])}" for k, v in row["busy_kinds"].items())
        for row in rows) + ".", "",
        "The background publishes (first set-up): " + "; ".join(rows[0]["log"]) + ".", ""]
    verdicts = []
    for row in rows:
        stalls = row["busy"]["over"] + row["quiet"]["over"]
        met = not stalls and row["health"]["max"] <= STALL
        verdicts.append(f"{row['label']}: {stalls} stall(s) under load, health at most {ms(row['health']['max'])} ms "
                        f"during the past dates (**{'met' if met else 'missed'}**)")
    lines += ["Target (no stall over 1 s; health within 1 s while past dates are computed): " + "; ".join(verdicts)
              + ".", END]
    report(BEGIN, END, lines, args.write)


if __name__ == "__main__":
    main()
