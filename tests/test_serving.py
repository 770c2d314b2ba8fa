"""The app as deployed: gunicorn serving ``app:server``, several workers on one store."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import settings
from etl.snapshot import read_manifest
from etl.store import Vintage
from tests.helpers import WAIT, free_port

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def test_store_fixtures_use_the_configured_database(store):
    configured = settings.get().database_url
    assert store.dialect.name == ("postgresql" if configured.startswith("postgresql") else "sqlite")


def test_gunicorn_workers_fill_an_empty_store_once_and_serve(store):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": store.url.render_as_string(hide_password=False)}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "--timeout", "120", "app:server"],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 4 * WAIT  # a bound: the first start fills the store
        response = None
        while time.monotonic() < deadline:
            try:
                response = requests.get(f"http://127.0.0.1:{port}/api/indicators/cbp_fentanyl_seizures_swb_lbs.json"
                                        "?from=2025-01&to=2025-01", timeout=30)
                break
            except (requests.ConnectionError, requests.Timeout):  # still starting or filling the store
                if server.poll() is not None:
                    pytest.fail(f"gunicorn exited: {server.stdout.read().decode()[-2000:]}")
                time.sleep(0.5)
        assert response is not None and response.status_code == 200
        assert response.json()["data"][0]["value"] == pytest.approx(990.11, abs=0.01)
        for _ in range(6):  # requests land on both workers
            assert requests.get(f"http://127.0.0.1:{port}/", timeout=10).status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
    with Session(store) as session:
        assert session.scalar(select(func.count()).select_from(Vintage)) == len(read_manifest()["vintages"])
