"""Indicator definitions are data: one ``etl/origins/<source>.meta.yaml`` per source beside its origin file,
validated by a JSON schema, read once into the registry; a broken definition is refused in one line naming
the file and the field. The publication lag is declared once, in the origin."""

from __future__ import annotations

import json

import jsonschema
import pytest

from etl.common import ORIGINS_DIR, load_origin
from indicators import registry
from indicators.registry import (
    DEFINITIONS_SUFFIX,
    INDICATORS,
    SCHEMA_NAME,
    SOURCE_ORDER,
    DefinitionError,
    Indicator,
    load_indicators,
    read_definitions,
)

# A hand-written definition file of a made-up source: two indicators sharing defaults.
GOOD = """\
defaults:
  unit: {en: widgets per month, es: artilugios por mes}
  base: test_widgets
  caveats: {en: Counted at the gate, es: Contados en la puerta}
indicators:
  - id: test_widgets_total
    name: {en: Widgets, es: Artilugios}
    description: {en: All widgets, es: Todos los artilugios}
    donors:
      - {id: gadgets, filters: {kind: gadget}, label: {en: gadgets, es: aparatos}}
  - id: test_widgets_share
    name: {en: Share of red widgets, es: Porcentaje de artilugios rojos}
    unit: {en: "% of widgets", es: "% de los artilugios"}
    description: {en: Red widgets as a share, es: Artilugios rojos como porcentaje}
    transform: share
    share_of: {colour: red}
    context: [test_widgets_total]
"""


def write(folder, text: str, source_id: str = "test_source"):
    path = folder / f"{source_id}{DEFINITIONS_SUFFIX}"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(json.loads((ORIGINS_DIR / SCHEMA_NAME).read_text()))


def test_every_definition_file_is_listed_and_the_registry_is_their_indicators_in_that_order():
    files = sorted(path.name.removesuffix(DEFINITIONS_SUFFIX) for path in ORIGINS_DIR.glob(f"*{DEFINITIONS_SUFFIX}"))
    assert files == sorted(SOURCE_ORDER)
    read = [spec for source_id in SOURCE_ORDER for spec in read_definitions(ORIGINS_DIR / f"{source_id}.meta.yaml")]
    assert [spec.id for spec in read] == list(INDICATORS)
    assert all(spec == INDICATORS[spec.id] for spec in read)
    for source_id in SOURCE_ORDER:  # every definition file sits beside an origin file
        assert load_origin(source_id)["id"] == source_id


def test_defaults_apply_unless_an_indicator_sets_its_own(tmp_path):
    total, share = read_definitions(write(tmp_path, GOOD))
    assert (total.source_id, total.base, total.unit["en"]) == ("test_source", "test_widgets", "widgets per month")
    assert share.unit["en"] == "% of widgets" and share.caveats == total.caveats
    assert isinstance(total.donors, tuple) and total.donors[0]["filters"] == {"kind": "gadget"}
    assert share.context == ("test_widgets_total",) and share.share_of == {"colour": "red"}


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda text: text.replace("es: Artilugios}", "fr: Gadgets}"),
         "indicators/0 (test_widgets_total)/name: 'es' is a required property"),
        (lambda text: text.replace("transform: share", "transform: half"),
         "indicators/1 (test_widgets_share)/transform: 'half' is not one of"),
        (lambda text: text.replace("    transform: share", "    colour: red\n    transform: share"),
         "indicators/1 (test_widgets_share): Unevaluated properties are not allowed ('colour' was unexpected)"),
        # The lag is the origin's: a definition cannot declare it a second time.
        (lambda text: text.replace("  base: test_widgets", "  base: test_widgets\n  publication_lag_months: 2"),
         "defaults: Unevaluated properties are not allowed ('publication_lag_months' was unexpected)"),
        (lambda text: text.replace("  unit: {en: widgets per month, es: artilugios por mes}\n", ""),
         "indicators/0 (test_widgets_total): 'unit' is a required property (here or in defaults)"),
        (lambda text: text.replace("{id: gadgets,", "{id: gadgets, colour: red,"),
         "indicators/0 (test_widgets_total)/donors/0: Additional properties are not allowed ('colour'"),
        (lambda text: text.replace("  - id: test_widgets_total", "  - id: Test Widgets"),
         "indicators/0 (Test Widgets)/id: 'Test Widgets' does not match"),
        (lambda text: text.replace("indicators:\n", "indicators:\n  [\n"), "test_source.meta.yaml: line "),
    ],
)
def test_a_broken_definition_is_refused_in_one_line_naming_the_file_and_field(tmp_path, edit, message):
    broken = edit(GOOD)
    assert broken != GOOD
    with pytest.raises(DefinitionError) as caught:
        read_definitions(write(tmp_path, broken))
    assert str(caught.value).startswith("test_source.meta.yaml: ") and message in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("second", "message"),
    [
        (GOOD.split("  - id: test_widgets_share")[0], "other_source.meta.yaml: test_widgets_total: id already defined"),
        (GOOD.replace("test_widgets_", "other_").replace("[other_total]", "[test_widgets_gone]"),
         "other_source.meta.yaml: other_share: context or donors name unknown indicator(s) test_widgets_gone"),
    ],
)
def test_ids_are_unique_and_named_indicators_exist_across_files(tmp_path, second, message):
    write(tmp_path, GOOD)
    write(tmp_path, second, "other_source")
    with pytest.raises(DefinitionError) as caught:
        load_indicators(tmp_path, order=("test_source", "other_source"))
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_a_definition_file_the_registry_does_not_list_is_refused(tmp_path):
    write(tmp_path, GOOD)
    write(tmp_path, GOOD.replace("test_widgets_", "other_"), "other_source")
    loaded = load_indicators(tmp_path, order=("other_source", "test_source"))
    assert list(loaded) == [*(f"other_{n}" for n in ("total", "share")), "test_widgets_total", "test_widgets_share"]
    with pytest.raises(DefinitionError, match=r"not listed in the registry's SOURCE_ORDER \['other_source'\]"):
        load_indicators(tmp_path, order=("test_source",))


def test_the_publication_lag_is_the_origins_only_declaration():
    assert "publication_lag_months" not in {f for f in Indicator.__dataclass_fields__}
    for spec in INDICATORS.values():
        lag = load_origin(spec.source_id)["publication_lag_months"]
        assert spec.publication_lag_months == lag == spec.to_json()["publication_lag_months"]
    for path in ORIGINS_DIR.glob(f"*{DEFINITIONS_SUFFIX}"):
        assert "publication_lag_months" not in path.read_text()


def test_a_planned_indicator_without_an_origin_has_no_lag_yet_and_an_available_one_fails():
    fields = dict(source_id="test_source", name={"en": "P", "es": "P"}, unit={"en": "u", "es": "u"},
                  description={"en": "-", "es": "-"})
    assert Indicator(id="test_planned", status="planned", **fields).publication_lag_months is None
    with pytest.raises(FileNotFoundError):
        Indicator(id="test_available", **fields).publication_lag_months  # noqa: B018


def test_the_definitions_are_read_once_at_import(monkeypatch):
    calls = []
    monkeypatch.setattr(registry, "read_definitions", lambda *a, **k: calls.append(a) or [])
    spec = next(iter(INDICATORS.values()))
    assert registry.get_indicator(spec.id) is spec and registry.available_indicators()
    assert calls == []
