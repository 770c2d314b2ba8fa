"""Writers that run at once (a timer's refresh and an operator's import, two app workers
starting) never race: one publishes, the other finds it published; nobody records a failure for
data that was published. And a build is deterministic: the same raw files give the same store."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from etl import pipeline
from etl.sources import SOURCES, get_source
from etl.store import Vintage, _stored_digest, failing_sources, list_vintages, recent_runs

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def start_import(store, source_id: str, path: Path) -> subprocess.Popen:
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": store.url.render_as_string(hide_password=False),
           "VERIFICA_AFTER_PUBLISH": ""}
    return subprocess.Popen([sys.executable, "-m", "etl", "import", source_id, str(path)], cwd=PROJECT_ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_imports_of_the_same_release_at_once_publish_it_once(store, raw_dir):
    path = max(get_source("cbp_drug_seizures").raw_files(raw_dir), key=lambda p: p.name)
    runs = [start_import(store, "cbp_drug_seizures", path) for _ in range(3)]
    results = [(p.wait(timeout=300), p.stdout.read(), p.stderr.read()) for p in runs]
    assert [code for code, _, _ in results] == [0, 0, 0], results
    outcomes = sorted(out.split(":")[0] for _, out, _ in results)
    assert outcomes == ["ok", "unchanged", "unchanged"], results
    assert len(list_vintages(store, "cbp_drug_seizures")) == 1
    assert failing_sources(store) == []
    assert sorted(r.outcome for r in recent_runs(store)) == ["ok", "unchanged", "unchanged"]


def test_imports_of_different_sources_at_once_both_publish(store, raw_dir):
    jobs = {sid: min(get_source(sid).raw_files(raw_dir), key=lambda p: p.stat().st_size)
            for sid in ("cbp_weapons_seizures", "cdc_vsrr")}
    runs = [start_import(store, sid, path) for sid, path in jobs.items()]
    results = [(p.wait(timeout=300), p.stdout.read()) for p in runs]
    assert all(code == 0 and out.startswith("ok:") for code, out in results), results
    assert {v.source_id for v in list_vintages(store)} == set(jobs)


def fingerprint(store) -> list[tuple]:
    """Every vintage by what it is (not the order it got its id in): file, checksum, release
    date, coverage, rows and a digest of its stored observations."""
    with Session(store) as session, session.begin():
        return sorted((v.source_id, v.file_name, v.sha256, v.published_on, v.period_start, v.period_end,
                       v.row_count, _stored_digest(session, v)) for v in session.scalars(select(Vintage)))


def test_the_same_raw_files_build_the_same_store(built_store, store_factory, raw_dir):
    again = store_factory()
    pipeline.build(again, raw_dir, progress=False)
    first, second = fingerprint(built_store), fingerprint(again)
    assert first == second
    assert {row[0] for row in first} == {sid for sid in SOURCES if get_source(sid).raw_files(raw_dir)}
    # And building again into the same store changes nothing.
    runs = pipeline.build(again, raw_dir, progress=False)
    assert {run.outcome for run in runs} == {"unchanged"}
    assert fingerprint(again) == second
