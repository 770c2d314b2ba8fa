"""The deployment files are whole and consistent: each timer has its service, each unit runs a
command the project has, the cron file names its user, the install script is valid bash."""

from __future__ import annotations

import configparser
import shlex
import subprocess
from pathlib import Path

import pytest

from etl.__main__ import _parser

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
UNITS = sorted(DEPLOY.glob("verifica-*.service"))


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(path)
    return parser


def test_every_timer_has_its_service():
    for timer in DEPLOY.glob("*.timer"):
        assert timer.with_suffix(".service").is_file(), timer.name


@pytest.mark.parametrize("path", UNITS, ids=[p.name for p in UNITS])
def test_every_unit_runs_a_command_the_project_has(path):
    service = unit(path)["Service"]
    assert service["User"] == "verifica" and service["EnvironmentFile"] == "/etc/verifica/env"
    words = shlex.split(service["ExecStart"])
    program = Path(words[0]).name
    assert words[0].startswith("/srv/verifica/.venv/bin/"), words[0]
    if program == "python":
        assert words[1:3] == ["-m", "etl"]
        _parser().parse_args(words[3:])  # accepted as written
    else:
        assert program == "gunicorn" and words[-1] == "app:server"


def test_the_install_script_installs_every_unit_and_is_valid_bash():
    script = (DEPLOY / "install.sh").read_text()
    subprocess.run(["bash", "-n", str(DEPLOY / "install.sh")], check=True)
    assert "deploy/verifica-*.service" in script and "deploy/verifica-*.timer" in script
    for name in ("verifica-web.service", "verifica-refresh.timer", "verifica-health.timer"):
        assert name in script and (DEPLOY / name).is_file(), name
    assert "etl prepare" in script


def test_the_cron_file_names_its_user_and_runs_project_commands():
    jobs = [line for line in (DEPLOY / "verifica.cron").read_text().splitlines()
            if line and not line.startswith("#") and "=" not in line.split()[0]]
    assert jobs
    for line in jobs:
        fields = line.split(None, 6)
        assert fields[5] == "verifica", line
        assert ".venv/bin/python -m etl " in fields[6] and "logger" in fields[6], line
