"""The period's headline claims: the curated file against its schema, the tolerance rule, and
each claim recomputed here from the whole-series download of its indicator (the same months,
summed, read at the last month or averaged over days as the series' meaning says), against
what /api/claims.json reports."""

from __future__ import annotations

import calendar
import io

import pandas as pd
import pytest

from etl.timeline import read_timeline
from indicators import period_claims
from indicators.period_claims import PeriodClaimError, load, tolerance_points
from indicators.registry import get_indicator
from tests.helpers import render

RECORDS = load()


def test_the_curated_claims_name_real_events_and_both_sides():
    events = {e["id"] for e in read_timeline()}
    assert all(r["event"] in events for r in RECORDS if r.get("event"))
    assert {r["side"] for r in RECORDS} == {"US", "MX"}
    assert {r["kind"] for r in RECORDS} == {"level", "change"}


def test_a_broken_file_is_refused_in_one_line(tmp_path):
    import yaml

    good = dict(RECORDS[0])
    change = next(r for r in RECORDS if r["kind"] == "change")
    for broken, words in (
            ([good, good], "appears twice"),
            ([{k: v for k, v in change.items() if k != "base"}], "'base' is a required property"),
            ([{**good, "period": {"start": "2025-03", "end": "2025-01"}}], "starts after it ends"),
            ([{**good, "indicator": "no_such_series"}], "unknown indicator"),
            ([{**good, "side": "CA"}], "side")):
        path = tmp_path / "claims.yaml"
        path.write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")
        with pytest.raises(PeriodClaimError) as caught:
            load(path)
        assert words in str(caught.value) and "\n" not in str(caught.value)


def test_the_tolerance_rule():
    """Half the unit the figure is stated to, doubled for "about", plus 2 points for revisions."""
    assert tolerance_points({"stated_to": 10}) == 7.0
    assert tolerance_points({"stated_to": 1, "about": True}) == 3.0
    assert tolerance_points({"stated_to": 0.1}) == pytest.approx(2.05)


def _recompute(frame: pd.DataFrame, spec, period: dict) -> float:
    months = [str(m) for m in pd.period_range(period["start"], period["end"], freq="M")]
    rows = frame.set_index("period").loc[months]
    values = rows["value_predicted"].fillna(rows["value"]) if "value_predicted" in rows else rows["value"]
    if spec.semantics == "rolling_12m":
        return float(values.iloc[-1])
    if "per day" in spec.unit["en"]:
        days = [calendar.monthrange(int(m[:4]), int(m[5:]))[1] for m in months]
        return float((values * days).sum() / sum(days))
    return float(values.sum())


def test_each_claim_is_recomputed_from_the_whole_series_download(app):
    client = app.server.test_client()
    served = {item["id"]: item for item in client.get("/api/claims.json").get_json()["items"]}
    checked = not_loaded = 0
    for record in RECORDS:
        item = served[record["id"]]
        spec = get_indicator(record["indicator"])
        frame = pd.read_csv(io.StringIO(client.get(f"/api/indicators/{spec.id}.csv?geo={record['geo']}")
                                        .get_data(as_text=True)), dtype={"period": str})
        months = set(frame["period"])
        needed = [str(m) for p in (record["period"], record.get("base")) if p
                  for m in pd.period_range(p["start"], p["end"], freq="M")]
        if not set(needed) <= months:
            assert item["status"] == "not_checkable" and item["data_through"] == max(months), record["id"]
            not_loaded += 1
            continue
        now = _recompute(frame, spec, record["period"])
        if record["kind"] == "level":
            expected = now
            ok = abs(record["value"] / expected - 1) <= 0.02
        else:
            expected = (now / _recompute(frame, spec, record["base"]) - 1) * 100
            ok = abs(record["value"] - expected) <= tolerance_points(record)
        # The download rounds to the publisher's precision (0.01 lb, whole deaths).
        assert item["independent"]["value"] == pytest.approx(expected, rel=1e-4), record["id"]
        assert item["status"] == ("consistent" if ok else "inconsistent"), record["id"]
        checked += 1
    assert checked == len(RECORDS) - not_loaded and checked > 0


