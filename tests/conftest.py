"""Shared fixtures: fresh stores on SQLite or PostgreSQL, the store built from the raw files,
and headless Chromium for the browser tests.

With ``DATABASE_URL`` set (PostgreSQL), every store fixture is its own new database on that
server, dropped afterwards. In CI (``CI=true``) a missing browser, database or raw-data folder
fails the test instead of skipping it.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine, make_url

from etl import pipeline
from etl.store import init_schema, make_engine, sqlite_path
from tests import durations
from tests.helpers import CHROMIUM, RAW_DIR, admin, require, server_url

# Command-line publishes in tests run the scorecard hook only: the state maps' hook takes seconds a
# publish and has its own tests (tests/test_maps.py).
os.environ.setdefault("VERIFICA_AFTER_PUBLISH", "indicators.precompute:ensure_scorecard")
CHROME_FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-quic", "--no-first-run", "--window-size=1300,1000",
]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--store-durations", action="store_true",
                     help="measure the tests that run and store their durations in tests/durations.json")


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("store_durations") and server_url() is None:  # the SQLite pass's durations
        config.pluginmanager.register(durations.Recorder(durations.PATH, STORE_TEMPLATES), "verifica-durations")
    config.addinivalue_line("markers", "browser: drives the real app in headless Chromium")
    config.addinivalue_line("markers", "raw: reads the real public files in ../shared/data/raw")
    config.addinivalue_line("markers", "database: uses the database without a store fixture (runs on PostgreSQL too)")
    config.addinivalue_line("markers", "slow: took long in the stored durations (tests/durations.py decides); "
                                       "`-m 'not browser and not slow'` is the quick local run")


# Left out of the PostgreSQL pass: the fault matrices judge bent files and a faulty mirror's
# answers (the refusals' store path runs on PostgreSQL in the release-guard and live-refresh
# tests); the briefing pack reads through the data door the API tests exercise there.
FILE_MATRICES = {"test_fault_matrix", "test_new_month_faults", "test_refresh_mirror", "test_brief"}
# And the state maps' module: each of its two main tests computes every map of the snapshot (about
# 50 s a test). The maps read through read_slice and months_with_values (their SQL is compared with
# the ranking it replaced in test_coverage) and are kept with write_derived and read_derived (the
# scorecard's tests): those run on PostgreSQL.
SQLITE_ONLY = FILE_MATRICES | {"test_maps"}
# Also left out there: the tests of these modules that render pages, callbacks and their words on
# the session's app (``snapshot_app``). What they read comes through the data door, whose queries
# the API, scorecard, web-hardening and gunicorn tests run on PostgreSQL; what they check (layouts,
# languages, addresses, the callback guard) does not depend on the database.
INTERFACE_MODULES = {"test_callback_guard", "test_catalogues", "test_commitments", "test_headline",
                     "test_overview_page", "test_page_frame", "test_period_claims", "test_response_cache",
                     "test_spanish_pages", "test_state", "test_timeline_page", "test_url_notice",
                     "test_views_first_paint"}


def _interface_only(item: pytest.Item) -> bool:
    module = item.module.__name__.rsplit(".", 1)[-1]
    return module in INTERFACE_MODULES and "snapshot_app" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On a PostgreSQL run (``DATABASE_URL`` set), only the tests that use a store: the others
    (parsers, settings, the README) do not depend on the database and ran on the SQLite pass. The
    browser tests drive the UI, which reads through the same queries the API and gunicorn tests
    run on PostgreSQL; they ran on the SQLite pass. So did the fault matrices (FILE_MATRICES): they
    judge bent files, and the refusals' store path runs on PostgreSQL in the release-guard tests. So
    did the interface modules' tests on the session's app (INTERFACE_MODULES)."""
    timings = durations.Timings(durations.load(), STORE_TEMPLATES)
    for item in items:  # slow: as measured (tests/durations.py); the browser tests all are
        if item.get_closest_marker("browser") or timings.is_slow(item.nodeid, _fixtures(item)):
            item.add_marker(pytest.mark.slow)
    # The test command runs the SQLite pass in two processes side by side: VERIFICA_TEST_HALF
    # picks the browser tests or the rest, whatever ``-m`` the caller adds.
    half = os.environ.get("VERIFICA_TEST_HALF")
    if half in ("browser", "rest", "rest2") and server_url() is None:
        parts = _parts(items, timings)
        kept = [item for item in items if parts[item.nodeid] == half]
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept
    if server_url() is None:
        return
    kept = [item for item in items if ("store_factory" in getattr(item, "fixturenames", ())
                                       or item.get_closest_marker("database"))
            and not item.get_closest_marker("browser")
            and item.module.__name__.rsplit(".", 1)[-1] not in SQLITE_ONLY
            and not _interface_only(item)]
    deselected = [item for item in items if item not in kept]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


def _fixtures(item: pytest.Item) -> tuple[str, ...]:
    return tuple(getattr(item, "fixturenames", ()))


def _module(item: pytest.Item) -> str:
    return item.module.__name__.rsplit(".", 1)[-1] if getattr(item, "module", None) else ""


