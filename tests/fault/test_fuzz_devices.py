"""Every topic a kiosk or an LED display reads, fuzzed: a document is read or refused, and what is read lays out.

Real documents of the sample centre with a value replaced somewhere in them, random bytes, and any JSON
object, on every state topic and the call event. The kiosk model and the LED display state take each or
raise PayloadError, nothing else; whatever they took, the kiosk's screens are laid out from, and two LED
profiles compose frames from (the 1080p wall and a window screen).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given

from content.centre.loader import Content
from content.service import documents
from content.service.live import Live
from content.shared import contract
from kiosk import viewmodel
from kiosk.model import KioskModel
from led_driver.outputs.memory import MemoryOutput
from led_driver.profile import find_profile, load_profile
from led_driver.scheduler import Scheduler
from led_driver.state import DisplayState, apply
from tests.fault.strategies import documents_of, examples

pytestmark = pytest.mark.fault

NOW = datetime(2026, 11, 27, 9, 30, tzinfo=timezone(timedelta(hours=8)))


def _real(content: Content) -> dict[str, dict[str, Any]]:
    docs = {t: contract.state_document(b, NOW) for t, b in documents.all_documents(content, Live(), NOW).items()}
    call = {"seq": 7, "ticket": "A007", "window": "shebao", "window_name": "社会保障窗口", "window_number": 2,
            "category": "shebao", "recall": False, "text": "请A007号到2号窗口办理"}  # fmt: skip
    return {**docs, "call": contract.call_event(call, NOW)}


def _lay_out(model: KioskModel) -> None:
    viewmodel.home_tiles(model)
    viewmodel.duty_rows(model)
    viewmodel.staff_rows(model)
    viewmodel.attract_slides(model, NOW)
    viewmodel.stale_marker(model)
    if model.centre is not None:
        viewmodel.closed_notice(model, NOW)
    for category in model.categories:
        viewmodel.item_rows(model, category.id)
    for item_id in list(model.items)[:5]:
        guide = model.guide(item_id)
        if guide is not None:
            viewmodel.guide_sections(guide)


def test_the_kiosk_reads_or_refuses_every_document_and_lays_out_what_it_read(content: Content) -> None:
    real = _real(content)
    base = KioskModel()
    for topic, doc in real.items():
        base = base.apply(topic, contract.encode(doc))

    @examples(ci=300)
    @given(documents_of(real))
    def run(sent: tuple[str, bytes]) -> None:
        topic, payload = sent
        try:
            model = base.apply(topic, payload)
        except contract.PayloadError:
            return
        _lay_out(model)

    run()


@pytest.fixture(scope="module")
def schedulers() -> list[Scheduler]:
    made = []
    for name in ("wall-1920x1080", "window-192x64"):
        profile, problems = load_profile(find_profile(name))
        assert profile is not None, problems
        profile = profile.for_window("zonghe") if profile.needs_window else profile
        made.append(Scheduler(profile, MemoryOutput(), wall_clock=lambda: NOW))
    return made


def test_an_led_display_reads_or_refuses_every_document_and_draws_what_it_read(
    content: Content, schedulers: list[Scheduler]
) -> None:
    real = _real(content)
    base = DisplayState()
    for topic in ("centre", "queue", "staff", "catalog", "announcements", "call"):
        base = apply(base, topic, contract.encode(real[topic]))

    @examples(ci=150)
    @given(documents_of(real))
    def run(sent: tuple[str, bytes]) -> None:
        topic, payload = sent
        try:
            state = apply(base, topic, payload)
        except contract.PayloadError:
            return
        for scheduler in schedulers:
            scheduler.compose(state, NOW, 100.0, 99.5)  # a call shown half a second ago: the flash too

    run()
