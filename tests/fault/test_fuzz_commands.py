"""Every command verb, fuzzed through the handlers on the sample centre: applied or refused, never broken.

Sequences of commands from several accounts, each with near-valid or hostile arguments. A command is
applied or refused with a coded Refusal, nothing else; after each, every state document still
builds, stays under what a device reads, and reads on the kiosk and on an LED display; the documents a
verb does not touch keep their rev.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from content.centre.loader import Content
from content.service import documents
from content.service.commands.base import Context, Refusal
from content.service.commands.table import COMMANDS
from content.service.live import Live
from content.shared import contract
from content.shared import limits as cap
from content.shared.refusals import SENTENCES
from kiosk.model import KioskModel
from led_driver.state import DisplayState, apply
from tests.fault.strategies import examples, json_values, near_valid_args

pytestmark = pytest.mark.fault

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=timezone(timedelta(hours=8)))  # a Friday, not a market day
ACCOUNTS = ["staff", "staff-2", "kiosk-1", "kiosk-2"]
# The documents each verb may change; any other keeps its rev.
LIVE = sorted(verb for verb, command in COMMANDS.items() if command.kind == "live")
TOUCHES = {
    "announce": {"announcements"},
    "staff": {"staff", "queue"},
    "ticket": {"queue", "stats"},
    "call": {"queue", "stats"},
    "window": {"queue", "stats"},
}


def _revs(content: Content, live: Live, now: datetime) -> dict[str, str]:
    docs = documents.all_documents(content, live, now)
    revs = {}
    for topic, body in docs.items():
        payload = contract.encode(contract.state_document(body, now))
        assert len(payload) <= cap.DOCUMENT_BYTES, topic
        revs[topic] = contract.rev_of(body)
        KioskModel().apply(topic, payload)  # raises if a device could not read it
        apply(DisplayState(), topic, payload)
    return revs


@pytest.fixture(scope="module")
def sample(content: Content) -> Content:
    # The real centre, with room for the bursts a fuzzer makes from one account.
    return replace(content, centre=content.centre.model_copy(update={"queue": content.centre.queue.model_copy(
        update={"tickets_per_minute": 100_000})}))  # fmt: skip


def test_every_verb_is_applied_or_refused_and_documents_stay_readable(sample: Content) -> None:
    commands = st.lists(
        st.tuples(
            st.sampled_from(LIVE),
            near_valid_args(sample) | st.dictionaries(st.text(max_size=8), json_values, max_size=4),
            st.sampled_from(ACCOUNTS),
            st.integers(min_value=0, max_value=600),
        ),
        min_size=1,
        max_size=12,
    )

    @examples(ci=60)
    @given(commands)
    def run(sequence: list[tuple[str, dict[str, Any], str, int]]) -> None:
        live = Live()
        now = NOW
        before = _revs(sample, live, now)
        for verb, args, by, seconds in sequence:
            now = now + timedelta(seconds=seconds)
            try:
                outcome = COMMANDS[verb].handler(Context(live, sample, args, by, now))
            except Refusal as exc:
                assert exc.code in SENTENCES and str(exc) and len(str(exc)) < 2000  # a clear, short reason
                continue
            after = _revs(sample, outcome.live, now)
            unchanged = {t for t in after if t not in TOUCHES[verb]}
            time_moved = {"announcements", "stats"}  # announcements come and go, stats count minutes
            assert {t: after[t] for t in unchanged - time_moved} == {t: before[t] for t in unchanged - time_moved}, verb
            live, before = outcome.live, after

    run()