def _parts(items: list[pytest.Item], timings: durations.Timings) -> dict[str, str]:
    """The SQLite pass runs in three processes (scripts/run-tests): the browser tests, and the rest
    in two parts of near-equal measured time (``rest`` and ``rest2``), whole modules each. A module's
    time: its tests' own seconds and their shares of the first setups they need. Modules that use the
    same costly fixture (a store built from the raw files) stay in one part, so it is built once (a
store template is prepared in each part that needs it)."""
    modules: dict[str, list[pytest.Item]] = {}
    for item in items:
        if not item.get_closest_marker("browser"):
            modules.setdefault(_module(item), []).append(item)
    units: dict[str, list[str]] = {}  # a unit's name: its modules
    for module, tests in modules.items():
        costly = sorted({key for item in tests for key, seconds in timings.shared(_fixtures(item)).items()
                         if seconds > durations.SHARED_SECONDS and not key.startswith("template:")})
        units.setdefault(costly[0] if costly else module, []).append(module)
    seconds = {unit: sum(timings.own(item.nodeid, _fixtures(item)) + timings.share(_fixtures(item))
                         for module in members for item in modules[module])
               for unit, members in units.items()}
    first, second = durations.balance(seconds)
    parts = {item.nodeid: "browser" for item in items if item.get_closest_marker("browser")}
    for part, chosen in (("rest", first), ("rest2", second)):
        for unit in chosen:
            for module in units[unit]:
                parts.update((item.nodeid, part) for item in modules[module])
    return parts


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    require(RAW_DIR.is_dir(), f"raw data folder not found at {RAW_DIR}")
    return RAW_DIR


def _load_snapshot(engine: Engine) -> None:
    pipeline.ensure_store(engine)


def _store_scorecard(engine: Engine) -> None:
    from indicators import precompute

    pipeline.ensure_store(engine, then=precompute.ensure_scorecard)


EMPTY = "empty"  # an empty store with the schema
SNAPSHOT = "snapshot"  # as a fresh clone starts it: the committed snapshot and the timeline
PREPARED = "prepared"  # as the refresh job leaves it: the same and the stored scorecard
# The templates a fixture's stores are copied from (each kind and those it starts from): a test that
# needs one pays for preparing it if no test before did (tests/durations.py).
STORE_TEMPLATES = {"store_factory": (EMPTY,), "snapshot_store": (EMPTY, SNAPSHOT),
                   "snapshot_copy": (EMPTY, SNAPSHOT), "prepared_store": (EMPTY, SNAPSHOT, PREPARED)}


