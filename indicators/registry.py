"""The indicator registry: stable ids, bilingual names, units, semantics, direction and caveats.

An indicator is a reading of one stored series (``base``) of one source: optionally filtered on
dimensions, summed, and optionally broken down by one dimension. Ids never change: they are used
in URLs, exports, the API, the timeline and the tests.

The definitions are data: each source's indicators are in ``etl/origins/<source>.meta.yaml`` beside
its origin file, validated by ``etl/origins/meta.schema.json`` and read once, when this module is
imported. The publication lag is the origin's (declared there once).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field, replace
from pathlib import Path

import jsonschema
import yaml

from etl.common import ORIGINS_DIR, declared_outputs, load_origin

log = logging.getLogger(__name__)

Text = dict[str, str]  # {"en": ..., "es": ...}

# The sources whose indicators the registry reads, in the order the explorer's menu and the API list
# them: each has a <source>.meta.yaml.
SOURCE_ORDER = (
    "cbp_drug_seizures", "cdc_vsrr", "cdc_wonder", "cbp_amo_drug_seizures", "cbp_weapons_seizures",
    "cbp_encounters", "atf_mexico_traces", "sesnsp_homicides", "sesnsp_rnid",
)
DEFINITIONS_SUFFIX = ".meta.yaml"
SCHEMA_NAME = "meta.schema.json"
REQUIRED_AFTER_DEFAULTS = ("unit",)


class DefinitionError(ValueError):
    """An indicator definition file breaks its schema or names an unknown indicator (one line)."""


@dataclass(frozen=True)
class Indicator:
    id: str
    source_id: str
    name: Text
    unit: Text
    description: Text
    base: str | None = None
    filters: dict[str, str] = field(default_factory=dict)
    breakdown: str | None = None
    semantics: str = "monthly"  # monthly | rolling_12m | annual
    better: str = "down"  # which direction the governments read as progress
    default_geo: str = "US"
    geo_kind: str = "national"  # national | us_states | mx_states
    has_predicted: bool = False
    zero_fill: bool = False  # a missing combination in a covered month means zero
    caveats: Text = field(default_factory=dict)
    status: str = "available"  # available | planned (source not loaded yet)
    # Read-time transforms of the summed series: None | daily_average | per_100k | share
    # (share: percent of the series that also matches ``share_of``).
    transform: str | None = None
    share_of: dict[str, str] = field(default_factory=dict)
    value_labels: dict[str, Text] = field(default_factory=dict)  # breakdown values → EN/ES labels
    # The verification's scale: log for positive flows (weights, counts over about 100 a month:
    # changes are proportional, effects read in %), count for counts below that (quasi-Poisson),
    # linear otherwise (12-month totals, shares).
    model_scale: str = "linear"
    # Control series for the verification's control-series check: series the commitments should
    # not move. Each {"id", "label": {"en", "es"}, "filters"} reads this indicator's base with those
    # filters, or another indicator's ("indicator") with them.
    donors: tuple[dict, ...] = ()
    # Context series read beside this one (the displacement check): indicators whose change over the
    # same months a reader needs before reading a fall of this one (homicides recorded as other
    # crimes against life). Shown and noted, never deciding the verdict.
    context: tuple[str, ...] = ()

    @property
    def publication_lag_months(self) -> int | None:
        """Months from the end of a data month to its publication: the source's, declared once in its
        origin file. None for a planned indicator whose source has no origin file yet."""
        try:
            return load_origin(self.source_id)["publication_lag_months"]
        except FileNotFoundError:
            if self.status == "planned":
                return None
            raise

    @property
    def takes_per_100k(self) -> bool:
        """Whether a rate per 100,000 people of it means something: monthly or 12-month counts (or
        quantities) as published and summed. Not yearly figures, nor what a transform already made
        an average per day, a share or a rate, nor a percentage."""
        return (self.semantics in ("monthly", "rolling_12m") and self.transform is None
                and not self.unit.get("en", "").lstrip().startswith("%"))

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "source_id": self.source_id,
            "name": self.name,
            "unit": self.unit,
            "description": self.description,
            "semantics": self.semantics,
            "better": self.better,
            "default_geo": self.default_geo,
            "geo_kind": self.geo_kind,
            "breakdown": self.breakdown,
            "has_predicted": self.has_predicted,
            "publication_lag_months": self.publication_lag_months,
            "caveats": self.caveats,
            "status": self.status,
            "transform": self.transform,
            "model_scale": self.model_scale,
        }


def _where(path: list, document: dict) -> str:
    """A schema error's place in a definition file, naming the indicator when there is one."""
    parts = [str(part) for part in path]
    if len(path) >= 2 and path[0] == "indicators" and isinstance(path[1], int):
        item = document["indicators"][path[1]]
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            parts[1] += f" ({item['id']})"
    return "/".join(parts) or "(top)"


def _validator() -> jsonschema.Draft202012Validator:
    """The definitions' schema (itself checked by the tests, not at every start)."""
    return jsonschema.Draft202012Validator(json.loads((ORIGINS_DIR / SCHEMA_NAME).read_text(encoding="utf-8")))


