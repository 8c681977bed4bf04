"""What may follow what, which tier may act, refusals that say why, masking, numbers and tokens."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from content.cases import rules
from content.cases.calendar import WorkCalendar
from content.cases.rules import CaseRefused, advance, allowed_next, clock, flag, hand_over, open_case

CAL = WorkCalendar()
MON = datetime(2026, 11, 30, 9, 0)
DIBAO_DOCS = ("身份证、户口簿", "低保申请书", "授权书")


def _case(
    at: str = "village", tiers: tuple[str, ...] = ("village", "township", "district"), **kw: object
) -> rules.Case:
    args: dict[str, object] = dict(
        number="WC-261130-0001",
        item_id="minzheng-dibao",
        item_name="最低生活保障申请",
        item_tiers=tiers,
        promised=12,
        proxy=17,
        required=DIBAO_DOCS,
        at=at,
        by="agent-a01",
        now=MON,
        received=DIBAO_DOCS[:2],
        agent="a01",
        applicant="欧阳娜娜",
        phone="138-1234-5678",
    )
    args.update(kw)
    return open_case(**args)  # type: ignore[arg-type]


def _at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 12, day, hour)


def test_a_village_case_goes_up_is_decided_at_the_district_and_comes_back_for_collection() -> None:
    case = _case()
    assert case.stage == "received" and case.holder == "village" and case.deciding_tier == "district"
    assert case.limit_days == 17  # carried up by an agent: the proxy limit
    assert case.missing == ("授权书",)
    # At the village nothing can be accepted: the papers are two tiers below the deciding one.
    assert "accepted" not in allowed_next(case)
    assert set(allowed_next(case)) == {"prereview", "refused", "supplement"}
    assert rules.allowed_hand_overs(case) == ("sent",)
    with pytest.raises(CaseRefused, match=r"next may be: prereview, refused, supplement, or sent \(--to a tier\)"):
        advance(case, "decided", by="agent-a01", now=_at(1))
    case = hand_over(case, "township", by="agent-a01", now=_at(1))
    case = advance(case, "prereview", by="district-desk", now=_at(1, 11))
    assert case.steps[-1].tier == "district"  # the deciding tier pre-reviews online
    case = advance(case, "accepted", by="district-desk", now=_at(1, 12))  # 网上受理 after pre-review
    case = advance(case, "supplement", by="district-desk", now=_at(2), note="请补交授权书")
    assert case.paused and clock(case, CAL).due is None
    case = advance(case, "accepted", by="district-desk", now=_at(3), received=["授权书"])
    assert case.missing == ()
    case = hand_over(case, "district", by="agent-t01", now=_at(4), note="每周集中转报")
    case = advance(case, "reviewing", by="district-desk", now=_at(4, 11))
    case = advance(case, "decided", by="district-desk", now=_at(8))
    with pytest.raises(CaseRefused, match="its result goes down, not up"):
        hand_over(hand_over(case, "township", by="t", now=_at(9)), "district", by="t", now=_at(9))
    assert rules.allowed_hand_overs(case) == ("returned",)
    case = hand_over(case, "township", by="agent-t01", now=_at(9), note="代为取件")
    case = hand_over(case, "village", by="agent-a01", now=_at(10))
    case = advance(case, "ready", by="agent-a01", now=_at(10, 11))
    case = advance(case, "collected", by="agent-a01", now=_at(11))
    assert case.stage == "collected" and allowed_next(case) == ()
    assert [s.kind for s in case.steps].count("sent") == 2
    assert flag(case, CAL, _at(11).date(), 2) == "on_time"


def test_what_may_follow_each_stage() -> None:
    case = _case(at="district", agent=None, window="zonghe")
    assert set(allowed_next(case)) == {"accepted", "refused", "supplement"}  # no pre-review where it decides
    case = advance(case, "accepted", by="w", now=_at(1))
    assert set(allowed_next(case)) == {"reviewing", "decided", "supplement", "special"}
    case = advance(case, "special", by="w", now=_at(2), note="需现场勘验")
    # A pause goes back to what it interrupted, or on to what could have followed that, never to another pause.
    assert set(allowed_next(case)) == {"accepted", "reviewing", "decided"}
    with pytest.raises(CaseRefused, match=r"特别程序 \(special\); next may be: accepted, reviewing, decided"):
        advance(case, "collected", by="w", now=_at(3))
    case = advance(case, "decided", by="w", now=_at(3))
    assert allowed_next(case) == ("ready",)
    with pytest.raises(CaseRefused, match="unknown stage 'done'"):
        advance(case, "done", by="w", now=_at(3))
    with pytest.raises(CaseRefused, match="before the case's last step"):
        advance(case, "ready", by="w", now=_at(2))


def test_which_tier_may_act() -> None:
    township = _case(at="township", agent=None, window="zonghe")
    # Accepting needs the papers at the deciding tier or its pre-review first.
    with pytest.raises(CaseRefused, match="send them up or pre-review online first"):
        advance(township, "accepted", by="w", now=_at(1))
    with pytest.raises(CaseRefused, match="send it no higher"):
        hand_over(_case(tiers=("village", "township")), "district", by="a", now=_at(1))
    with pytest.raises(CaseRefused, match="papers come back down once it is decided"):
        hand_over(hand_over(township, "district", by="t", now=_at(1)), "township", by="t", now=_at(2))
    with pytest.raises(CaseRefused, match="at the township tier already"):
        hand_over(township, "township", by="t", now=_at(1))
    with pytest.raises(CaseRefused, match="unknown tier 'county'"):
        hand_over(township, "county", by="t", now=_at(1))
    # The result goes back no lower than where it was handed in.
    done = advance(advance(hand_over(township, "district", by="t", now=_at(1)), "accepted", by="d", now=_at(1)),
                   "decided", by="d", now=_at(2))  # fmt: skip
    with pytest.raises(CaseRefused, match="handed in at the township tier: return it no lower"):
        hand_over(done, "village", by="t", now=_at(3))
    with pytest.raises(CaseRefused, match="is not handled at the district tier"):
        _case(at="district", tiers=("village", "township"), agent=None)


def test_refusals_need_reason_and_basis_and_supplement_says_what() -> None:
    case = _case(at="district", agent=None, window="zonghe")
    with pytest.raises(CaseRefused, match="needs the reason"):
        advance(case, "refused", by="w", now=_at(1), note="不符合条件")
    refused = advance(case, "refused", by="w", now=_at(1), note="家庭收入超过标准", basis="《社会救助暂行办法》第九条")
    assert refused.steps[-1].basis.startswith("《社会救助")
    assert flag(refused, CAL, _at(2).date(), 2) == ""  # a refusal is not a completion to be counted
    complete = _case(at="district", agent=None, window="zonghe", received=DIBAO_DOCS)
    with pytest.raises(CaseRefused, match=r"supplement \(correction\) needs a note"):
        advance(complete, "supplement", by="w", now=_at(1))
    with pytest.raises(CaseRefused, match="not a required document of this item: '结婚证'"):
        advance(case, "accepted", by="w", now=_at(1), received=["结婚证"])
    with pytest.raises(CaseRefused, match="the note is 501 characters; at most 500"):
        advance(case, "accepted", by="w", now=_at(1), note="字" * 501)


def test_opening_refuses_bad_phones_and_wall_consent_without_an_applicant() -> None:
    with pytest.raises(CaseRefused, match="should be 7 to 15 digits"):
        _case(phone="138abc")
    with pytest.raises(CaseRefused, match="needs the applicant's consent"):
        _case(applicant=None, phone=None, notify=True)
    case = _case()
    assert (case.phone, case.phone_tail, case.masked_phone) == ("13812345678", "5678", "138****5678")


def test_overdue_and_due_soon() -> None:
    case = _case(at="district", agent=None, window="zonghe", promised=3, proxy=None)
    due = clock(case, CAL).due
    assert due == date(2026, 12, 3)
    assert flag(case, CAL, date(2026, 11, 30), soon_days=2) == ""
    assert flag(case, CAL, date(2026, 12, 1), soon_days=2) == "due_soon"
    assert flag(case, CAL, date(2026, 12, 4), soon_days=2) == "overdue"
    late = advance(advance(case, "accepted", by="w", now=_at(1)), "decided", by="w", now=_at(4))
    assert flag(late, CAL, date(2026, 12, 4), 2) == "late"


def test_masking() -> None:
    assert rules.mask_name("张三") == "张*"
    assert rules.mask_name("欧阳娜娜") == "欧***"
    assert rules.mask_name("𠮷") == "*"  # a one-character name would be shown whole
    assert rules.mask_name("𠮷𡋗") == "𠮷*"
    assert rules.mask_name("  ") == ""
    # Characters as a reader counts them: a hanzi with its variation selector (the form a name's
    # register asks for) is one character, so a one-character name is still all stars, never shown.
    assert rules.mask_name("葛\U000e0100") == "*"
    assert rules.mask_name("葛\U000e0100优") == "葛\U000e0100*"
    assert rules.mask_name("Zoe\u0308") == "Z**"
    assert rules.mask_phone("13812341234") == "138****1234"
    assert rules.mask_phone("0816-2731201") == "081****1201"
    assert rules.mask_phone("2731201") == "***1201"


def test_numbers_as_typed_and_their_bounds() -> None:
    assert rules.case_number("WC", date(2026, 12, 3), 7) == "WC-261203-0007"
    with pytest.raises(CaseRefused, match="a day has numbers for 9999"):
        rules.case_number("WC", date(2026, 12, 3), 10_000)
    assert rules.normal_number("wc 261203 0007", "WC") == "WC-261203-0007"
    assert rules.normal_number("2612030007", "WC") == "WC-261203-0007"  # a kiosk's digit keypad
    assert rules.normal_number("WC－261203－0007", "WC") == "WC-261203-0007"  # full-width hyphens
    for bad in ("", "WC-2612-0007", "1" * 200, "WC-261203-0007'; DROP TABLE cases;--", "<script>"):
        assert rules.normal_number(bad, "WC") is None


def test_tokens_are_bound_to_the_number_and_the_secret() -> None:
    secret, other = b"s" * 32, b"t" * 32
    t = rules.token(secret, "WC-261203-0007")
    assert rules.token_ok(secret, "WC-261203-0007", t)
    assert not rules.token_ok(secret, "WC-261203-0008", t)
    assert not rules.token_ok(other, "WC-261203-0007", t)
    assert not rules.token_ok(secret, "WC-261203-0007", None)
    assert not rules.token_ok(secret, "WC-261203-0007", t + "x" * 100)
    assert len(t) == 16 and t.isascii()


def test_a_refusal_names_the_stages_that_may_follow_in_the_halls_words_with_the_codes_typed() -> None:
    """The refusal a clerk reads (not_next, papers_below, unknown_stage, unknown_tier) lists the stages by
    name, each with the code `hall case advance` also takes: it listed bare codes (prereview, refused, …)."""
    case = _case()
    with pytest.raises(CaseRefused) as refused:
        advance(case, "decided", by="agent-a01", now=_at(1))
    assert refused.value.code == "not_next"
    assert (
        refused.value.values["next"]
        == "网上预审（prereview）、不予受理（refused）、补正（supplement）、转报（sent --to 层级）"
    )
    with pytest.raises(CaseRefused) as unknown:
        advance(case, "done", by="agent-a01", now=_at(1))
    assert str(unknown.value.values["stages"]).startswith(
        "已收件（received）、网上预审（prereview）、已受理（accepted）"
    )
    with pytest.raises(CaseRefused) as tier:
        hand_over(case, "county", by="agent-a01", now=_at(1))
    assert tier.value.values["tiers"] == "村(社区)（village）、乡镇(街道)（township）、区（district）"
