"""The README as a new user reads it: every command in it works as written (from the project
folder, with the interpreter the quick start installs), every CLI command and every setting is
documented, and the settings table matches the one module that reads the environment."""

from __future__ import annotations

import argparse
import importlib.util
import re
import shlex
from pathlib import Path

import pytest

import settings
from etl.__main__ import _parser, main

PROJECT_ROOT = Path(__file__).resolve().parent.parent
README = (PROJECT_ROOT / "README.md").read_text()
# Placeholders the README uses for what the reader supplies.
PLACEHOLDERS = {"FILE.csv": "FILE.csv", "VINTAGE": "1"}


def code_commands() -> list[str]:
    """Every command line of the README's bash blocks, comments stripped, env prefixes kept."""
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", README, flags=re.S):
        for line in block.splitlines():
            line = line.split("  #", 1)[0].strip()
            if line and not line.startswith("#"):
                commands.append(line)
    return commands


def subcommands() -> list[str]:
    [action] = [a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return sorted(action.choices)


def test_the_quick_start_is_two_commands_and_both_scripts_exist():
    quick = README.split("## Quick start", 1)[1].split("##", 1)[0]
    [block] = re.findall(r"```bash\n(.*?)```", quick, flags=re.S)
    lines = [line.split("#", 1)[0].strip() for line in block.splitlines() if line.strip()]
    assert lines == ["bash scripts/run-dashboard", "bash scripts/run-tests"]
    assert "bash scripts/run-tests" in (PROJECT_ROOT / ".ci" / "run").read_text()


@pytest.mark.parametrize("command", code_commands())
def test_every_command_in_the_readme_works_as_written(command, tmp_path):
    words = [PLACEHOLDERS.get(w, w) for w in shlex.split(command)]
    while words and re.fullmatch(r"[A-Z_]+=\S*", words[0]):  # VAR=value prefixes
        assert words[0].split("=")[0] in settings.VARIABLES, words[0]
        words = words[1:]
    program = words[0]
    if program == "bash":
        assert (PROJECT_ROOT / words[1]).is_file(), command
    elif program == ".venv/bin/pip":
        for i, word in enumerate(words):
            if word in ("-r", "-c"):
                assert (PROJECT_ROOT / words[i + 1]).is_file(), command
    elif program == ".venv/bin/python" and words[1:3] == ["-m", "etl"]:
        args = _parser().parse_args(words[3:])  # accepted as written (SystemExit fails the test)
        if args.command in ("status", "migrate"):  # the harmless ones run for real
            target = ["--database-url", f"sqlite:///{tmp_path}/x.db"]
            assert main(["migrate", *target]) == 0
            # status on a store nobody filled: it runs, and says the store is not ready (exit 1)
            assert main([*words[3:], *target]) == (1 if args.command == "status" else 0)
    elif program == ".venv/bin/python" and words[1] == "-m":
        assert importlib.util.find_spec(words[2]) is not None, command
    elif program == ".venv/bin/gunicorn":
        assert words[-1] == "app:server" and (PROJECT_ROOT / "app.py").is_file()
    else:
        pytest.fail(f"the README runs {program!r}: use the project's .venv/bin/ interpreter or a script")


def test_every_cli_command_is_in_the_readme():
    for name in subcommands():
        assert f".venv/bin/python -m etl {name}" in README, name


def test_no_command_in_the_readme_needs_an_activated_venv():
    inline = re.findall(r"`((?:python|gunicorn|pip)\b[^`]*)`", README)
    assert inline == [], inline


def test_the_settings_table_matches_the_settings_module():
    table = dict(re.findall(r"^\| `([A-Z_]+)` \| (.*?) \|", README, flags=re.M))
    assert set(table) >= set(settings.VARIABLES)
    for name, (default, _what) in settings.VARIABLES.items():
        assert table[name] == (f"`{default}`" if default else "(unset)"), name


def test_a_bad_setting_is_a_clear_error():
    with pytest.raises(settings.SettingsError, match="PORT='80a' is not a port number"):
        settings.get({"PORT": "80a"})
    with pytest.raises(settings.SettingsError, match="VERIFICA_MIRROR"):
        settings.get({"VERIFICA_MIRROR": "mirror.example"})
    assert settings.get({}).database_url.startswith("sqlite:///")
    assert settings.get({"VERIFICA_AFTER_PUBLISH": ""}).after_publish == ()


def test_the_readme_explains_every_explorer_parameter():
    from dashboard.state import PARAMS

    table = README[README.index("| Parameter | Meaning |"):]
    table = table[: table.index("\n\n")]
    for name in PARAMS:
        assert f"`{name}`" in table, name


def test_the_sources_table_states_the_releases_and_coverage_of_the_snapshot():
    """'(N releases, Oct 2018 – Apr 2026)' in the Sources loaded table is what the committed
    snapshot holds: a new release that is committed without the README fails here."""
    import datetime as dt

    from etl import snapshot

    vintages = snapshot.read_manifest()["vintages"]
    table = README.split("### Sources loaded", 1)[1].split("\n\n", 2)[1]
    months = {name: number for number, name in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1)}

    def month(name: str, year: str) -> dt.date:
        return dt.date(int(year), months[name], 1)

    checked = set()
    for source_id, files in re.findall(r"^\| `([a-z_]+)` \| (.*?) \|", table, flags=re.M):
        own = [v for v in vintages if v["source_id"] == source_id]
        first = min((dt.date.fromisoformat(v["period_start"]) for v in own), default=None)
        last = max((dt.date.fromisoformat(v["period_end"]) for v in own), default=None)
        if count := re.search(r"\((\d+) releases?\b", files):
            assert int(count.group(1)) == len(own), (source_id, files)
            checked.add(source_id)
        if start := re.search(r"\b([A-Z][a-z]{2}) (\d{4}) –", files):
            assert month(*start.groups()) == first, (source_id, files)
        if end := re.search(r"(?:–|\bto) ([A-Z][a-z]{2}) (\d{4})\)", files):
            assert month(*end.groups()) == last, (source_id, files)
    assert "cbp_drug_seizures" in checked
