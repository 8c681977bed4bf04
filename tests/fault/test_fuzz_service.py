"""Commands fuzzed through a real broker into a running service: it answers, stays up, publishes readable state.

Payloads of any bytes or any JSON, with near-valid arguments, on every verb (and verbs it does not know),
from a staff account and a kiosk account. After each, a command of a known id must be answered (a stats
query from staff; from the kiosk, which may send no query, a ticket for no category): the service is
alive and has handled what came before it. At the end every retained state document reads
on the kiosk and on an LED display.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from content.centre.loader import Content
from content.service.commands.table import COMMANDS
from content.shared import contract
from kiosk.model import KioskModel
from led_driver.state import DisplayState, apply
from tests.conftest import Subscriber
from tests.fault.strategies import examples, json_values, near_valid_args

pytestmark = pytest.mark.fault


def test_whatever_is_sent_the_service_answers_and_its_state_stays_readable(
    sample_dir: Path, content: Content, start_service: Callable[..., Any], subscribe: Callable[..., Subscriber]
) -> None:
    centre = sample_dir / "centre.yaml"  # a fuzzer is quicker than a kiosk: no rate limit in its way
    centre.write_text(
        centre.read_text(encoding="utf-8").replace("tickets_per_minute: 10", "tickets_per_minute: 100000")
    )
    start_service(sample_dir)
    clients = {account: subscribe([f"reply/{account}"], user=account) for account in ("staff", "kiosk-1")}
    verbs = st.sampled_from([*sorted(COMMANDS), "shout", "x" * 32])
    payloads = (
        st.binary(max_size=200)
        | json_values.map(lambda v: json.dumps(v).encode())
        | st.builds(
            lambda ident, args: json.dumps(
                {"schema": 1, "ts": "2026-11-27T09:00:00+08:00", "id": ident, "args": args}, ensure_ascii=False
            ).encode("utf-8", "surrogatepass"),
            st.uuids().map(str) | json_values,
            near_valid_args(content) | json_values,
        )
    )

    @examples(ci=150)
    @given(st.sampled_from(sorted(clients)), verbs, payloads)
    def run(account: str, verb: str, payload: bytes) -> None:
        client = clients[account]
        client.publish(f"cmd/{verb}/{account}", payload)
        marker = uuid.uuid4().hex
        verb_, args = ("stats", {}) if account == "staff" else ("ticket", {"category": "no-such-category"})
        query = {"schema": 1, "ts": "2026-11-27T09:00:00+08:00", "id": marker, "args": args}
        client.publish(f"cmd/{verb_}/{account}", json.dumps(query).encode())
        reply = client.wait_for(lambda m: m.json().get("id") == marker, "the marker's reply").json()
        assert reply["ok"] is (account == "staff"), reply

    run()
    fresh = subscribe(list(contract.STATE_TOPICS))
    model, state = KioskModel(), DisplayState()
    for topic in contract.STATE_TOPICS:
        payload = fresh.wait_for(lambda m, t=topic: m.topic == t, topic).payload
        model = model.apply(topic, payload)
        if topic != "agents" and topic != "stats":
            state = apply(state, topic, payload)
    assert model.centre is not None and len(model.items) == 30
