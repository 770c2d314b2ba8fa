"""The ETL command line: build, status, import, snapshot; bad input exits 2 with one line."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from etl.__main__ import main
from etl.store import Observation, failing_sources, list_vintages, overdue_sources
from tests.helpers import full_window

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def url(store) -> str:
    return store.url.render_as_string(hide_password=False)


def observations(store) -> int:
    with Session(store) as session:
        return session.scalar(select(func.count()).select_from(Observation))


def test_import_then_status(store, tmp_path, capsys):
    release = tmp_path / "nationwide-drugs-fy23-fy26-dec.csv"
    release.write_bytes(full_window())
    assert main(["--database-url", url(store), "import", "cbp_drug_seizures", str(release),
                 "--published-on", "2026-01-14"]) == 0
    assert "ok: nationwide-drugs-fy23-fy26-dec.csv" in capsys.readouterr().out
    # A health check: the data end 2025-12, so CBP's next release is overdue today -> exit 1.
    overdue = overdue_sources(store)
    assert main(["--database-url", url(store), "status"]) == (1 if overdue else 0)
    out = capsys.readouterr().out
    assert "published 2026-01-14 (given on the command line)" in out
    assert "covers 2024-10..2025-12" in out
    assert overdue_sources(store, today=dt.date(2026, 2, 1)) == []
    assert [s for s, _ in overdue_sources(store, today=dt.date(2026, 6, 1))] == ["cbp_drug_seizures"]


def test_bad_import_is_one_line_error_exit_2_and_store_unchanged(store, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_bytes(full_window())
    main(["--database-url", url(store), "import", "cbp_drug_seizures", str(good)])
    before = observations(store)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(full_window().replace(b"TUCSON SECTOR,Fentanyl,1,2.5", b"TUCSON SECTOR,Fentanyl,1,lots", 1))
    capsys.readouterr()
    assert main(["--database-url", url(store), "import", "cbp_drug_seizures", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: bad.csv: Sum Qty (lbs) is not a number")
    assert observations(store) == before
    assert main(["--database-url", url(store), "status"]) == 1  # failing: a health check fails
    assert "WARNING: last import of cbp_drug_seizures failed" in capsys.readouterr().out


def test_an_unreachable_database_is_one_line_and_exit_2(capsys):
    unreachable = "postgresql+psycopg://nobody@127.0.0.1:9/verifica?connect_timeout=2"
    assert main(["--database-url", unreachable, "status"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: database postgresql+psycopg://nobody@127.0.0.1:9/verifica")
    assert "SELECT" not in err and "Traceback" not in err


def test_missing_file_and_unknown_source(store, tmp_path, capsys):
    assert main(["--database-url", url(store), "import", "cbp_drug_seizures", str(tmp_path / "nope.csv")]) == 2
    assert "error: file not found" in capsys.readouterr().err
    assert main(["--database-url", url(store), "refresh", "cdc_wonder"]) == 2
    assert "cdc_wonder has no live endpoint; use 'import'" in capsys.readouterr().err
    assert failing_sources(store) == []  # operator mistakes are not public failures of a source
    with pytest.raises(SystemExit):
        main(["--database-url", url(store), "import", "no_such_source", "x.csv"])


@pytest.mark.raw
def test_build_and_snapshot_from_the_command_line(store, raw_dir, tmp_path):
    env_url = url(store)
    result = subprocess.run(
        [sys.executable, "-m", "etl", "--database-url", env_url, "build", "--raw-dir", str(raw_dir),
         "--source", "cdc_vsrr"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert re.search(r"built: 3 new vintage\(s\), 0 unchanged", result.stdout)
    result = subprocess.run(
        [sys.executable, "-m", "etl", "--database-url", env_url, "snapshot", "--out", str(tmp_path / "snap")],
        cwd=PROJECT_ROOT, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "snap" / "manifest.json").is_file()
    assert len(list((tmp_path / "snap" / "cdc_vsrr").glob("*.csv.gz"))) == 3


def test_build_from_a_missing_folder_fails_clearly(store, tmp_path, capsys):
    assert main(["--database-url", url(store), "build", "--raw-dir", str(tmp_path / "absent")]) == 2
    assert "raw data folder not found" in capsys.readouterr().err


def test_a_wrong_release_date_can_be_corrected_and_must_fit_the_data(store, tmp_path, capsys):
    release = tmp_path / "nationwide-drugs-fy23-fy26-dec.csv"
    release.write_bytes(full_window())
    assert main(["--database-url", url(store), "import", "cbp_drug_seizures", str(release),
                 "--published-on", "2026-02-20"]) == 0
    capsys.readouterr()
    assert main(["--database-url", url(store), "import", "cbp_drug_seizures", str(release),
                 "--published-on", "2026-01-14"]) == 0
    assert "corrected: nationwide-drugs-fy23-fy26-dec.csv: release date corrected from 2026-02-20" in \
        capsys.readouterr().out
    [vintage] = list_vintages(store, "cbp_drug_seizures")
    assert vintage.published_on == dt.date(2026, 1, 14)
    # Not before the last month the release contains (December 2025).
    assert main(["--database-url", url(store), "import", "cbp_drug_seizures", str(release),
                 "--published-on", "2025-11-30"]) == 2
    assert "months after the release date 2025-11-30" in capsys.readouterr().err
    assert list_vintages(store, "cbp_drug_seizures")[0].published_on == dt.date(2026, 1, 14)


def test_status_never_creates_a_store_and_fails_on_nothing(tmp_path, capsys):
    typo = tmp_path / "typo" / "x.db"
    assert main(["--database-url", f"sqlite:///{typo}", "status"]) == 1
    assert "no store at" in capsys.readouterr().err
    assert not typo.parent.exists()  # a read never makes the folder or the file
    empty = tmp_path / "empty.db"
    assert main(["--database-url", f"sqlite:///{empty}", "migrate"]) == 0
    capsys.readouterr()
    assert main(["--database-url", f"sqlite:///{empty}", "status"]) == 1
    out = capsys.readouterr().out
    assert "holds no data" in out and "no timeline events" in out


def test_a_withdrawal_reason_is_one_line(store, tmp_path, capsys):
    release = tmp_path / "nationwide-drugs-fy23-fy26-dec.csv"
    release.write_bytes(full_window())
    assert main(["--database-url", url(store), "import", "cbp_drug_seizures", str(release)]) == 0
    (vintage,) = list_vintages(store)
    capsys.readouterr()
    assert main(["--database-url", url(store), "withdraw", str(vintage.id), "--reason", "wrong\nsecond line"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "must be one line" in err[0]
    assert list_vintages(store)[0].withdrawn_on is None


def test_a_release_date_inside_its_last_data_month_is_refused(store, tmp_path, capsys):
    release = tmp_path / "nationwide-drugs-fy23-fy26-dec.csv"
    release.write_bytes(full_window())
    code = main(["--database-url", url(store), "import", "cbp_drug_seizures", str(release),
                 "--published-on", "2025-12-20"])  # full_window's data end in December 2025
    err = capsys.readouterr().err
    assert code == 2 and "inside its last data month 2025-12" in err, err
    assert not list_vintages(store)


def test_postgres_urls_as_platforms_give_them_are_accepted():
    from etl.store import normalise_url

    assert normalise_url("postgres://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"


def test_prepare_makes_a_store_ready_to_serve(tmp_path, capsys, monkeypatch):
    """The read-only split: an operator prepares the store with one command; health and status
    then see data and a timeline."""
    from dashboard.app_factory import create_app
    from etl.store import make_engine

    target = f"sqlite:///{tmp_path}/prepared.db"
    monkeypatch.setenv("VERIFICA_AFTER_PUBLISH", "")  # the derived results: tested elsewhere
    assert main(["--database-url", target, "prepare"]) == 0
    assert capsys.readouterr().out.startswith("prepared: ")
    main(["--database-url", target, "status"])
    out = capsys.readouterr().out
    assert "holds no data" not in out and "no timeline events" not in out
    client = create_app(engine=make_engine(target), prepare_store=False).server.test_client()
    assert client.get("/api/health").status_code == 200


def test_a_local_import_has_the_download_cap(store, tmp_path, capsys, monkeypatch):
    from etl import http

    release = tmp_path / "nationwide-drugs-fy23-fy26-dec.csv"
    release.write_bytes(full_window())
    monkeypatch.setattr(http, "MAX_BYTES", release.stat().st_size - 1)
    assert main(["--database-url", url(store), "import", "cbp_drug_seizures", str(release)]) == 2
    assert "cap on a release" in capsys.readouterr().err
    assert not list_vintages(store)
    assert [run.source_id for run in failing_sources(store)] == ["cbp_drug_seizures"]


def test_steps_left_undone_by_a_kill_after_the_publish_are_done_by_the_next_run(store, tmp_path, capsys):
    """The publish landed but the process died before its after-publish steps: importing the same
    file again says unchanged and still completes them (they are idempotent)."""
    from etl import pipeline
    from etl.store import read_events
    from indicators.precompute import stored_scorecard

    release = tmp_path / "nationwide-drugs-fy23-fy26-dec.csv"
    release.write_bytes(full_window())
    pipeline.import_file(store, "cbp_drug_seizures", release)  # the publish, then the 'kill'
    assert stored_scorecard(store, read_events(store)) is None
    assert main(["--database-url", url(store), "import", "cbp_drug_seizures", str(release)]) == 0
    assert capsys.readouterr().out.startswith("unchanged: ")
    assert stored_scorecard(store, read_events(store)) is not None
