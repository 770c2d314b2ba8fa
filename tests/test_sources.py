"""One source interface: every source declares its outputs in its origin file (validated by a
JSON schema), the registry reads only declared series and dimensions, the store holds only what
is declared, and the snapshot manifest carries the origin files as they are."""

from __future__ import annotations

import shutil
from dataclasses import replace

import pytest

from etl import common, snapshot
from etl.common import SanityError, declared_outputs, load_origin
from etl.sources import SOURCES
from etl.store import list_vintages, vintage_observations
from indicators.registry import INDICATORS, registry_problems

CORE = {"vintage_id", "indicator", "period", "geo", "value", "value_predicted", "flags"}


def test_every_source_module_has_a_valid_origin_and_the_same_shape():
    for source_id, module in SOURCES.items():
        origin = load_origin(source_id)
        assert declared_outputs(origin)
        for name in ("raw_files", "build_record", "record_from_file"):
            assert callable(getattr(module, name)), (source_id, name)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda text: text.replace("aggregation: sum", "aggregation: add", 1), "aggregation: 'add' is not one of"),
        (lambda text: text.replace("url_main: https://", "url_main: http://", 1), "url_main: 'http://"),
        (lambda text: text + "colour: blue\n", "Additional properties are not allowed ('colour' was unexpected)"),
        (lambda text: text.replace("publication_lag_months: 1", "publication_lag_months: one", 1),
         "publication_lag_months: 'one' is not of type 'integer'"),
    ],
)
def test_a_broken_origin_file_is_refused_in_one_line(tmp_path, monkeypatch, edit, message):
    shutil.copy(common.ORIGINS_DIR / "schema.json", tmp_path / "schema.json")
    text = (common.ORIGINS_DIR / "cbp_drug_seizures.yaml").read_text()
    (tmp_path / "cbp_drug_seizures.yaml").write_text(edit(text))
    monkeypatch.setattr(common, "ORIGINS_DIR", tmp_path)
    with pytest.raises(SanityError) as caught:
        load_origin("cbp_drug_seizures")
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_the_registry_reads_only_declared_series_and_dimensions():
    assert registry_problems() == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (dict(base="cbp_drug_seizure_lbs"), "base 'cbp_drug_seizure_lbs' is not an output of cbp_drug_seizures"),
        (dict(filters={"catgory": "Fentanyl"}), "dimension(s) catgory not declared"),
        (dict(breakdown="drug"), "dimension(s) drug not declared"),
    ],
)
def test_a_typo_in_the_registry_fails_instead_of_drawing_an_empty_chart(change, message):
    broken = dict(INDICATORS)
    broken["cbp_fentanyl_seizures_swb_lbs"] = replace(INDICATORS["cbp_fentanyl_seizures_swb_lbs"], **change)
    assert any(message in problem for problem in registry_problems(broken))


def test_level_counted_events_must_be_read_at_one_level():
    broken = dict(INDICATORS)
    spec = INDICATORS["cbp_weapons_seizures_outbound"]
    broken[spec.id] = replace(spec, filters={"direction": "outbound"})
    assert any("filter every one of region, direction, seizure_type" in p for p in registry_problems(broken))


@pytest.mark.raw
def test_the_store_holds_only_declared_series_and_dimensions(built_store):
    for vintage in list_vintages(built_store):
        outputs = declared_outputs(load_origin(vintage.source_id))
        rows = vintage_observations(built_store, [vintage.id])
        assert set(rows["indicator"]) <= set(outputs), vintage.file_name
        for series, group in rows.groupby("indicator"):
            present = {c for c in group.columns if c not in CORE and group[c].notna().any()}
            assert present <= set(outputs[series]["dimensions"]), (vintage.file_name, series)


def test_the_snapshot_manifest_carries_the_origin_files():
    manifest = snapshot.read_manifest()
    assert set(manifest["sources"]) == {v["source_id"] for v in manifest["vintages"]}
    for source_id, origin in manifest["sources"].items():
        assert origin == load_origin(source_id), f"snapshot stale for {source_id}: run 'python -m etl snapshot'"


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_indicator_with_data_has_a_complete_card(lang):
    from etl.timeline import read_timeline
    from indicators.cards import indicator_card, missing

    events = read_timeline()
    for spec in INDICATORS.values():
        if spec.status == "available":
            assert missing(indicator_card(spec, lang, events)) == [], (spec.id, lang)
    # The eTrace extension is a dated measurement change on the traces it affects.
    changes = [e for e in events if e["type"] == "measurement_change"]
    for event in changes:
        for link in event["indicators"]:
            card = indicator_card(INDICATORS[link["indicator"]], lang, events)
            assert event["id"] in [c["id"] for c in card["measurement_changes"]]
