"""Measured test durations (tests/durations.json): which tests are ``slow``, and how the test command
splits the SQLite pass in two.

The file is written by a run with ``--store-durations`` (entries of the tests that ran replace the
stored ones, so it can be refreshed in parts). It holds:

- ``tests``: node id → seconds of the test's own setup and call. A shared fixture's first setup (a
  session fixture, a store template the store factory prepares once a session) is left out: pytest
  charges it to whichever test happens to need it first, so it is stored with the fixture instead.
- ``fixtures``: name → ``once``, the seconds its first setup costs a session (the shared part), and
  ``each``, the seconds every further use costs (the median); ``template:KIND``: the seconds the store
  factory takes to prepare that kind of template (tests/conftest.py says which fixtures need which).
- ``needs``: node id → the fixtures and templates with a first-setup cost the test needs.

A test's cost is its own seconds and its share of the first setups it needs (each fixture's or
template's ``once`` divided among the stored tests that need it): the snapshot template, needed by
hundreds of tests, adds little to each; a store built from the raw files for a dozen tests adds
seconds to each. The quick run takes the cheapest stored tests while their own seconds and the first
setups they need fit in :data:`QUICK_SECONDS`; the cost of the last one taken is the threshold: a
test is ``slow`` when its cost exceeds it. A test not in the file (a new one) is judged by an estimate of its own seconds: the
larger of its fixtures' ``each`` and the median of its module's stored tests.
"""

from __future__ import annotations

import fcntl
import json
import statistics
import time
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import pytest

PATH = Path(__file__).with_name("durations.json")
# The stored seconds the quick run (`-m "not browser and not slow"`) may take: 30 s on a quiet
# machine less what starting pytest and collecting the suite take (about 6 s).
QUICK_SECONDS = 24.0
# A fixture whose first setup takes longer is worth building once: the test command keeps the
# modules that need it in one process.
SHARED_SECONDS = 10.0

# Seconds the store factory spent preparing each kind of template (once a session each): stored as
# ``template:KIND``, not charged to the fixture or the test that happened to need it first.
_templates: dict[str, float] = {}
_shared_seconds = [0.0]


def count_template(kind: str, seconds: float) -> None:
    """Called by the store factory when it has prepared a template."""
    _templates[kind] = seconds
    _shared_seconds[0] += seconds


def load(path: Path = PATH) -> dict:
    if not path.is_file() or not path.stat().st_size:
        return {"tests": {}, "fixtures": {}}
    return json.loads(path.read_text(encoding="utf-8"))


def module_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0].rsplit("/", 1)[-1].removesuffix(".py")


class Timings:
    """The stored durations, and the estimates made from them."""

    def __init__(self, data: dict, templates: dict[str, tuple[str, ...]] | None = None) -> None:
        self.tests: dict[str, float] = data.get("tests", {})
        self.fixtures: dict[str, dict[str, float]] = data.get("fixtures", {})
        self.templates = templates or {}  # fixture name: the store templates it needs
        self.users: dict[str, int] = defaultdict(int)  # fixture or template: the stored tests needing it
        for keys in data.get("needs", {}).values():
            for key in keys:
                self.users[key] += 1
        by_module: dict[str, list[float]] = defaultdict(list)
        for nodeid, seconds in self.tests.items():
            by_module[module_of(nodeid)].append(seconds)
        self.module_median = {module: statistics.median(values) for module, values in by_module.items()}
        self.threshold = self._threshold(data.get("needs", {}))

    def _threshold(self, needs: dict[str, list[str]]) -> float:
        """The cost of the dearest test the quick run can take (see the module's docstring)."""
        costs = sorted((self.tests[nodeid] + self.share(needs.get(nodeid, ())), nodeid) for nodeid in self.tests)
        total, paid, threshold = 0.0, set(), 0.0
        for cost, nodeid in costs:
            first = {key: seconds for key, seconds in self.shared(needs.get(nodeid, ())).items() if key not in paid}
            total += self.tests[nodeid] + sum(first.values())
            if total > QUICK_SECONDS:
                break
            paid |= set(first)
            threshold = cost
        return threshold

    def shared(self, fixturenames: Iterable[str]) -> dict[str, float]:
        """What the fixtures cost the first time a session needs them: fixture or ``template:KIND``
        → seconds (each paid once, whichever test needs it first)."""
        names = list(fixturenames)
        keys = {*names, *(f"template:{kind}" for name in names for kind in self.templates.get(name, ()))}
        return {key: self.fixtures[key]["once"] for key in keys if self.fixtures.get(key, {}).get("once")}

    def share(self, fixturenames: Iterable[str]) -> float:
        """The test's share of the first setups it needs."""
        return sum(seconds / max(self.users[key], 1) for key, seconds in self.shared(fixturenames).items())

    def own(self, nodeid: str, fixturenames: Iterable[str]) -> float:
        """The test's own seconds: stored, or estimated for a test not in the file."""
        if nodeid in self.tests:
            return self.tests[nodeid]
        each = sum(self.fixtures.get(name, {}).get("each", 0.0) for name in fixturenames)
        return max(each, self.module_median.get(module_of(nodeid), 0.0))

    def is_slow(self, nodeid: str, fixturenames: Iterable[str]) -> bool:
        names = list(fixturenames)
        return self.own(nodeid, names) + self.share(names) > self.threshold


