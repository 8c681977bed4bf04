from __future__ import annotations

from content.centre.schema import Limits
from content.centre.validate import check_limits


def test_limits_rules() -> None:
    assert check_limits(Limits(legal=20, promised=8, proxy=13), instant=False) == []
    assert check_limits(Limits(legal=0, promised=0, proxy=2), instant=True) == []
    assert [f for f, _ in check_limits(Limits(legal=5, promised=8), instant=False)] == ["promised"]
    assert [f for f, _ in check_limits(Limits(legal=20, promised=0), instant=False)] == ["promised"]
    assert [f for f, _ in check_limits(Limits(legal=20, promised=3), instant=True)] == ["promised"]
    assert [f for f, _ in check_limits(Limits(legal=20, promised=8, proxy=5), instant=False)] == ["proxy"]
