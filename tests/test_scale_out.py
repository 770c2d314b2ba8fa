"""Scale-out: two app server processes on one store (PostgreSQL on the PostgreSQL pass) and one
Redis cache. A view built by one process is served from the shared cache by the other; a publish
made by a third process (the command line) is seen by both at their next request, and the view
it changes is rebuilt once for both."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import time
import uuid

import pytest
import requests

import settings
from dashboard.response_cache import HEADER
from etl.store import list_vintages
from indicators.registry import available_indicators
from tests.helpers import PROJECT_ROOT, WAIT, explorer_request, free_port, require


@pytest.fixture
def redis_url():
    url = settings.get().redis_url
    require(bool(url), "no Redis server for the scale-out tests (set VERIFICA_REDIS_URL)")
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.ConnectionError as exc:
        require(False, f"the Redis server at {url} does not answer: {exc}")
    prefix = f"verifica-test-{uuid.uuid4().hex[:8]}:"
    yield url, prefix
    keys = list(client.scan_iter(match=f"{prefix}*"))
    if keys:
        client.delete(*keys)


def serve(env: dict) -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}", "--timeout", "120", "app:server"],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    return process, port


def health(process: subprocess.Popen, port: int, timeout: float = 4 * WAIT) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            response = requests.get(f"http://127.0.0.1:{port}/api/health", timeout=10)
            if response.status_code == 200:
                return response.json()
        except (requests.ConnectionError, requests.Timeout):
            pass
        if process.poll() is not None:
            pytest.fail(f"the app server exited: {process.stdout.read().decode()[-2000:]}")
        time.sleep(0.2)
    pytest.fail("the app server did not answer /api/health")


def view(port: int, body: str) -> tuple[str, dict]:
    response = requests.post(f"http://127.0.0.1:{port}/_dash-update-component", data=body,
                             headers={"Content-Type": "application/json"}, timeout=60)
    assert response.status_code == 200, response.text[:500]
    return response.headers[HEADER], response.json()


def test_two_processes_share_the_store_and_the_cache(prepared_store, redis_url):
    url, prefix = redis_url
    store = prepared_store  # the snapshot and its stored scorecard
    env = {**os.environ, "DATABASE_URL": store.url.render_as_string(hide_password=False),
           "CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": url, "CACHE_KEY_PREFIX": prefix,
           "VERIFICA_AFTER_PUBLISH": ""}
    from dashboard.app_factory import create_app

    body = json.dumps(explorer_request(create_app(engine=store, prepare_store=False)))
    servers = [serve(env), serve(env)]
    try:
        (a, port_a), (b, port_b) = servers
        before = health(a, port_a)["store_version"]
        assert health(b, port_b)["store_version"] == before

        # Built once by A, then served to B from the shared cache.
        assert view(port_a, body)[0] == "miss"
        cached, answer = view(port_b, body)
        assert cached == "hit" and answer == view(port_a, body)[1]

        # A publish by another process: the indicator's newest release withdrawn from the command line.
        spec = available_indicators()[0]
        newest = list_vintages(store, spec.source_id)[-1]
        done = subprocess.run([sys.executable, "-m", "etl", "withdraw", str(newest.id), "--reason",
                               "scale-out test: the publisher replaced this file"],
                              cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        after = health(a, port_a)["store_version"]
        assert after != before and health(b, port_b)["store_version"] == after

        # B sees the new data at once and rebuilds the view; A gets B's answer from the cache.
        cached, changed = view(port_b, body)
        assert cached == "miss" and changed != answer
        assert view(port_a, body) == ("hit", changed)
        # The stored answer is compressed, as a browser asks for it.
        raw = requests.post(f"http://127.0.0.1:{port_a}/_dash-update-component", data=body, stream=True,
                            headers={"Content-Type": "application/json", "Accept-Encoding": "gzip"}, timeout=60)
        assert raw.headers["Content-Encoding"] == "gzip"
        assert json.loads(gzip.decompress(raw.raw.read())) == changed
    finally:
        for process, _ in servers:
            process.terminate()
            process.wait(timeout=30)


def test_an_unreachable_redis_costs_speed_not_service(snapshot_store, monkeypatch):
    """Redis down (nothing listens on the port): every request is still served, from the store."""
    from dashboard.app_factory import create_app
    from dashboard.cache_backends import TolerantRedisCache

    monkeypatch.setattr(TolerantRedisCache, "_down_until", 0.0)  # restored after the test
    monkeypatch.setenv("CACHE_TYPE", "RedisCache")
    monkeypatch.setenv("CACHE_REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    app = create_app(engine=snapshot_store, prepare_store=False)
    client = app.server.test_client()
    assert client.get("/api/health").status_code == 200
    assert client.get("/api/scorecard.json").status_code == 200
    body = json.dumps(explorer_request(app))
    for _ in range(2):
        response = client.post("/_dash-update-component", data=body, content_type="application/json")
        assert response.status_code == 200 and response.headers[HEADER] == "miss"


def test_a_redis_that_never_answers_costs_one_timeout_not_one_per_call(snapshot_store, monkeypatch):
    """A Redis that accepts connections and never replies: the first cache call times out (half a
    second), then the process leaves Redis alone and serves from the store."""
    import socket

    from dashboard.app_factory import create_app
    from dashboard.cache_backends import TolerantRedisCache

    monkeypatch.setattr(TolerantRedisCache, "_down_until", 0.0)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)  # connections complete in the kernel's backlog; nothing ever reads them
        monkeypatch.setenv("CACHE_TYPE", "RedisCache")
        monkeypatch.setenv("CACHE_REDIS_URL", f"redis://127.0.0.1:{silent.getsockname()[1]}/0")
        app = create_app(engine=snapshot_store, prepare_store=False)
        client = app.server.test_client()
        body = json.dumps(explorer_request(app))
        for _ in range(2):
            start = time.monotonic()
            response = client.post("/_dash-update-component", data=body, content_type="application/json")
            assert response.status_code == 200 and time.monotonic() - start < 5
    monkeypatch.setattr(TolerantRedisCache, "_down_until", 0.0)
