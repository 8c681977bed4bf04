"""What the service's tests expect of a refusal: its stable code (the sentence may be reworded)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from content.shared.client import CommandFailed


@contextmanager
def refused(code: str) -> Iterator[pytest.ExceptionInfo[CommandFailed]]:
    """The command in the block is refused with `code`; the caught refusal, to check its sentence."""
    with pytest.raises(CommandFailed) as caught:
        yield caught
    assert caught.value.code == code, caught.value
