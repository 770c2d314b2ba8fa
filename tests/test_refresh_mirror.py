"""The whole scheduled refresh, as an operator runs it (``python -m etl refresh``), against a local
HTTP server that mirrors the publishers' paths (``VERIFICA_MIRROR``): CBP listing pages linking the
real releases, the CDC Socrata API paging the real rows, SESNSP's open-data folder. Then the faults
a server can really produce (cut connections, redirects, error pages, endless paging, wrong
numbers): each is refused in one line, recorded, and the last good data stays served."""

from __future__ import annotations

import csv
import datetime as dt
import email.utils
import io
import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import settings
from etl import cbp, cdc_vsrr
from etl.common import MONTH_ABBREVIATIONS, fiscal_to_calendar, next_month
from etl.sources import SOURCES, get_source, live_sources
from etl.store import Observation, failing_sources, list_vintages, recent_runs

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CBP = [s for s in live_sources() if isinstance(getattr(get_source(s), "SOURCE", None), cbp.ListingSource)]
# Served by the mirror from the real files; the others' live files (SESNSP's monthly cut, ATF's
# report pages) are not in the raw folder, so on the mirror they fail, as an outage would.
MIRRORED = [*CBP, "cdc_vsrr"]
VSRR_API_FILE = "vsrr_api_T40.4_states_2015-01_to_2026-01.csv"


def uploaded(pattern, file_name: str) -> dt.date:
    """When cbp.gov puts a release up: in the month after its last data month (its name says
    which), here on the 14th; the file sits in that month's folder and carries it as Last-Modified."""
    fiscal_year, fiscal_month = cbp.release_order(pattern, file_name)
    last_month = fiscal_to_calendar(fiscal_year, (fiscal_month + 8) % 12 + 1)  # fiscal month 1 is October
    return next_month(last_month).replace(day=14)


def last_modified(day: dt.date) -> str:
    return email.utils.format_datetime(dt.datetime(day.year, day.month, day.day, 16, 2, 11, tzinfo=dt.UTC),
                                       usegmt=True)


