"""deploy/systemd/: the three units are valid systemd units whose commands exist in this checkout, and
beat (which must be a singleton in the whole service) is one unit, never folded into a worker."""

from __future__ import annotations

import configparser
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
UNITS = BASE_DIR / "deploy" / "systemd"
NAMES = ("reviews-web.service", "reviews-worker.service", "reviews-beat.service")


def installed(tmp_path: Path, text_of: dict[str, str] | None = None) -> list[Path]:
    """The units as an operator installs them, with /srv/reviews this checkout and the environment
    file one of the test's own, so their ExecStart paths can be checked on this machine."""
    (tmp_path / "reviews.env").write_text((BASE_DIR / "deploy" / "reviews.env.example").read_text())
    paths = []
    for name in NAMES:
        text = (text_of or {}).get(name) or (UNITS / name).read_text()
        text = text.replace("/srv/reviews", str(BASE_DIR))
        text = text.replace("/etc/reviews/reviews.env", str(tmp_path / "reviews.env"))
        path = tmp_path / name
        path.write_text(text)
        paths.append(path)
    return paths


def exec_start(name: str) -> list[str]:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.read_string((UNITS / name).read_text().replace("\\\n", " "))
    return shlex.split(parser["Service"]["ExecStart"])


def verify(paths: list[Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["systemd-analyze", "verify", *map(str, paths)], capture_output=True, text=True, timeout=60)


needs_systemd_analyze = pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed (the unit files are parsed below)"
)


@needs_systemd_analyze
def test_systemd_analyze_verifies_the_units(tmp_path):
    result = verify(installed(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr.strip() == "", result.stderr


@needs_systemd_analyze
def test_systemd_analyze_refuses_a_unit_whose_command_is_missing(tmp_path):
    """The check above can fail: a unit naming a program that is not there is refused."""
    broken = (UNITS / "reviews-web.service").read_text().replace(".venv/bin/gunicorn", ".venv/bin/no-such-gunicorn")
    result = verify(installed(tmp_path, {"reviews-web.service": broken}))
    assert result.returncode != 0
    assert "no-such-gunicorn" in result.stderr


def test_every_unit_runs_a_program_of_this_checkout_on_the_production_settings():
    for name in NAMES:
        command = exec_start(name)
        program = Path(command[0].replace("/srv/reviews", str(BASE_DIR)))
        assert command[0].startswith("/srv/reviews/.venv/bin/"), name
        assert program.exists(), f"{name}: {program} is missing"
        text = (UNITS / name).read_text()
        assert "EnvironmentFile=/etc/reviews/reviews.env" in text, name
        assert "User=reviews" in text, name
    assert exec_start("reviews-web.service")[1] == "project.wsgi:application"
    # The web unit binds where nginx's upstream points.
    assert "WEB_BIND=127.0.0.1:8000" in (BASE_DIR / "deploy" / "reviews.env.example").read_text()
    assert "server 127.0.0.1:8000;" in (BASE_DIR / "deploy" / "nginx" / "reviews.conf").read_text()


def test_beat_is_one_unit_of_its_own_and_no_worker_runs_it():
    runs_beat = []
    for path in sorted(UNITS.glob("*.service")):
        command = exec_start(path.name)
        if "beat" in command or "--beat" in command or "-B" in command:
            runs_beat.append(path.name)
    assert runs_beat == ["reviews-beat.service"]
    beat = exec_start("reviews-beat.service")
    # The schedule is in the database, so a beat restarted on another machine carries on.
    assert "django_celery_beat.schedulers:DatabaseScheduler" in beat
    worker = exec_start("reviews-worker.service")
    assert worker[1:4] == ["-A", "project", "worker"]
    # Warm shutdown must be allowed to outlast the hard time limit before systemd kills the worker.
    lines = (UNITS / "reviews-worker.service").read_text().splitlines()
    stop = next(line for line in lines if line.startswith("TimeoutStopSec="))
    assert int(stop.split("=")[1]) > settings.CELERY_TASK_TIME_LIMIT
