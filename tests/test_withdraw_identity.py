"""Reproducible views: a release is identified by its content (not its bytes), a vintage can be
withdrawn (recorded, never deleted) and ``as_of`` views before the withdrawal still redraw exactly
what was served then. Real releases from the raw folder."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from pathlib import Path

import pandas as pd
import pytest

from etl import cbp, pipeline, snapshot
from etl.__main__ import main
from etl.sources import SOURCES, get_source
from etl.store import PublishError, list_vintages, recent_runs, restore, vintage_set_key, withdraw, withdrawal_history
from indicators.series import read_series

CBP = "cbp_drug_seizures"
SERIES = "cbp_fentanyl_seizures_swb_lbs"


def csv_sources(raw_dir: Path) -> list[tuple[str, Path]]:
    """Each source whose raw files are CSV, with its smallest raw file."""
    found = []
    for source_id in sorted(SOURCES):
        files = [p for p in get_source(source_id).raw_files(raw_dir) if p.suffix == ".csv"]
        if files:
            found.append((source_id, min(files, key=lambda p: p.stat().st_size)))
    return found


def re_encoded(content: bytes) -> bytes:
    """The same table in UTF-8 with a byte-order mark, CRLF line ends, columns reversed and rows shuffled."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:  # SESNSP publishes cp1252
        text = content.decode("cp1252")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header, body = rows[0], [r for r in rows[1:] if r]
    order = list(reversed(range(len(header))))
    random.Random(7).shuffle(body)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([header[i] for i in order])
    writer.writerows([[r[i] for i in order] for r in body])
    return b"\xef\xbb\xbf" + out.getvalue().encode()


def test_the_same_release_re_encoded_is_the_same_release(store, raw_dir, tmp_path):
    sources = csv_sources(raw_dir)
    assert sources
    for source_id, path in sources:
        assert pipeline.import_file(store, source_id, path).outcome == "ok", source_id
        releases = len(list_vintages(store, source_id))  # one, or one per publication date of a dated table
        variant = tmp_path / f"re-encoded-{path.name}"
        variant.write_bytes(re_encoded(path.read_bytes()))
        assert variant.read_bytes() != path.read_bytes()
        run = pipeline.import_file(store, source_id, variant)
        assert run.outcome == "unchanged", (source_id, run.message)
        assert "only the file's encoding or layout differs" in run.message
        assert len(list_vintages(store, source_id)) == releases


def test_a_changed_value_is_a_new_release(store, raw_dir, tmp_path):
    path = min(get_source(CBP).raw_files(raw_dir), key=lambda p: p.name)
    pipeline.import_file(store, CBP, path)
    lines = path.read_bytes().decode("utf-8-sig").splitlines()
    first = next(i for i, line in enumerate(lines[1:], 1) if "Fentanyl" in line)
    fields = lines[first].split(",")
    fields[-1] = f"{float(fields[-1]) * 1.0001:.6f}"  # within tolerance: a tiny revision
    lines[first] = ",".join(fields)
    changed = tmp_path / path.name.replace(".csv", "-b.csv")
    changed.write_text("\n".join(lines) + "\n")
    run = pipeline.import_file(store, CBP, changed, accept_revisions=True)
    assert run.outcome == "ok", run.message
    assert len(list_vintages(store, CBP)) == 2


@pytest.fixture
def two_releases(store_factory, raw_dir):
    """A store of the test's own with the two newest real CBP drug releases, oldest first (by the
    data month their names carry: ``-apr`` of fy23-fy26 comes after ``-dec``); imported once a
    session, into the template each test's store is copied from."""
    pattern = get_source(CBP).SOURCE.pattern
    older, newer = sorted(get_source(CBP).raw_files(raw_dir), key=lambda p: cbp.release_order(pattern, p.name))[-2:]

    def import_both(store):
        for path in (older, newer):
            assert pipeline.import_file(store, CBP, path, accept_revisions=True).outcome == "ok"

    store = store_factory.copy("two CBP releases", import_both)
    yield store, older.name, newer.name
    store.dispose()


def test_a_withdrawn_vintage_leaves_today_and_stays_in_views_before_it(two_releases):
    store, older, newer = two_releases
    newest = {v.file_name: v for v in list_vintages(store, CBP)}[newer]
    before_key = vintage_set_key(store)
    served = read_series(store, SERIES)
    assert set(served["vintage"]) >= {newer}
    on = max(newest.published_on, dt.date.today() - dt.timedelta(days=3))

    run = withdraw(store, newest.id, "the publisher replaced this file", on=on)
    assert run.outcome == "withdrawn" and run.vintage_id == newest.id
    assert vintage_set_key(store) != before_key  # caches keyed on the store version move on

    # Never deleted; the run is recorded.
    assert {v.file_name for v in list_vintages(store, CBP)} == {older, newer}
    assert recent_runs(store, 1)[0].kind == "withdraw"
    # Today's view falls back to the release before it ...
    now = read_series(store, SERIES)
    assert set(now["vintage"]) == {older}
    assert now["period"].max() < served["period"].max()
    # ... and a view as known the day before the withdrawal redraws exactly what was served then.
    then = read_series(store, SERIES, as_of=on - dt.timedelta(days=1))
    pd.testing.assert_frame_equal(then, served)
    # As of the withdrawal day it is gone.
    assert newer not in set(read_series(store, SERIES, as_of=on)["vintage"])


