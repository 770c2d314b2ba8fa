"""The address links in permalinks and exports start with: ``VERIFICA_PUBLIC_URL`` when it is set,
else the request's own address (only an allowed host reaches the app: ``callback_guard``)."""

from __future__ import annotations

import flask

import settings


def base_url() -> str:
    return settings.get().public_url or flask.request.host_url


def operator_hint(source_id: str) -> str:
    """The command that fetches a late source's newest release (for operators, never readers)."""
    return f"python -m etl refresh {source_id}"