def test_every_reading_is_recomputed_and_the_page_says_whether_it_matters(app):
    client = app.server.test_client()
    served = {item["id"]: item for item in client.get("/api/claims.json").get_json()["items"]}
    with_alternatives = [r for r in RECORDS if r.get("alternatives")]
    assert with_alternatives
    for record in with_alternatives:
        item = served[record["id"]]
        assert [a["label"] for a in item["alternatives"]] == [a["label"] for a in record["alternatives"]]
        statuses = [a["status"] for a in item["alternatives"]]
        if item["status"] == "not_checkable":
            continue
        expected = (True if set(statuses) - {None, item["status"]} else None if None in statuses else False)
        assert item["reading_matters"] is expected, record["id"]


def test_as_of_leaves_out_claims_stated_later(app):
    client = app.server.test_client()
    day = "2025-12-31"
    shown = {i["id"] for i in client.get(f"/api/claims.json?as_of={day}").get_json()["items"]}
    curated = {r["id"] for r in RECORDS}
    expected = {r["id"] for r in RECORDS if period_claims.stated_by(r["stated_on"]).isoformat() <= day}
    assert shown & curated == expected and 0 < len(expected) < len(curated)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_claims_page_shows_the_periods_and_the_reading(app, lang):
    import json

    from dashboard.i18n import pick

    layout, _title = render(app, "/claims", "?lang=es" if lang == "es" else "")
    text = json.dumps(layout, ensure_ascii=False)
    for record in RECORDS:
        assert record["text"][lang] in text and record["reported"] in text
        if record.get("reading"):
            assert json.dumps(pick(record["reading"], lang), ensure_ascii=False)[1:-1] in text
        if record.get("base"):
            base = record["base"]
            assert (base["start"] if base["start"] == base["end"] else f"{base['start']}…{base['end']}") in text


def test_months_combine_by_the_series_meaning():
    """A daily average over several months is weighted by their days; a 12-month count is read at
    the period's last month; monthly counts are summed."""
    import pandas as pd

    from indicators.period_claims import aggregate

    frame = pd.DataFrame({"used": [31.0, 28.0 * 2, 10.0], "vintage": ["v"] * 3,
                          "vintage_published_on": [pd.Timestamp("2025-04-01").date()] * 3, "flags": [""] * 3},
                         index=pd.PeriodIndex(["2025-01", "2025-02", "2025-03"], freq="M"))
    period = {"start": "2025-01", "end": "2025-03"}

    class Spec:
        def __init__(self, semantics, unit, id_="x"):
            self.semantics, self.unit, self.id = semantics, {"en": unit}, id_

    assert aggregate(frame, Spec("monthly", "lbs per month"), period)["value"] == 31 + 56 + 10
    assert aggregate(frame, Spec("rolling_12m", "deaths, 12 months ending"), period)["value"] == 10
    per_day = aggregate(frame, Spec("monthly", "victims per day"), period)["value"]
    assert per_day == pytest.approx((31 * 31 + 56 * 28 + 10 * 31) / (31 + 28 + 31))
    assert aggregate(frame, Spec("monthly", "lbs per month"), {"start": "2025-02", "end": "2025-04"}) == {
        "missing": ["2025-04"]}


def test_a_claim_on_a_rate_is_refused(tmp_path):
    import yaml

    from indicators.registry import INDICATORS

    rate = next(i for i, spec in INDICATORS.items() if "per 100" in spec.unit["en"] and spec.semantics == "monthly")
    path = tmp_path / "claims.yaml"
    path.write_text(yaml.safe_dump([{**RECORDS[0], "indicator": rate}], allow_unicode=True), encoding="utf-8")
    with pytest.raises(PeriodClaimError, match="cannot be summed"):
        load(path)


def test_the_tolerance_edge():
    """Exactly the allowed points is consistent; a hundredth more is not."""
    record = {"stated_to": 10, "value": -50}
    allowed = tolerance_points(record)
    assert abs(-50 - (-50 + allowed)) <= allowed < abs(-50 - (-50 + allowed + 0.01))
