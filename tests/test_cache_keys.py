"""One recipe for every cached read and stored result: the key carries the digest of the code and
definitions, so after a deploy nothing computed by the previous code is served, from an
in-process cache, a shared one, or the store."""

from __future__ import annotations

import ast
from pathlib import Path

from indicators import digest
from tests.helpers import PROJECT_ROOT


def test_the_digest_covers_the_code_and_the_definitions_and_follows_their_content(tmp_path, monkeypatch):
    names = {path.relative_to(PROJECT_ROOT).as_posix() for path in digest.files()}
    for must in ("indicators/registry.py", "indicators/verification.py", "dashboard/i18n.py", "data/regimes.yaml"):
        assert must in names
    assert any(name.startswith("etl/origins/") and name.endswith(".yaml") for name in names)
    assert not any(name.startswith(("tests/", "bench/", "data/snapshot/")) for name in names)

    # The same content anywhere gives the same digest; one changed byte another.
    for name in names:
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((PROJECT_ROOT / name).read_bytes())
    monkeypatch.setattr(digest, "PROJECT_ROOT", tmp_path)
    digest.code_digest.cache_clear()
    copied = digest.code_digest()
    (tmp_path / "data/regimes.yaml").write_text((tmp_path / "data/regimes.yaml").read_text() + "\n# edited\n")
    digest.code_digest.cache_clear()
    edited = digest.code_digest()
    monkeypatch.undo()
    digest.code_digest.cache_clear()
    assert copied == digest.code_digest() != edited


def test_every_cached_read_goes_through_the_one_recipe():
    """No module of the dashboard builds a cache key or calls the cache itself but ``cached``."""
    offenders = []
    for path in sorted((PROJECT_ROOT / "dashboard").rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name == "cached" and path.name == "queries.py":
                continue
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("get", "set") and isinstance(node.func.value, ast.Name | ast.Attribute)
                    and getattr(node.func.value, "attr", getattr(node.func.value, "id", "")) == "cache"):
                inside = _enclosing(tree, node)
                if not (path.name == "queries.py" and inside == "cached") and path.name != "response_cache.py":
                    offenders.append(f"{Path(path).relative_to(PROJECT_ROOT)}:{node.lineno} in {inside}")
    assert not offenders, offenders
    # The answer cache stores whole responses itself (compressed), under a key of the same recipe.
    assert "queries.cache_key(" in (PROJECT_ROOT / "dashboard" / "response_cache.py").read_text()


def _enclosing(tree: ast.AST, target: ast.AST) -> str:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and any(child is target for child in ast.walk(node)):
            return node.name
    return "<module>"


def test_a_code_change_moves_every_key(snapshot_app, monkeypatch):
    from dashboard import queries
    from etl.store import read_events
    from indicators import precompute

    with snapshot_app.server.test_request_context("/"):
        before = (queries.cache_key("series", "x", sources=("cdc_vsrr",)), queries.cache_key("events"))
        engine = queries.engine()
        scorecard = precompute.scorecard_key(engine, read_events(engine))
        monkeypatch.setattr(queries, "code_digest", lambda: "another-code")
        monkeypatch.setattr(precompute, "code_digest", lambda: "another-code")
        after = (queries.cache_key("series", "x", sources=("cdc_vsrr",)), queries.cache_key("events"))
        assert all(a != b for a, b in zip(before, after, strict=True))
        assert precompute.scorecard_key(engine, read_events(engine)) != scorecard
