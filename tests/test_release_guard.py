"""Guarded publishing: releases that parse but would change served numbers wrongly are refused in
one line, the store is unchanged and the run (with its diff) is recorded; reviewed revisions can be
accepted. Each case is a hand-written CBP release against the one it follows."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from etl import pipeline
from etl.store import Observation, PublishError, list_vintages, recent_runs
from indicators.series import read_series

HEADER = "FY,Month (abbv),Component,Region,Land Filter,Area of Responsibility,Drug Type,Count of Event,Sum Qty (lbs)"
DRUGS = {"Fentanyl": (30, 600.0), "Methamphetamine": (200, 9000.0), "Cocaine": (60, 3000.0)}
AREAS = ["TUCSON SECTOR", "SAN DIEGO FIELD OFFICE"]
FY2025 = ["OCT", "NOV", "DEC", "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP"]


def release(months_2026: int, *, scale: float = 1.0, drugs=DRUGS, swap: bool = False, drop_last: int = 0,
            years: tuple[int, int] = (2025, 2026), revise: float = 1.0, number=lambda v: f"{v:.2f}") -> bytes:
    """A complete fiscal year and the first ``months_2026`` months of the next (in progress)."""
    rows = []
    for fy, months in ((2025, FY2025), (2026, FY2025[:months_2026])):
        label = str(years[0]) if fy == 2025 else f"{years[1]} (FYTD)"
        for m, month in enumerate(months):
            for a, area in enumerate(AREAS):
                for drug, (events, lbs) in drugs.items():
                    weight = lbs * scale * (1 + 0.01 * m + 0.1 * a) * (revise if (fy, month) == (2025, "MAR") else 1)
                    count = events + m
                    first, second = (number(weight), str(count)) if not swap else (str(count), number(weight))
                    rows.append(f"{label},{month},U.S. Border Patrol,Southwest Border,Land Only,{area},{drug},"
                                f"{second},{first}")
    if drop_last:
        rows = rows[:-drop_last]
    return ("\r\n".join([HEADER, *rows]) + "\r\n").encode()


def stored(store) -> int:
    with Session(store) as session:
        return session.scalar(select(func.count()).select_from(Observation))


@pytest.fixture
def published(store, tmp_path):
    """The store after the December 2025 release (FY2025 complete, FY2026 Oct–Dec)."""
    first = tmp_path / "nationwide-drugs-fy23-fy26-dec.csv"
    first.write_bytes(release(3))
    assert pipeline.import_file(store, "cbp_drug_seizures", first).outcome == "ok"
    return store


FAULTS = [
    ("lbs and event counts swapped", dict(swap=True), "values moved by a factor of"),
    ("every value ×10", dict(scale=10.0), "cbp_drug_seizures_lbs: values moved by a factor of 10"),
    ("a fentanyl-only file", dict(drugs={"Fentanyl": DRUGS["Fentanyl"]}), "cell(s) of completed months are missing"),
    ("a file cut mid-way", dict(drop_last=40), "before the newest one loaded (nationwide-drugs-fy23-fy26-dec.csv"),
    ("a file cut mid-month", dict(drop_last=4), "has 2 row(s), the thinnest other month 6: a download cut mid-way?"),
    ("a completed month revised by 5 %", dict(revise=1.05), "completed-month cell(s) revised beyond 0.1%"),
    ("months from 1997", dict(years=(1998, 1999)), "months before the source's span (from 2015-10)"),
    ("decimal commas", dict(number=lambda v: '"' + f"{v:,.3f}".replace(",", " ").replace(".", ",").replace(" ", ".")
                            + '"'), "Sum Qty (lbs) is not a number"),
]


@pytest.mark.parametrize(("what", "change", "message"), FAULTS, ids=[f[0] for f in FAULTS])
def test_a_wrong_release_is_refused_in_one_line_and_changes_nothing(published, tmp_path, what, change, message):
    before = (stored(published), read_series(published, "cbp_drug_seizures_by_type_lbs"))
    path = tmp_path / "nationwide-drugs-fy23-fy26-jan.csv"
    path.write_bytes(release(4, **change))
    with pytest.raises(PublishError) as caught:
        pipeline.import_file(published, "cbp_drug_seizures", path)
    assert message in str(caught.value) and "\n" not in str(caught.value), what
    assert stored(published) == before[0]
    assert read_series(published, "cbp_drug_seizures_by_type_lbs").equals(before[1])
    run = recent_runs(published, 1)[0]
    assert run.outcome == "failed" and message in run.message


def test_months_after_the_release_date_and_future_release_dates_are_refused(published, tmp_path):
    path = tmp_path / "nationwide-drugs-fy23-fy26-jan.csv"
    path.write_bytes(release(4))
    with pytest.raises(PublishError, match="months after the release date 2025-12-20"):
        pipeline.import_file(published, "cbp_drug_seizures", path, published_on=dt.date(2025, 12, 20))
    future = dt.date.today() + dt.timedelta(days=400)
    with pytest.raises(PublishError, match=f"release date {future} is in the future"):
        pipeline.import_file(published, "cbp_drug_seizures", path, published_on=future)


def test_a_reviewed_revision_is_accepted_explicitly_and_the_diff_kept(published, tmp_path):
    path = tmp_path / "nationwide-drugs-fy23-fy26-jan.csv"
    path.write_bytes(release(4, revise=1.05))
    with pytest.raises(PublishError, match="after review, --accept-revisions publishes it"):
        pipeline.import_file(published, "cbp_drug_seizures", path)
    run = pipeline.import_file(published, "cbp_drug_seizures", path, accept_revisions=True)
    assert run.outcome == "ok"
    diff = json.loads(recent_runs(published, 1)[0].diff)
    assert diff["previous"] == "nationwide-drugs-fy23-fy26-dec.csv" and diff["counts"]["revised"] == len(AREAS) * len(
        DRUGS)
    march = read_series(published, "cbp_fentanyl_seizures_swb_lbs").set_index("period").loc["2025-03-01", "value"]
    assert march == pytest.approx(sum(600.0 * (1 + 0.05 + 0.1 * a) * 1.05 for a in range(len(AREAS))), rel=1e-3)


def test_a_normal_next_release_publishes_with_provisional_months_revised_freely(published, tmp_path):
    path = tmp_path / "nationwide-drugs-fy23-fy26-jan.csv"
    content = release(4).replace(b"2026 (FYTD),OCT,U.S. Border Patrol,Southwest Border,Land Only,TUCSON SECTOR,"
                                 b"Fentanyl,30,600.00", b"2026 (FYTD),OCT,U.S. Border Patrol,Southwest Border,Land "
                                                        b"Only,TUCSON SECTOR,Fentanyl,30,640.00")
    assert pipeline.import_file(published, "cbp_drug_seizures", path.write_bytes(content) and path).outcome == "ok"
    assert len(list_vintages(published, "cbp_drug_seizures")) == 2
    diff = json.loads(recent_runs(published, 1)[0].diff)
    assert diff["problems"] == [] and diff["compared_cells"] > 0