def balance(units: dict[str, float], parts: int = 2) -> list[set[str]]:
    """Greedy split of units (name → seconds) into ``parts`` sets of near-equal total: the largest
    unit first, each to the part with the least so far. Ties go by name, so the split is stable."""
    totals = [0.0] * parts
    chosen: list[set[str]] = [set() for _ in range(parts)]
    for name, seconds in sorted(units.items(), key=lambda unit: (-unit[1], unit[0])):
        part = min(range(parts), key=lambda i: (totals[i], i))
        chosen[part].add(name)
        totals[part] += seconds
    return chosen


class Recorder:
    """Measures each test's own setup and call and each fixture's first and later setups; writes
    them into the durations file at the end of the session (``--store-durations``)."""

    def __init__(self, path: Path, templates: dict[str, tuple[str, ...]]) -> None:
        self.path = path
        self.templates = templates
        self.needs: dict[str, set[str]] = {}  # node id: its fixtures and the templates they need
        self.tests: dict[str, float] = defaultdict(float)
        self.skipped: set[str] = set()
        self.shared_now = 0.0  # first-setup seconds paid during the current test
        self.once: dict[str, float] = {}
        self.each: dict[str, list[float]] = defaultdict(list)
        self.stack: list[float] = []  # seconds spent in nested fixture setups, per open setup

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(self, fixturedef, request):
        start, shared_before = time.perf_counter(), _shared_seconds[0]
        self.stack.append(0.0)
        try:
            return (yield)
        finally:
            nested = self.stack.pop()
            seconds = time.perf_counter() - start
            if self.stack:
                self.stack[-1] += seconds
            self._count(fixturedef, seconds - nested, _shared_seconds[0] - shared_before)

    def _count(self, fixturedef, seconds: float, template: float) -> None:
        self.shared_now += template  # stored as the template's (count_template)
        if getattr(fixturedef.func, "__name__", "") == "get_direct_param_fixture_func":
            return  # a parameter of the test (parametrize), not a fixture
        name, seconds = fixturedef.argname, max(seconds - template, 0.0)
        if fixturedef.scope == "function":
            self.each[name].append(seconds)
        else:  # set up once a session (or a module): its first setup is shared
            self.once[name] = max(self.once.get(name, 0.0), seconds)
            self.shared_now += seconds

    def pytest_runtest_logstart(self, nodeid, location) -> None:
        self.shared_now = 0.0

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        names = getattr(item, "fixturenames", ())
        self.needs[item.nodeid] = {*names, *(f"template:{kind}" for name in names
                                             for kind in self.templates.get(name, ()))}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.skipped:
            self.skipped.add(report.nodeid)
        if report.when in ("setup", "call"):
            self.tests[report.nodeid] += report.duration - self.shared_now
            self.shared_now = 0.0

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        # The test command's processes may finish together: one at a time reads, merges and writes.
        with open(self.path, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self._merge(Path(session.config.rootpath))

    def _merge(self, root: Path) -> None:
        data = load(self.path)
        # Tests of files that are gone are forgotten; the others stay until measured again.
        tests = {nodeid: seconds for nodeid, seconds in data.get("tests", {}).items()
                 if (root / nodeid.split("::", 1)[0]).is_file()}
        for nodeid, seconds in self.tests.items():
            if nodeid not in self.skipped:  # a skipped test's seconds say nothing of its cost
                tests[nodeid] = round(max(seconds, 0.0), 3)
        fixtures = data.get("fixtures", {})
        fixtures.update({f"template:{kind}": {"once": round(seconds, 3)} for kind, seconds in _templates.items()})
        for name in set(self.once) | set(self.each):
            entry = dict(fixtures.get(name, {}))
            if name in self.once:
                entry["once"] = round(self.once[name], 3)
            if self.each.get(name):
                entry["each"] = round(statistics.median(self.each[name]), 3)
            entry = {key: seconds for key, seconds in entry.items() if seconds >= 0.005}
            if entry:
                fixtures[name] = entry
            else:  # a fixture that costs nothing is left out
                fixtures.pop(name, None)
        shared = {name for name, entry in fixtures.items() if entry.get("once")}
        needs = {nodeid: keys for nodeid, keys in data.get("needs", {}).items() if nodeid in tests}
        for nodeid, names in self.needs.items():
            if nodeid in tests and nodeid not in self.skipped:
                needs[nodeid] = sorted(names & shared)
        data = {"tests": dict(sorted(tests.items())),
                "fixtures": {name: dict(sorted(entry.items())) for name, entry in sorted(fixtures.items())},
                "needs": {nodeid: keys for nodeid, keys in sorted(needs.items()) if keys}}
        self.path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