def test_withdrawing_twice_an_unknown_vintage_or_without_reason_is_refused(two_releases):
    store, _older, newer = two_releases
    vintage = {v.file_name: v for v in list_vintages(store, CBP)}[newer]
    with pytest.raises(PublishError, match="needs a reason"):
        withdraw(store, vintage.id, "  ")
    with pytest.raises(PublishError, match="cannot be withdrawn on"):
        withdraw(store, vintage.id, "x", on=vintage.published_on - dt.timedelta(days=1))
    withdraw(store, vintage.id, "replaced")
    with pytest.raises(PublishError, match="already withdrawn"):
        withdraw(store, vintage.id, "again")
    missing = max(v.id for v in list_vintages(store)) + 1
    with pytest.raises(PublishError, match=f"no vintage #{missing}"):
        withdraw(store, missing, "x")


def test_the_withdrawn_bytes_again_are_recognised_and_refused_with_the_way_back(two_releases, raw_dir, capsys):
    store, _older, newer = two_releases
    vintage = {v.file_name: v for v in list_vintages(store, CBP)}[newer]
    withdraw(store, vintage.id, "replaced")
    path = next(p for p in get_source(CBP).raw_files(raw_dir) if p.name == newer)
    with pytest.raises(PublishError, match=f"vintage #{vintage.id}, withdrawn on .*etl restore {vintage.id}"):
        pipeline.import_file(store, CBP, path)
    url = store.url.render_as_string(hide_password=False)
    assert main(["--database-url", url, "import", CBP, str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "restore" in err
    assert len(list_vintages(store, CBP)) == 2
    # A rebuild from the raw folder passes over it (still withdrawn, never reloaded).
    record = get_source(CBP).record_from_file(path)
    assert pipeline.guarded_publish(store, record, kind="build").outcome == "unchanged"
    assert {v.file_name: v for v in list_vintages(store, CBP)}[newer].withdrawn_on is not None


def test_a_restored_vintage_is_served_again_and_the_past_still_redraws_as_it_was(two_releases):
    store, older, newer = two_releases
    vintage = {v.file_name: v for v in list_vintages(store, CBP)}[newer]
    served = read_series(store, SERIES)
    keys = [vintage_set_key(store)]
    withdrawn_on = max(vintage.published_on, dt.date.today() - dt.timedelta(days=5))
    restored_on = withdrawn_on + dt.timedelta(days=3)
    withdraw(store, vintage.id, "a row looked shifted", on=withdrawn_on)
    keys.append(vintage_set_key(store))
    with pytest.raises(PublishError, match="cannot be restored on"):
        restore(store, vintage.id, "checked", on=withdrawn_on - dt.timedelta(days=1))
    with pytest.raises(PublishError, match="one line"):
        restore(store, vintage.id, "checked\nagain", on=restored_on)
    run = restore(store, vintage.id, "the publisher confirmed the file", on=restored_on)
    assert run.kind == "restore" and run.outcome == "restored" and run.vintage_id == vintage.id
    keys.append(vintage_set_key(store))
    # Each step is a new data version, the restoration too (although the vintage's own state is
    # as before the withdrawal: the interval changed what older views show).
    assert len(set(keys)) == len(keys)

    pd.testing.assert_frame_equal(read_series(store, SERIES), served)
    pd.testing.assert_frame_equal(read_series(store, SERIES, as_of=withdrawn_on - dt.timedelta(days=1)), served)
    for day in (withdrawn_on, restored_on - dt.timedelta(days=1)):
        assert set(read_series(store, SERIES, as_of=day)["vintage"]) == {older}, day
    pd.testing.assert_frame_equal(read_series(store, SERIES, as_of=restored_on), served)

    [interval] = withdrawal_history(store, vintage.id)
    assert (interval.withdrawn_on, interval.restored_on) == (withdrawn_on, restored_on)
    with pytest.raises(PublishError, match="not withdrawn"):
        restore(store, vintage.id, "again")
    # It can be withdrawn again, not inside the interval already undone.
    with pytest.raises(PublishError, match=f"restored on {restored_on}"):
        withdraw(store, vintage.id, "x", on=restored_on - dt.timedelta(days=1))
    withdraw(store, vintage.id, "withdrawn for good", on=restored_on + dt.timedelta(days=1))
    assert len(withdrawal_history(store, vintage.id)) == 2
    assert set(read_series(store, SERIES, as_of=restored_on)["vintage"]) >= {newer}


def test_restore_from_the_command_line(two_releases, capsys):
    store, _older, newer = two_releases
    url = store.url.render_as_string(hide_password=False)
    vintage = {v.file_name: v for v in list_vintages(store, CBP)}[newer]
    assert main(["--database-url", url, "restore", str(vintage.id), "--reason", "x"]) == 2
    assert "is not withdrawn" in capsys.readouterr().err
    assert main(["--database-url", url, "withdraw", str(vintage.id), "--reason", "looked wrong"]) == 0
    assert main(["--database-url", url, "restore", str(vintage.id), "--reason", "publisher confirmed it"]) == 0
    out = capsys.readouterr().out
    assert f"restored: {newer}: restored on {dt.date.today()}" in out
    assert main(["--database-url", url, "status"]) in (0, 1)
    status = capsys.readouterr().out
    assert f"withdrawn on {dt.date.today()} (looked wrong), restored on {dt.date.today()}: publisher confirmed it" in status
    assert "WITHDRAWN" not in status


def test_withdraw_from_the_command_line(two_releases, capsys):
    store, _older, newer = two_releases
    url = store.url.render_as_string(hide_password=False)
    vintage = {v.file_name: v for v in list_vintages(store, CBP)}[newer]
    assert main(["withdraw", str(vintage.id), "--reason", "publisher replaced the file",
                 "--database-url", url]) == 0
    assert f"withdrawn: {newer}: withdrawn on" in capsys.readouterr().out
    assert main(["--database-url", url, "withdraw", str(vintage.id), "--reason", "again"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "already withdrawn" in err and err.count("\n") == 1
    assert main(["--database-url", url, "status"]) in (0, 1)
    assert f"WITHDRAWN on {dt.date.today()}: publisher replaced the file" in capsys.readouterr().out


def test_a_withdrawal_travels_with_the_snapshot(two_releases, store_factory, raw_dir, tmp_path):
    store, older, newer = two_releases
    vintage = {v.file_name: v for v in list_vintages(store, CBP)}[newer]
    on = max(vintage.published_on, dt.date.today() - dt.timedelta(days=2))
    withdraw(store, vintage.id, "replaced", on=on)
    snapshot.write(store, tmp_path / "snap")
    # A fresh store gets the vintage with its withdrawal ...
    fresh = store_factory()
    snapshot.load(fresh, tmp_path / "snap")
    got = {v.file_name: v for v in list_vintages(fresh, CBP)}
    assert got[newer].withdrawn_on == on and got[newer].withdrawn_reason == "replaced"
    assert set(read_series(fresh, SERIES)["vintage"]) == {older}
    assert read_series(fresh, SERIES, as_of=on - dt.timedelta(days=1))["vintage"].isin([newer]).any()
    # ... and a store that already had the vintage gets the withdrawal on its next start.
    other = store_factory()
    for name in (older, newer):
        path = next(p for p in get_source(CBP).raw_files(raw_dir) if p.name == name)
        pipeline.import_file(other, CBP, path, accept_revisions=True)
    assert snapshot.load(other, tmp_path / "snap") == 0
    assert {v.file_name: v for v in list_vintages(other, CBP)}[newer].withdrawn_on == on


def test_a_restoration_travels_with_the_snapshot(two_releases, store_factory, tmp_path):
    store, older, newer = two_releases
    vintage = {v.file_name: v for v in list_vintages(store, CBP)}[newer]
    withdrawn_on = max(vintage.published_on, dt.date.today() - dt.timedelta(days=4))
    withdraw(store, vintage.id, "replaced", on=withdrawn_on)
    restore(store, vintage.id, "confirmed", on=withdrawn_on + dt.timedelta(days=2))
    snapshot.write(store, tmp_path / "snap")
    fresh = store_factory()
    snapshot.load(fresh, tmp_path / "snap")
    got = {v.file_name: v for v in list_vintages(fresh, CBP)}[newer]
    assert got.withdrawn_on is None
    assert [(w.withdrawn_on, w.restored_on, w.reason, w.restore_reason) for w in withdrawal_history(fresh)] == [
        (withdrawn_on, withdrawn_on + dt.timedelta(days=2), "replaced", "confirmed")]
    assert set(read_series(fresh, SERIES, as_of=withdrawn_on)["vintage"]) == {older}
    # Loading the same snapshot again replays nothing.
    assert snapshot.load(fresh, tmp_path / "snap") == 0
    assert len(withdrawal_history(fresh)) == 1


def test_the_sources_page_shows_a_restoration_in_both_languages(two_releases):
    from dashboard.app_factory import create_app
    from dashboard.pages import sources as sources_page

    store, _older, newer = two_releases
    vintage = {v.file_name: v for v in list_vintages(store, CBP)}[newer]
    withdrawn_on = max(vintage.published_on, dt.date.today() - dt.timedelta(days=2))
    withdraw(store, vintage.id, "checking a row", on=withdrawn_on)
    restore(store, vintage.id, "the publisher confirmed it", on=withdrawn_on + dt.timedelta(days=1))
    app = create_app(engine=store, prepare_store=False)
    with app.server.test_request_context("/sources"):
        for lang, words in (("en", "served again since"), ("es", "publicada de nuevo desde el")):
            text = str(sources_page.layout(lang=lang))
            assert f"{words} {withdrawn_on + dt.timedelta(days=1)}: the publisher confirmed it" in text, lang