class Mirror:
    """What the server serves, and the faults it is told to produce."""

    def __init__(self, raw_dir: Path) -> None:
        self.files: dict[str, bytes] = {}  # path -> body
        self.released: dict[str, str] = {}  # path -> Last-Modified
        self.pages: dict[str, str] = {}  # listing path -> HTML
        for source_id in CBP:
            source = get_source(source_id).SOURCE
            links = []
            for path in source.raw_files(raw_dir):
                if source.pattern.search(path.name):
                    url_path = self.add(source.pattern, path.name, path.read_bytes())
                    # Absolute links to the publisher's host, as cbp.gov writes them.
                    links.append(f'<li><a href="https://www.cbp.gov{url_path}">{path.name}</a></li>')
            self.pages[urlsplit(source.listing_url).path] = f"<html><body><ul>{''.join(links)}</ul></body></html>"
        with open(raw_dir / cdc_vsrr.RAW_SUBDIR / VSRR_API_FILE, newline="") as handle:
            # Socrata leaves out the fields a row has no value for.
            self.api_rows = [{k: v for k, v in row.items() if v != ""} for row in csv.DictReader(handle)]
        self.api_path = urlsplit(cdc_vsrr.API_URL).path
        self.faults: set[str] = set()
        self.requests: list[str] = []

    @staticmethod
    def path(pattern, file_name: str) -> str:
        return f"/sites/default/files/{uploaded(pattern, file_name):%Y-%m}/{file_name}"

    def add(self, pattern, file_name: str, body: bytes) -> str:
        """Serve a release in its upload month's folder, with that day as its Last-Modified."""
        url_path = self.path(pattern, file_name)
        self.files[url_path] = body
        self.released[url_path] = last_modified(uploaded(pattern, file_name))
        return url_path

    def handler(self):
        mirror = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def send(self, status: int, body: bytes, kind: str, headers: dict | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                mirror.requests.append(parts.path)
                if parts.path in mirror.pages:
                    if "listing down" in mirror.faults:
                        return self.send(403, b"<html>Access denied</html>", "text/html")
                    return self.send(200, mirror.pages[parts.path].encode(), "text/html")
                if parts.path in mirror.files:
                    return self.file(parts.path)
                if parts.path == mirror.api_path:
                    return self.api(parse_qs(parts.query))
                return self.send(404, b"not found", "text/plain")

            def file(self, path: str) -> None:
                body = mirror.files[path]
                if "redirect" in mirror.faults:
                    self.send_response(302)
                    self.send_header("Location", f"https://downloads.example.org{path}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                if "error page" in mirror.faults:
                    return self.send(200, b"<html><body>Service unavailable</body></html>", "text/csv")
                if "cut" in mirror.faults:  # promise the whole file, send a third, hang up
                    self.send_response(200)
                    self.send_header("Content-Type", "text/csv")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 3])
                    self.wfile.flush()
                    self.close_connection = True
                    return None
                if "x10" in mirror.faults:
                    body = times_ten(body)
                return self.send(200, body, "text/csv", {"Last-Modified": mirror.released[path]})

            def api(self, query: dict) -> None:
                limit, offset = int(query["$limit"][0]), int(query["$offset"][0])
                rows = mirror.api_rows if "endless" in mirror.faults else mirror.api_rows[offset:offset + limit]
                if "endless" in mirror.faults:
                    rows = (rows * (limit // len(rows) + 1))[:limit]
                body = json.dumps(rows).encode()
                return self.send(200, body, "application/json",
                                 {"X-SODA2-Truth-Last-Modified": "Wed, 11 Feb 2026 09:00:00 GMT"})

        return Handler


def times_ten(content: bytes) -> bytes:
    """Every lbs or count cell of a CBP release ×10."""
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(rows[0])
    for row in rows[1:]:
        writer.writerow([*row[:-1], f"{float(row[-1]) * 10:.6f}"] if row and row[-1] else row)
    return out.getvalue().encode()


@pytest.fixture
def mirror(raw_dir):
    state = Mirror(raw_dir)
    server = ThreadingHTTPServer(("127.0.0.1", 0), state.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()


def refresh(store, mirror: Mirror, *sources: str) -> subprocess.CompletedProcess:
    """``python -m etl refresh`` exactly as the timer runs it, pointed at the mirror."""
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": store.url.render_as_string(hide_password=False),
           "VERIFICA_MIRROR": mirror.url, "VERIFICA_AFTER_PUBLISH": ""}
    return subprocess.run([sys.executable, "-m", "etl", "refresh", *sources], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def stored(store) -> int:
    with Session(store) as session:
        return session.scalar(select(func.count()).select_from(Observation))


def test_the_mirror_setting_is_documented():
    assert "VERIFICA_MIRROR" in settings.VARIABLES


@pytest.mark.raw
def test_a_whole_refresh_publishes_every_live_source_the_mirror_has(store, mirror):
    result = refresh(store, mirror)
    # Every live source answers in one line: published, or why not.
    lines = result.stdout.splitlines()
    assert sorted(line.split(":")[0] for line in lines) == sorted(MIRRORED)
    assert all(": ok: " in line for line in lines), result.stdout
    errors = [line for line in result.stderr.splitlines() if not line.startswith(("WARNING ", "INFO "))]
    assert sorted(line.split(":")[1].strip() for line in errors) == sorted(set(live_sources()) - set(MIRRORED))
    assert all(line.startswith("error: ") and "HTTP 404" in line for line in errors), errors
    assert result.returncode == 2
    for source_id in MIRRORED:
        [vintage] = list_vintages(store, source_id)
        assert vintage.url.startswith("https://")  # the publisher's address is cited, not the mirror's
    newest = {v.source_id: v for v in list_vintages(store)}
    for source_id in CBP:  # the newest release linked from each listing page was taken
        pattern = get_source(source_id).SOURCE.pattern
        names = [p.rsplit("/", 1)[-1] for p in mirror.files if pattern.search(p.rsplit("/", 1)[-1])]
        assert newest[source_id].file_name == max(names, key=lambda n: cbp.release_order(pattern, n))
        # Its release date is the download's Last-Modified.
        assert newest[source_id].published_on == uploaded(pattern, newest[source_id].file_name), source_id
        assert newest[source_id].published_on_basis == "HTTP Last-Modified of the download"
    assert sorted(r.source_id for r in failing_sources(store)) == sorted(set(live_sources()) - set(MIRRORED))

    # The timer fires again: nothing new, nothing loaded twice.
    before = stored(store)
    again = refresh(store, mirror, *MIRRORED)
    assert again.returncode == 0 and all(": unchanged: " in line for line in again.stdout.splitlines())
    assert stored(store) == before


FAULTS = [
    ("listing down", "cbp_drug_seizures", "HTTP 403"),
    ("cut", "cbp_drug_seizures", "could not fetch"),
    ("redirect", "cbp_weapons_seizures", "downloads.example.org is not one of this source's hosts"),
    ("error page", "cbp_encounters", "missing column"),
    ("x10", "cbp_drug_seizures", "values moved by a factor of 10"),
    ("endless", "cdc_vsrr", "pages of"),
]


@pytest.mark.raw
@pytest.mark.parametrize(("fault", "source_id", "message"), FAULTS, ids=[f[0] for f in FAULTS])
def test_a_faulty_server_publishes_nothing_and_the_failure_is_recorded(store, mirror, fault, source_id, message):
    assert refresh(store, mirror, source_id).returncode == 0
    before = (stored(store), [v.id for v in list_vintages(store)])
    mirror.faults.add(fault)
    if fault == "x10":  # a new release (next month's name) whose numbers are ten times too big
        pattern = get_source(source_id).SOURCE.pattern
        old = max((p.rsplit("/", 1)[-1] for p in mirror.files if pattern.search(p.rsplit("/", 1)[-1])),
                  key=lambda n: cbp.release_order(pattern, n))
        month = pattern.search(old).group("month")
        following = [m.lower() for m in MONTH_ABBREVIATIONS][MONTH_ABBREVIATIONS[month.upper()] % 12]
        new = mirror.add(pattern, old.replace(f"-{month}", f"-{following}"), mirror.files[Mirror.path(pattern, old)])
        page = urlsplit(get_source(source_id).LISTING_URL).path
        mirror.pages[page] = mirror.pages[page].replace("</ul>", f'<li><a href="{new}">{following}</a></li></ul>')
    result = refresh(store, mirror, source_id)
    assert result.returncode == 2 and result.stdout == ""
    [line] = [line for line in result.stderr.splitlines() if not line.startswith(("WARNING ", "INFO "))]
    assert line.startswith(f"error: {source_id}: ") and message in line, line
    assert "Traceback" not in result.stderr
    assert (stored(store), [v.id for v in list_vintages(store)]) == before
    [failing] = failing_sources(store)
    assert failing.source_id == source_id and failing.kind == "refresh"
    assert recent_runs(store, 1)[0].outcome == "failed"
    # The server recovers: the next run clears the failure without loading anything twice.
    mirror.faults.clear()
    if fault != "x10":
        assert refresh(store, mirror, source_id).returncode == 0
        assert failing_sources(store) == [] and stored(store) == before[0]


def test_every_source_is_either_live_or_says_why_not():
    readme = (PROJECT_ROOT / "README.md").read_text()
    for source_id in sorted(set(SOURCES) - set(live_sources())):
        assert source_id in readme, f"README does not say why {source_id} is import-only"
