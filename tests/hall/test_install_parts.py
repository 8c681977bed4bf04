"""Installable by part: `pip install hall[led]` alone in a fresh venv, as on an LED controller, runs `hall led`
against a real broker and service with neither Kivy nor the web stack there. One venv for the module (about
a minute with pip's cache); the build runs on a copy of the sources, so it writes nothing into the checkout."""

from __future__ import annotations

import ast
import importlib.metadata
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from content.broker.local import Mosquitto
from hall.parts import NEEDS, Part
from tests.conftest import CENTRE, REPO, WAIT_S

SOURCES = ("setup.py", "pyproject.toml", "README.md", "LICENSE", "hall", "content", "kiosk", "led_driver")
"""What the distribution is built from (setup.py reads the README)."""
NOT_ON_A_DISPLAY = ("kivy", "flask", "waitress", "werkzeug", "watchfiles", "argon2", "chinese_calendar", "pypinyin")
ON_A_DISPLAY = ("PIL", "paho", "yaml", "pydantic")
INSTALL_S = 600


def _run(argv: list[str], cwd: Path, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    # Nothing of the checkout's environment: the installed `hall` alone, from a directory outside the checkout.
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "VIRTUAL_ENV"))}
    return subprocess.run(argv, cwd=cwd, env={**env, **kwargs.pop("env", {})}, capture_output=True, text=True, **kwargs)


@pytest.fixture(scope="module")
def led_install(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with `hall[led]` installed from a copy of this checkout; its bin directory."""
    work = tmp_path_factory.mktemp("led-part")
    source = work / "source"
    for name in SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            source.mkdir(exist_ok=True)
            shutil.copy2(REPO / name, source / name)
    venv = work / "venv"
    made = _run([sys.executable, "-m", "venv", str(venv)], work, timeout=INSTALL_S)
    assert made.returncode == 0, made.stderr
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    installed = _run([*pip, f"{source}[led]"], work, timeout=INSTALL_S)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return venv / "bin"


@pytest.mark.timeout(INSTALL_S + 60)
def test_the_led_part_has_no_kivy_and_no_web_stack(led_install: Path) -> None:
    names = ", ".join(repr(name) for name in (*NOT_ON_A_DISPLAY, *ON_A_DISPLAY))
    script = f"import importlib.util as u; print(' '.join(n for n in ({names}) if u.find_spec(n)))"
    found = _run([str(led_install / "python"), "-c", script], led_install.parent, timeout=WAIT_S)
    assert found.returncode == 0, found.stderr
    assert sorted(found.stdout.split()) == sorted(ON_A_DISPLAY)


@pytest.mark.timeout(INSTALL_S + 60)
def test_hall_helps_and_names_the_extra_a_missing_part_needs(led_install: Path, tmp_path: Path) -> None:
    hall = str(led_install / "hall")
    for argv in ([hall, "--help"], [hall, "led", "--help"], [hall, "kiosk", "--help"], [hall, "serve", "--help"]):
        shown = _run(argv, tmp_path, timeout=WAIT_S)
        assert shown.returncode == 0 and "用法：hall" in shown.stdout, shown.stderr
    # A profile alone is checked on the display itself.
    checked = _run([hall, "check", "window-192x64"], tmp_path, timeout=WAIT_S)
    assert checked.returncode == 0 and "window-192x64：检查通过" in checked.stdout, checked.stdout + checked.stderr

    serve = _run(
        [hall, "serve", "--content", str(tmp_path), "--broker", "mqtt://127.0.0.1:9"], tmp_path, timeout=WAIT_S
    )
    assert serve.returncode == 1
    assert "hall serve：本机没有安装服务端" in serve.stderr and "pip install 'hall[service]'" in serve.stderr, (
        serve.stderr
    )
    kiosk = _run([hall, "kiosk", "--broker", "mqtt://127.0.0.1:9", "--centre", CENTRE], tmp_path, timeout=WAIT_S)
    assert kiosk.returncode == 1 and "pip install 'hall[kiosk]'" in kiosk.stderr, kiosk.stderr
    users = _run([hall, "user", "list"], tmp_path, timeout=WAIT_S)
    assert users.returncode == 1 and "pip install 'hall[service]'" in users.stderr, users.stderr


@pytest.mark.broker
@pytest.mark.timeout(INSTALL_S + 60)
def test_hall_led_from_the_led_part_draws_the_hall(
    led_install: Path, sample_dir: Path, broker: Mosquitto, start_service: Callable[..., Any], tmp_path: Path
) -> None:
    start_service(sample_dir)
    frames = tmp_path / "frames"
    argv = [str(led_install / "hall"), "led", "--display", "window-192x64", "--window", "zonghe"]
    argv += ["--output", f"png:{frames}", "--frames", "3", "--cache", str(tmp_path / "cache")]
    env = {"HALL_BROKER": broker.url("led-wall"), "HALL_CENTRE": CENTRE}
    done = _run(argv, tmp_path, env=env, timeout=WAIT_S * 4)
    assert done.returncode == 0, done.stderr
    pictures = sorted(frames.glob("*.png"))
    assert len(pictures) == 3
    with Image.open(pictures[-1]) as last:
        assert last.size == (192, 64)
        assert len(last.convert("RGB").getcolors(maxcolors=1 << 16) or ()) > 1, "a blank frame"


def _extras() -> dict[Part, list[str]]:
    """setup.py's part lists (LED, KIOSK, SERVICE), read without running setup()."""
    tree = ast.parse((REPO / "setup.py").read_text(encoding="utf-8"))
    lists = {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) and node.targets[0].id.isupper()
    }
    return {"led": lists["LED"], "kiosk": lists["KIOSK"], "service": lists["SERVICE"]}


def test_each_part_names_the_modules_of_its_extra() -> None:
    """hall.parts asks for the modules that setup.py's extra installs, no more, no fewer."""
    provides = importlib.metadata.packages_distributions()
    for part, requirements in _extras().items():
        wanted = {requirement.split(">")[0].split("<")[0].split("=")[0].lower() for requirement in requirements}
        asked = {dist.lower() for module in NEEDS[part] for dist in provides.get(module, [])}
        assert asked == wanted, part