class StoreFactory:
    """Makes stores: SQLite files, or new databases on DATABASE_URL. ``store_factory()`` gives an
    empty store with the schema; :meth:`copy` a store as a preparation leaves one.

    Each kind of store is prepared once a session, into a template every new store of that kind
    is copied from (a file copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL): the schema
    is migrated once, the committed snapshot loaded once, and so on. Every store is a copy of its
    own (a test may change it) and still checks it is at the newest revision."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory, server: str | None) -> None:
        self.tmp_path_factory = tmp_path_factory
        self.server = server
        self.created: list[Engine] = []
        # kind: (the kind its template starts from, what prepares it)
        self.kinds: dict[str, tuple[str | None, Callable[[Engine], None]]] = {
            EMPTY: (None, init_schema), SNAPSHOT: (EMPTY, _load_snapshot), PREPARED: (SNAPSHOT, _store_scorecard)}
        self.templates: dict[str, str] = {}  # kind: a SQLite file's path, or a PostgreSQL database's name

    def __call__(self) -> Engine:
        """A new empty store with the schema."""
        return self.copy(EMPTY)

    def copy(self, kind: str, prepare: Callable[[Engine], None] | None = None, start: str = EMPTY) -> Engine:
        """A new store of ``kind``: one of the kinds above, or a kind of the caller's, which
        ``prepare`` makes from a store of kind ``start`` (``prepare`` runs once a session)."""
        if prepare is not None:
            self.kinds.setdefault(kind, (start, prepare))
        engine = self._new(self._template(kind))
        self.created.append(engine)
        init_schema(engine)
        return engine

    def _template(self, kind: str) -> str:
        if kind not in self.templates:
            start, prepare = self.kinds[kind]
            base = None if start is None else self._template(start)
            began = time.perf_counter()
            engine = self._new(base)
            self.created.append(engine)  # dropped at the end, like the stores copied from it
            prepare(engine)
            engine.dispose()  # nobody stays connected to a template
            self.templates[kind] = str(sqlite_path(engine.url)) if self.server is None else engine.url.database
            durations.count_template(kind, time.perf_counter() - began)  # paid once a session, not every copy
        return self.templates[kind]

    def _new(self, template: str | None) -> Engine:
        if self.server is None:
            path = self.tmp_path_factory.mktemp("store") / "verifica.db"
            if template is not None:
                shutil.copyfile(template, path)
            return make_engine(f"sqlite:///{path}")
        name = f"verifica_test_{uuid.uuid4().hex[:10]}"
        admin(self.server, f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return make_engine(make_url(self.server).set(database=name).render_as_string(hide_password=False))

    def close(self) -> None:
        for engine in self.created:
            engine.dispose()
        if self.server is not None:
            for engine in self.created:
                admin(self.server, f'DROP DATABASE IF EXISTS "{engine.url.database}" WITH (FORCE)')


@pytest.fixture(scope="session")
def store_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StoreFactory]:
    """Makes stores (:class:`StoreFactory`): ``store_factory()`` an empty one with the schema."""
    factory = StoreFactory(tmp_path_factory, server_url())
    yield factory
    factory.close()


@pytest.fixture
def store(store_factory: StoreFactory) -> Iterator[Engine]:
    engine = store_factory()
    yield engine
    engine.dispose()  # its pooled connections close now, not at the end of the session


@pytest.fixture(scope="session")
def built_store(store_factory: StoreFactory, raw_dir: Path) -> Engine:
    """The store built from every raw file, shared read-only by the tests that use it."""
    engine = store_factory()
    pipeline.build(engine, raw_dir, progress=False)
    return engine


@pytest.fixture(scope="session")
def snapshot_store(store_factory: StoreFactory) -> Engine:
    """The store as a fresh clone starts it: filled from the committed snapshot (shared by the
    session's tests)."""
    return store_factory.copy(SNAPSHOT)


@pytest.fixture
def snapshot_copy(store_factory: StoreFactory) -> Iterator[Engine]:
    """A store of the test's own as a fresh clone starts it: filled from the committed snapshot
    (``pipeline.ensure_store`` on an empty store)."""
    engine = store_factory.copy(SNAPSHOT)
    yield engine
    engine.dispose()


@pytest.fixture
def prepared_store(store_factory: StoreFactory) -> Iterator[Engine]:
    """A store of the test's own as the refresh job leaves it: the committed snapshot and its
    stored scorecard (``pipeline.ensure_store(…, then=precompute.ensure_scorecard)`` on an empty
    store)."""
    engine = store_factory.copy(PREPARED)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def snapshot_app(snapshot_store: Engine):
    """One app on the snapshot store for the session (its caches key on the data version, so a
    test that changes the store is seen by the next request). A test that needs an app of another
    configuration (another store, settings, a read-only role) makes its own."""
    from dashboard.app_factory import create_app

    app = create_app(engine=snapshot_store)
    app.server.test_client().get("/")  # Dash registers the pages' callbacks on the first request
    return app


@pytest.fixture(scope="session")
def app(snapshot_app):
    """The session's app on the snapshot store (:func:`snapshot_app`)."""
    return snapshot_app


@pytest.fixture
def client(snapshot_app):
    return snapshot_app.server.test_client()


@pytest.fixture
def app_and_client(snapshot_app):
    return snapshot_app, snapshot_app.server.test_client()


# --- browser ---------------------------------------------------------------------------------

def pytest_setup_options():
    """Chrome options for dash_duo: Debian's Chromium, headless, no background networking."""
    from selenium.webdriver.chrome.options import Options

    options = Options()
    options.binary_location = CHROMIUM
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    return options


@pytest.fixture
def browser_ready() -> None:
    require(Path(CHROMIUM).exists(), f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    require(shutil.which("chromedriver") is not None,
            "chromedriver not on PATH (apt-get install chromium-driver)")


@pytest.fixture
def app_browser(browser_ready, dash_duo, snapshot_store):
    """The real app on the snapshot store in headless Chromium; fails on severe console errors."""
    from dashboard.app_factory import create_app

    dash_duo.start_server(create_app(engine=snapshot_store, prepare_store=False))
    rendering = _renderer_running()
    yield dash_duo
    severe = [entry for entry in dash_duo.get_logs() if entry.get("level") == "SEVERE"]
    if not rendering and _renderer_running():  # started by this test's app server
        _forget_the_image_renderer()
    assert severe == [], f"severe browser console errors: {severe}"


def _renderer_running() -> bool:
    from dashboard import exports

    return exports.renderer_running()


def _forget_the_image_renderer() -> None:
    """An image rendered by the browser test's app server (a thread the harness stops) leaves a
    renderer that no longer answers: the next image waited the full render timeout (60 s) before a
    new one was started. Forget it, as the render watchdog would."""
    from dashboard import exports

    exports.forget_renderer()


@pytest.fixture
def planned_indicator(monkeypatch: pytest.MonkeyPatch) -> str:
    """An indicator whose source is not loaded (the registry's own, or a made-up one once every
    source is loaded): its id."""
    from indicators.registry import INDICATORS, Indicator

    planned = [i.id for i in INDICATORS.values() if i.status == "planned"]
    if planned:
        return planned[0]
    spec = Indicator(id="test_planned", source_id="test_source", name={"en": "Planned", "es": "Prevista"},
                     unit={"en": "units", "es": "unidades"}, description={"en": "-", "es": "-"}, status="planned")
    monkeypatch.setitem(INDICATORS, spec.id, spec)
    return spec.id
