"""The registry of sources: one module per source, each with the same skeleton.

Every source module offers ``raw_files(raw_dir)``, ``record_from_file(path)`` and
``build_record(content, file_name, ...)``; sources with a public machine endpoint also offer
``fetch_latest(session)``; tables of dated publications (the claims, ATF's figures) also offer
``records_from_file`` and ``build_records``, one record per publication date (``etl.source``).
"""

from __future__ import annotations

from types import ModuleType

from etl import (
    atf_mexico_traces,
    cbp_amo_drug_seizures,
    cbp_drug_seizures,
    cbp_encounters,
    cbp_weapons_seizures,
    cdc_vsrr,
    cdc_wonder,
    claims_homicide,
    claims_security_results,
    conapo_population,
    sesnsp_homicides,
    sesnsp_rnid,
)

SOURCES: dict[str, ModuleType] = {
    module.SOURCE_ID: module
    for module in (cbp_drug_seizures, cbp_amo_drug_seizures, cbp_weapons_seizures, cbp_encounters, cdc_vsrr,
                   cdc_wonder, sesnsp_homicides, sesnsp_rnid, conapo_population, atf_mexico_traces, claims_homicide,
                   claims_security_results)
}


def get_source(source_id: str) -> ModuleType:
    try:
        return SOURCES[source_id]
    except KeyError:
        known = ", ".join(sorted(SOURCES))
        raise KeyError(f"unknown source {source_id!r}; known sources: {known}") from None


def live_sources() -> list[str]:
    return [sid for sid, module in SOURCES.items() if hasattr(module, "fetch_latest")]
