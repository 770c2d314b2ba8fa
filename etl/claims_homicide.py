"""Official homicide figures (SESNSP daily averages, INEGI registered deaths) as stated in public;
see ``etl/official_claims.py``. Curated, no live endpoint: new statements are added by hand and
imported (``python -m etl import claims_homicide FILE``).
"""

from __future__ import annotations

from functools import partial

from etl import official_claims
from etl.source import FileSource

SOURCE_ID = "claims_homicide"
SOURCE = FileSource(SOURCE_ID, f"{official_claims.RAW_SUBDIR}/homicidio_cifras_oficiales_reportadas.csv",
                    partial(official_claims.parse, indicator=SOURCE_ID), official_claims.published_on,
                    dated_by=official_claims.DATED_BY)
raw_files, build_record, record_from_file = SOURCE.raw_files, SOURCE.build_record, SOURCE.record_from_file
build_records, records_from_file = SOURCE.build_records, SOURCE.records_from_file