def read_definitions(path: Path, validator: jsonschema.Draft202012Validator | None = None) -> list[Indicator]:
    """The indicators of one ``<source>.meta.yaml``, in file order: validated against the schema, each
    with the file's defaults under its own fields. A broken file is a one-line DefinitionError naming the
    file and the field."""
    source_id = path.name.removesuffix(DEFINITIONS_SUFFIX)
    with open(path, encoding="utf-8") as handle:
        try:
            document = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f" line {mark.line + 1}" if mark else ""
            problem = getattr(exc, "problem", None) or type(exc).__name__
            raise DefinitionError(f"{path.name}:{line}: {problem}") from None
    errors = sorted((validator or _validator()).iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        raise DefinitionError(f"{path.name}: {_where(list(errors[0].absolute_path), document)}: "
                              f"{errors[0].message}")
    defaults = document.get("defaults", {})
    indicators = []
    for n, item in enumerate(document["indicators"]):
        fields = {**defaults, **item}
        for name in REQUIRED_AFTER_DEFAULTS:
            if name not in fields:
                raise DefinitionError(f"{path.name}: indicators/{n} ({item['id']}): {name!r} is a required "
                                      "property (here or in defaults)")
        for name in ("donors", "context"):
            if name in fields:
                fields[name] = tuple(fields[name])
        indicators.append(Indicator(source_id=source_id, **fields))
    return indicators


def load_indicators(directory: Path = ORIGINS_DIR, order: tuple[str, ...] = SOURCE_ORDER) -> dict[str, Indicator]:
    """Every indicator of the definition files in ``directory``, sources in ``order``: ids unique, and
    every indicator a control or context series names defined."""
    found = {path.name.removesuffix(DEFINITIONS_SUFFIX) for path in directory.glob(f"*{DEFINITIONS_SUFFIX}")}
    if found != set(order):
        unlisted, missing = sorted(found - set(order)), sorted(set(order) - found)
        raise DefinitionError(f"{directory.name}: definition files not listed in the registry's SOURCE_ORDER "
                              f"{unlisted} or listed without a file {missing}")
    validator = _validator()
    indicators: dict[str, Indicator] = {}
    for source_id in order:
        path = directory / f"{source_id}{DEFINITIONS_SUFFIX}"
        for spec in read_definitions(path, validator):
            if spec.id in indicators:
                raise DefinitionError(f"{path.name}: {spec.id}: id already defined by "
                                      f"{indicators[spec.id].source_id}{DEFINITIONS_SUFFIX}")
            indicators[spec.id] = spec
    for spec in indicators.values():
        named = [*spec.context, *(d["indicator"] for d in spec.donors if "indicator" in d)]
        unknown = [i for i in named if i not in indicators]
        if unknown:
            raise DefinitionError(f"{spec.source_id}{DEFINITIONS_SUFFIX}: {spec.id}: context or donors name "
                                  f"unknown indicator(s) {', '.join(unknown)}")
    log.debug("read %d indicator definitions from %d files", len(indicators), len(order))
    return indicators


INDICATORS: dict[str, Indicator] = load_indicators()


class UnknownIndicator(KeyError):
    pass


def get_indicator(indicator_id: str) -> Indicator:
    try:
        return INDICATORS[indicator_id]
    except KeyError:
        raise UnknownIndicator(indicator_id) from None


def donor_specs(spec: Indicator) -> list[tuple[dict, Indicator]]:
    """Each control series of ``spec`` with the indicator that reads it (no breakdown)."""
    specs = []
    for donor in spec.donors:
        base = INDICATORS[donor["indicator"]] if donor.get("indicator") else spec
        specs.append((donor, replace(base, id=f"{spec.id}:{donor['id']}", filters={**base.filters,
                                     **donor.get("filters", {})}, breakdown=None, donors=())))
    return specs


def available_indicators() -> list[Indicator]:
    return [i for i in INDICATORS.values() if i.status == "available"]


def registry_problems(indicators: dict[str, Indicator] | None = None) -> list[str]:
    """What is wrong between the registry and the series the sources declare (origin YAML):
    a ``base`` no source outputs, a filter or breakdown on an undeclared dimension, a
    level-counted series read without choosing every level. Empty when all is well."""
    problems = []
    chosen = indicators or INDICATORS
    for spec in [*chosen.values(), *(d for s in chosen.values() if s.status == "available" for _, d in donor_specs(s))]:
        if spec.status != "available":
            continue
        try:
            outputs = declared_outputs(load_origin(spec.source_id))
        except FileNotFoundError:
            problems.append(f"{spec.id}: source {spec.source_id!r} has no origin file")
            continue
        output = outputs.get(spec.base or "")
        if output is None:
            problems.append(f"{spec.id}: base {spec.base!r} is not an output of {spec.source_id} "
                            f"({', '.join(sorted(outputs))})")
            continue
        used = {*spec.filters, *spec.share_of, *([spec.breakdown] if spec.breakdown else [])}
        unknown = used - set(output["dimensions"])
        if unknown:
            problems.append(f"{spec.id}: dimension(s) {', '.join(sorted(unknown))} not declared by {spec.base}")
        if output["aggregation"] == "levels" and set(spec.filters) != set(output["dimensions"]):
            problems.append(f"{spec.id}: {spec.base} counts distinct events per level; filter every one of "
                            f"{', '.join(output['dimensions'])}")
        if output["aggregation"] == "figures" and spec.semantics != "annual":
            problems.append(f"{spec.id}: {spec.base} holds published figures; read them with semantics='annual'")
    return problems
