"""Benchmark: peak memory and time of ``python -m etl import`` on a large CBP drug-seizures file.

The requirement: an import of a 200 MB file must not take 1 GB of memory.

    .venv/bin/python -m bench.bench_import_memory [--sizes 20 200] [--phases] [--write]

For each size (MB, 10^6 bytes) a CSV with the real column layout of a CBP nationwide drug seizures
release is generated in a temporary folder (never in the repository) from the real files in
``<raw-dir>/cbp/drug-seizures``:

* fiscal years 2019-2022 come from ``nationwide-drugs-fy19-fy22.csv`` and 2023-2026 FYTD (to Dec
  2025) from ``nationwide-drugs-fy23-fy26-dec.csv``; FY2016-FY2018 are FY2019-FY2021's rows with
  the year moved back by three (the source's ``span_start`` is 2015-10), so every month from Oct
  2015 to Dec 2025 has rows and the release checks (every month present, last month not thin,
  months within the span, fentanyl present) pass as they do on the real files;
* that block (about 25,600 rows, 2.7 MB) is repeated until the file reaches the size; repetition
  ``k`` > 0 names each Area of Responsibility ``<real AOR> #k`` (more AOR values, as the brief
  allows) so the (month, component, region, land filter, AOR, drug type) key stays unique. Every
  other cell is the real file's text, CRLF line endings as CBP writes them.

Each file is imported into a fresh, empty SQLite store (so there is no previous vintage to diff
against) by ``python -m etl --database-url sqlite:///TMP/x.db import cbp_drug_seizures FILE
--published-on 2026-01-15`` in a child process with ``VERIFICA_AFTER_PUBLISH=""``; the child's
peak RSS is its own ``ru_maxrss`` (``os.wait4`` on that one child), its wall time is measured
around it, and the rows stored are counted in the store afterwards. A child that only imports
the ETL modules gives the baseline the interpreter and libraries cost on their own.

``--phases`` also runs the largest file once through the same steps as ``etl.pipeline.import_file``
in a child process, with the RSS high-water mark reset (``/proc/self/clear_refs``) between steps,
to show where the memory goes. ``--write`` replaces this benchmark's block of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from bench.results import report

BEGIN, END = "<!-- import memory block", "<!-- end import memory block -->"
PROJECT = Path(__file__).resolve().parents[1]
DEFAULT_RAW = PROJECT.parent / "shared" / "data" / "raw"
SOURCE_ID = "cbp_drug_seizures"
PUBLISHED_ON = "2026-01-15"  # the month after the last data month (Dec 2025)
LIMIT_MB = 1000.0  # "1 GB"
MB = 1e6


# ---------------------------------------------------------------------------------------------
# The synthetic release


def template(raw_dir: Path) -> pd.DataFrame:
    """Oct 2015 - Dec 2025 of real rows, as text cells (see the module docstring)."""
    folder = raw_dir / "cbp" / "drug-seizures"
    read = lambda name: pd.read_csv(folder / name, dtype=str, keep_default_na=False)  # noqa: E731
    old, new = read("nationwide-drugs-fy19-fy22.csv"), read("nationwide-drugs-fy23-fy26-dec.csv")
    year = old["FY"].str[:4].astype(int)
    earlier = old[year <= 2021].copy()
    earlier["FY"] = (year[year <= 2021] - 3).astype(str)
    return pd.concat([earlier, old, new], ignore_index=True)


def generate(raw_dir: Path, target_mb: float, path: Path) -> tuple[int, int]:
    """Write a release of about ``target_mb`` MB; (bytes, data rows)."""
    block = template(raw_dir)
    header = ",".join(block.columns) + "\r\n"
    one = block.to_csv(header=False, index=False, lineterminator="\r\n")
    repeats = max(1, round(target_mb * MB / len(one.encode())))
    aor = block["Area of Responsibility"]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(header)
        handle.write(one)
        for k in range(1, repeats):
            handle.write(block.assign(**{"Area of Responsibility": aor + f" #{k}"})
                         .to_csv(header=False, index=False, lineterminator="\r\n"))
    return path.stat().st_size, repeats * len(block)


# ---------------------------------------------------------------------------------------------
# Measuring a child process


def run_child(argv: list[str], env: dict[str, str], workdir: Path, label: str) -> dict:
    """Run ``argv``; its own peak RSS (MB), wall seconds, exit status and output."""
    out, err = workdir / f"{label}.out", workdir / f"{label}.err"
    with open(out, "wb") as stdout, open(err, "wb") as stderr:
        start = time.perf_counter()
        child = subprocess.Popen(argv, cwd=PROJECT, env=env, stdout=stdout, stderr=stderr)
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    return {"rss_mb": usage.ru_maxrss * 1024 / MB, "seconds": seconds, "status": child.returncode,
            "stdout": out.read_text().strip(), "stderr": err.read_text().strip()}


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["VERIFICA_AFTER_PUBLISH"] = ""
    env.pop("DATABASE_URL", None)
    return env


def stored_rows(db: Path) -> tuple[int, int | None]:
    """(observations in the store, row_count recorded on the vintage)."""
    with sqlite3.connect(db) as conn:
        observations = conn.execute("SELECT COUNT(*) FROM observations").fetchone()[0]
        vintage = conn.execute("SELECT row_count FROM vintages WHERE source_id = ?", (SOURCE_ID,)).fetchone()
    return observations, vintage[0] if vintage else None


def measure_import(csv: Path, workdir: Path, label: str) -> dict:
    db = workdir / f"{label}.db"
    argv = [sys.executable, "-m", "etl", "--database-url", f"sqlite:///{db}", "import", SOURCE_ID,
            str(csv), "--published-on", PUBLISHED_ON]
    result = run_child(argv, child_env(), workdir, label)
    if result["status"] != 0:
        raise SystemExit(f"import of {csv.name} failed ({result['status']}): {result['stderr'][-2000:]}")
    result["observations"], result["row_count"] = stored_rows(db)
    return result


def measure_baseline(workdir: Path) -> dict:
    argv = [sys.executable, "-c", "import etl.pipeline, etl.sources, etl.release_diff"]
    return run_child(argv, child_env(), workdir, "baseline")


# ---------------------------------------------------------------------------------------------
# Where the memory goes: the steps of import_file, one high-water mark per step


class Marks:
    """Consecutive segments of a run: seconds, RSS at the end and peak RSS within each (MB)."""

    def __init__(self) -> None:
        self.rows: list[dict] = []
        self._reset()

    @staticmethod
    def _status() -> dict[str, float]:
        values = {}
        with open("/proc/self/status") as handle:
            for line in handle:
                key, _, rest = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    values[key] = int(rest.split()[0]) * 1024 / MB
        return values

    def _reset(self) -> None:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")  # resets VmHWM to the current RSS
        self._start = time.perf_counter()

    def mark(self, name: str, **extra) -> None:
        status = self._status()
        self.rows.append({"step": name, "seconds": time.perf_counter() - self._start,
                          "rss_mb": status["VmRSS"], "peak_mb": status["VmHWM"], **extra})
        self._reset()


def phases_child(csv: Path, db: Path, published_on: str) -> None:
    """The steps of ``pipeline.import_file`` → ``guarded_publish`` → ``store.publish``, in order,
    with ``etl.cbp.read_release`` wrapped to split the parse."""
    from etl import cbp, pipeline, release_diff, store
    from etl.common import load_origin
    from etl.sources import get_source

    marks = Marks()
    engine = store.make_engine(f"sqlite:///{db}")
    store.init_schema(engine)
    module = get_source(SOURCE_ID)
    marks.mark("start: interpreter, imports, empty schema")

    read_release = cbp.read_release

    def timed_read_release(content, file_name, columns):
        marks.mark("parse: (entry)")
        raw = read_release(content, file_name, columns)
        marks.mark("parse: pandas read_csv (dtype=str) + strip (once per distinct cell)", rows=len(raw))
        return raw

    cbp.read_release = timed_read_release
    path = Path(csv)
    content = path.read_bytes()
    marks.mark("read bytes (`path.read_bytes()`)", bytes_mb=len(content) / MB)
    tidy = module.SOURCE.parse(content, path.name)
    marks.mark("parse: months, numbers, range checks, tidy frame, unique key, concat",
               rows=len(tidy), frame_mb=tidy.memory_usage(deep=True).sum() / MB)
    module.SOURCE.check(tidy, path.name)
    marks.mark("check: every month, fentanyl present")
    record = store.make_record(SOURCE_ID, content, path.name, tidy,
                               (dt.date.fromisoformat(published_on), store.GIVEN_DATE))
    del content, tidy  # import_file drops the bytes once the record is built
    marks.mark("make_record (sha256), bytes released")
    origin = load_origin(SOURCE_ID)
    with pipeline.prepare_lock(engine):
        diff = release_diff.diff_release(engine, record, origin)
        marks.mark("release diff (dates, thin last month; no previous vintage)")
        if diff.refusals():
            raise SystemExit(f"refused: {diff.refusals()}")
        store.record_digest(record)
        marks.mark("content digest (16 bytes a row, sorted)")
        run = store.publish(engine, origin, record, kind="import", diff=diff.to_json())
        marks.mark("publish: vintage row, chunked INSERT (50,000 rows at a time), commit")
    print(json.dumps({"outcome": run.outcome, "rows": run.rows, "marks": marks.rows}))


def measure_phases(csv: Path, workdir: Path) -> dict:
    db = workdir / "phases.db"
    argv = [sys.executable, "-m", "bench.bench_import_memory", "--phases-child", str(csv), str(db), PUBLISHED_ON]
    result = run_child(argv, child_env(), workdir, "phases")
    if result["status"] != 0:
        raise SystemExit(f"phase run failed ({result['status']}): {result['stderr'][-2000:]}")
    measured = json.loads(result["stdout"].splitlines()[-1])
    # clear_refs also lowers the ru_maxrss the kernel reports at exit: the run's peak is the
    # highest of the steps' peaks.
    return {**measured, "rss_mb": max(m["peak_mb"] for m in measured["marks"]), "seconds": result["seconds"]}


# ---------------------------------------------------------------------------------------------


def code_version() -> str:
    """The commit measured, and whether etl/ had uncommitted changes (read-only git calls)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT, capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "--no-optional-locks", "status", "--porcelain", "--", "etl", "settings.py"],
                               cwd=PROJECT, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown commit"
    return f"commit {head}" + (" with uncommitted changes in etl/" if dirty else "")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--raw-dir", type=Path, default=DEFAULT_RAW)
    parser.add_argument("--sizes", type=float, nargs="+", default=[20.0, 200.0], help="file sizes in MB")
    parser.add_argument("--phases", action="store_true", help="also profile the largest file step by step")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (files, stores)")
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--phases-child", nargs=3, metavar=("CSV", "DB", "DATE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phases_child:
        phases_child(Path(args.phases_child[0]), Path(args.phases_child[1]), args.phases_child[2])
        return

    version = code_version()
    workdir = Path(tempfile.mkdtemp(prefix="verifica-import-memory-"))
    print(f"working in {workdir}", file=sys.stderr)
    baseline = measure_baseline(workdir)
    results = []
    for size in sorted(args.sizes):
        csv = workdir / f"nationwide-drugs-fy16-fy26-dec-{size:g}mb.csv"
        file_bytes, rows = generate(args.raw_dir, size, csv)
        print(f"{csv.name}: {file_bytes / MB:.1f} MB, {rows:,} rows; importing", file=sys.stderr)
        result = measure_import(csv, workdir, f"import-{size:g}")
        results.append({"csv": csv, "bytes": file_bytes, "rows": rows, **result})
        print(f"  peak RSS {result['rss_mb']:.0f} MB, {result['seconds']:.1f} s, "
              f"{result['observations']:,} observations", file=sys.stderr)
    phases = None
    if args.phases:
        print("phase profile of the largest file", file=sys.stderr)
        phases = measure_phases(results[-1]["csv"], workdir)

    largest = results[-1]
    verdict = "meets" if largest["rss_mb"] <= LIMIT_MB else "FAILS"
    lines = [
        f"{BEGIN}: written by bench/bench_import_memory.py --write -->",
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, pandas {pd.__version__}, SQLite store, {version}"
        + ("" if code_version() == version else f" (changed to {code_version()} during the run)") + ".",
        "",
        "`python -m etl import cbp_drug_seizures FILE` into an empty SQLite store "
        "(`VERIFICA_AFTER_PUBLISH=\"\"`), one child process per file; peak RSS is the child's own "
        "`ru_maxrss`. Files: the real CBP drug-seizure rows of Oct 2015 - Dec 2025, repeated with "
        "more Area of Responsibility values (`<AOR> #k`) up to the size.",
        "",
        "| file | MB | CSV rows | observations stored | peak RSS MB | RSS MB per file MB | seconds |",
        "|---|---|---|---|---|---|---|",
        f"| (baseline: interpreter + ETL imports only) | - | - | - | {baseline['rss_mb']:.0f} | - | "
        f"{baseline['seconds']:.1f} |",
        *[f"| `{r['csv'].name}` | {r['bytes'] / MB:.1f} | {r['rows']:,} | {r['observations']:,} | "
          f"{r['rss_mb']:.0f} | {r['rss_mb'] / (r['bytes'] / MB):.1f} | {r['seconds']:.1f} |" for r in results],
        "",
        f"Requirement (a {largest['bytes'] / MB:.0f} MB import under {LIMIT_MB:.0f} MB): **{verdict}** "
        f"({largest['rss_mb']:.0f} MB).",
    ]
    if len(results) > 1:
        small = results[0]
        slope = (largest["rss_mb"] - small["rss_mb"]) / ((largest["bytes"] - small["bytes"]) / MB)
        per_observation = (largest["rss_mb"] - small["rss_mb"]) * MB / (largest["observations"] - small["observations"])
        lines.append(f"Growth between the two files: {slope:.1f} MB of RSS per MB of CSV "
                     f"({per_observation:,.0f} bytes per observation).")
    if phases:
        lines += [
            "",
            f"Step by step on `{largest['csv'].name}` (same steps as `pipeline.import_file`, high-water mark "
            f"reset between steps; whole run: peak {phases['rss_mb']:.0f} MB, {phases['seconds']:.1f} s):",
            "",
            "| step | seconds | RSS at end MB | peak within step MB |",
            "|---|---|---|---|",
            *[f"| {m['step']} | {m['seconds']:.1f} | {m['rss_mb']:.0f} | {m['peak_mb']:.0f} |"
              for m in phases["marks"] if "(entry)" not in m["step"] and "(between" not in m["step"]],
        ]
    lines.append(END)
    report(BEGIN, END, lines, args.write)
    if not args.keep:
        for path in workdir.iterdir():
            path.unlink()
        workdir.rmdir()


if __name__ == "__main__":
    main()
