"""A digest of the code and the definitions every served result is computed with.

Cached reads (in a process, or shared between processes in Redis) and stored derived results
carry it in their key, so after a deploy that changes the engine, an indicator definition, an
origin file, a regime marker or the wording, nothing computed by the previous code is served.
It is the content of the files (never their dates), so every process and machine running the same
checkout agrees on it.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# The code (Python packages) and the definitions it reads as data. The curated timeline is not
# here: the store keeps its own digest, which the keys carry as the timeline's version.
PARTS = ("etl/**/*.py", "indicators/**/*.py", "dashboard/**/*.py", "etl/origins/*", "data/regimes.yaml")


def files() -> list[Path]:
    found = {path for pattern in PARTS for path in PROJECT_ROOT.glob(pattern) if path.is_file()}
    return sorted(found, key=lambda path: path.relative_to(PROJECT_ROOT).as_posix())


@lru_cache(maxsize=1)
def code_digest() -> str:
    """sha256 over each file's path and content (PARTS), first 16 hex digits; computed once."""
    digest = hashlib.sha256()
    for path in files():
        digest.update(path.relative_to(PROJECT_ROOT).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]
