"""The security cabinet's stated results (arrests, arms, drugs and fentanyl seized, labs), mostly
cumulative since 2024-10-01, as stated in public; see ``etl/official_claims.py``. Curated, no
live endpoint: new statements are added by hand and imported.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from etl import official_claims
from etl.store import VintageRecord

SOURCE_ID = "claims_security_results"
RAW_SUBDIR = official_claims.RAW_SUBDIR


def raw_files(raw_dir: Path) -> list[Path]:
    return sorted((raw_dir / RAW_SUBDIR).glob("mexico_aseguramientos_cifras_oficiales_reportadas.csv"))


def build_record(content: bytes, file_name: str, *, url: str | None = None,
                 published: tuple[dt.date, str] | None = None) -> VintageRecord:
    return official_claims.build_record(SOURCE_ID, content, file_name, url=url, published=published)


def record_from_file(path: Path) -> VintageRecord:
    return build_record(path.read_bytes(), path.name)
