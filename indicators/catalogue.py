"""The reference data the dashboard shows beside the numbers, from the ETL's own definitions: each
source's origin record (producer, citation, licence, cadence), the sources in their order,
geography names, the timeline's event types and confidence levels, and which addresses are
official texts.

With :mod:`indicators.service` (the store's reads) this is the dashboard's one way into ``etl``: a
contract in the lint step (``.importlinter``) forbids ``dashboard`` from importing ``etl`` at all.
"""

from __future__ import annotations

from etl.common import load_origin
from etl.conapo_population import SOURCE_ID as POPULATION_SOURCE
from etl.geography import geo_name
from etl.sources import SOURCES
from etl.timeline import CONFIDENCE, EVENT_TYPES, is_primary

__all__ = ["CONFIDENCE", "EVENT_TYPES", "POPULATION_SOURCE", "SOURCE_IDS", "geo_name", "is_primary", "load_origin"]

SOURCE_IDS: tuple[str, ...] = tuple(SOURCES)  # every source the ETL loads, in its order
