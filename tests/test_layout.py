"""The import contract (pyproject.toml, run by scripts/check) keeps up with the layout it guards."""

from __future__ import annotations

import pkgutil
import tomllib
from typing import Any

import content
from tests.conftest import REPO


def _contracts() -> list[dict[str, Any]]:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    contracts: list[dict[str, Any]] = config["tool"]["importlinter"]["contracts"]
    return contracts


def _subpackages() -> set[str]:
    return {f"content.{m.name}" for m in pkgutil.iter_modules(content.__path__) if m.ispkg}


def test_devices_are_forbidden_every_subpackage_of_content_but_the_shared_layer() -> None:
    # The layers contract is exhaustive, so a new subpackage must take a place there; this is the
    # other half: it must also be kept from the devices unless it joins the shared layer.
    (layers,) = [c for c in _contracts() if c["type"] == "layers" and c.get("containers") == ["content"]]
    assert layers["exhaustive"] is True
    (devices,) = [
        c for c in _contracts() if c["type"] == "forbidden" and set(c["source_modules"]) == {"kiosk", "led_driver"}
    ]
    assert set(devices["forbidden_modules"]) == _subpackages() - {"content.shared"}
