"""How `slow` and the test command's split follow from the stored durations (tests/durations.py),
on hand-written durations."""

from __future__ import annotations

import pytest

from tests import durations

TEMPLATES = {"snapshot_store": ("empty", "snapshot"), "store": ("empty",)}


def stored(quick: int, raw: int) -> dict:
    """``quick`` cheap tests on the snapshot store, ``raw`` dear ones on a store built from raw files."""
    tests = {f"tests/test_a.py::test_{i}": 0.01 for i in range(quick)}
    tests |= {f"tests/test_raw.py::test_{i}": 0.5 for i in range(raw)}
    needs = {nodeid: ["snapshot_store", "template:empty", "template:snapshot"] for nodeid in tests if "test_a" in nodeid}
    needs |= {nodeid: ["built_store", "template:empty"] for nodeid in tests if "test_raw" in nodeid}
    fixtures = {"template:empty": {"once": 0.2}, "template:snapshot": {"once": 6.0}, "snapshot_store": {"once": 0.1},
                "built_store": {"once": 40.0}, "store": {"each": 0.02}}
    return {"tests": tests, "fixtures": fixtures, "needs": needs}


def test_a_first_setup_is_shared_among_the_tests_that_need_it():
    data = stored(quick=200, raw=4)
    timings = durations.Timings(data, TEMPLATES)
    users = {key: sum(key in keys for keys in data["needs"].values()) for key in data["fixtures"]}
    snapshot = ["snapshot_store", "template:empty", "template:snapshot"]
    assert timings.share(snapshot) == pytest.approx(sum(data["fixtures"][k]["once"] / users[k] for k in snapshot))
    # A fixture's templates count without being named: the snapshot store needs both.
    assert timings.share(["snapshot_store"]) == pytest.approx(timings.share(snapshot))
    built = data["fixtures"]["built_store"]["once"] / users["built_store"]
    assert timings.share(["built_store"]) == pytest.approx(built)
    empty = data["fixtures"]["template:empty"]["once"] / users["template:empty"]
    assert timings.share(["built_store", "store"]) == pytest.approx(built + empty)
    assert built > 10 * timings.share(snapshot)  # few tests share a dear setup: each pays much


def test_the_quick_run_takes_the_cheapest_tests_that_fit_in_its_budget(monkeypatch):
    data = stored(quick=200, raw=4)
    first_setups = sum(data["fixtures"][k]["once"] for k in ("template:empty", "template:snapshot", "snapshot_store"))
    quick = [n for n in data["tests"] if "test_a" in n]
    # A budget that holds the cheap tests and their first setups, not a raw-file build.
    monkeypatch.setattr(durations, "QUICK_SECONDS", first_setups + sum(data["tests"][n] for n in quick) + 1)
    timings = durations.Timings(data, TEMPLATES)
    names = {nodeid: data["needs"][nodeid] for nodeid in data["tests"]}
    assert [n for n in data["tests"] if not timings.is_slow(n, names[n])] == quick
    # A budget smaller than the first setups: nothing is quick.
    monkeypatch.setattr(durations, "QUICK_SECONDS", first_setups / 2)
    timings = durations.Timings(data, TEMPLATES)
    assert all(timings.is_slow(n, names[n]) for n in data["tests"])


def test_a_test_not_in_the_file_is_judged_by_its_module_and_its_fixtures():
    data = stored(quick=10, raw=3)
    timings = durations.Timings(data, TEMPLATES)
    raw = [seconds for nodeid, seconds in data["tests"].items() if "test_raw" in nodeid]
    assert timings.own("tests/test_raw.py::test_new", []) == sorted(raw)[len(raw) // 2]
    assert timings.own("tests/test_new.py::test_new", ["store"]) == data["fixtures"]["store"]["each"]
    assert timings.own("tests/test_new.py::test_new", []) == 0


def test_the_parts_are_near_equal_and_stable():
    units = {f"test_{i}": float(seconds) for i, seconds in enumerate([50, 40, 30, 30, 20, 10, 5, 5])}
    first, second = durations.balance(units)
    assert first | second == set(units) and not first & second
    totals = sorted(sum(units[u] for u in part) for part in (first, second))
    assert totals[1] - totals[0] <= min(units.values())
    assert durations.balance(dict(reversed(units.items()))) == [first, second]  # whatever the order given
