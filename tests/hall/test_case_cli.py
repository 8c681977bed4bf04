"""`hall case` as a clerk runs it against the real service on a real Mosquitto: what it lists."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from content.broker.local import Mosquitto
from hall.cli import main
from tests.conftest import CENTRE, RunningService

DIBAO = "minzheng-dibao"


@pytest.fixture
def hall(
    sample_dir: Path,
    broker: Mosquitto,
    start_service: Callable[..., RunningService],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Iterator[Callable[..., str]]:
    """`hall ARGS…` in this process against the sample centre's service; its stdout (the run must succeed)."""
    start_service(sample_dir)
    monkeypatch.setenv("HALL_BROKER", broker.url("staff"))
    monkeypatch.setenv("HALL_CENTRE", CENTRE)

    def run(*argv: str) -> str:
        capsys.readouterr()
        code = main(list(argv))
        said = capsys.readouterr()
        assert code == 0, (argv, said.err)
        return said.out

    yield run


def _ready_case(hall: Callable[..., str]) -> str:
    """A case handed in at the township, decided at the district and back at the township's window."""
    number = hall("case", "open", "--item", DIBAO, "--at", "township", "--window", "zonghe").splitlines()[-1]
    for argv in (("prereview",), ("accepted",), ("sent", "--to", "district"), ("decided",)):
        hall("case", "advance", number, *argv)
    hall("case", "advance", number, "returned", "--to", "township")
    hall("case", "advance", number, "ready")
    return number


def test_list_by_stage_ready_lists_the_cases_ready_for_pickup(hall: Callable[..., str]) -> None:
    ready = {_ready_case(hall), _ready_case(hall)}
    still_open = hall("case", "open", "--item", DIBAO, "--at", "township", "--window", "zonghe").splitlines()[-1]
    for stage in ("ready", "待取件"):
        out = hall("case", "list", "--stage", stage)
        listed = {line.split()[0] for line in out.splitlines()[1:-1]}
        assert listed == ready, out
        assert out.rstrip().endswith("共 2 件"), out
    out = hall("case", "list")  # without a stage: the cases still running, as before
    assert still_open in out and not any(number in out for number in ready), out
