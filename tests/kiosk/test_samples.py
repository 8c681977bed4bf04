"""The screenshots' samples (kiosk.samples): the ticket they show instead of taking a number."""

from __future__ import annotations

from dataclasses import replace

from content.centre.loader import Content
from kiosk.model import KioskModel
from kiosk.samples import sample_ticket
from tests.kiosk.test_model import full_model


def test_the_sample_ticket_is_a_number_no_day_issues(content: Content) -> None:
    model = full_model(content)
    shebao = model.category("shebao")
    assert shebao is not None and shebao.prefix == "A"
    sample = sample_ticket(model, shebao)
    assert sample.ok and sample.ticket == "A000" and not sample.command_id
    assert sample.message == "您的号码是 A000，前面还有 3 人，预计等候约 24 分钟。"
    assert (sample.category_name, sample.priority_name) == ("社会保障", "老年人")
    assert model.centre is not None and not model.queue.day  # no queue yet: the centre's today
    assert sample.url == f"http://hall.weicheng.local:8080/q/{model.centre.now().date().isoformat()}/A000"
    with_day = replace(model, queue=replace(model.queue, day="2026-11-27"))
    assert sample_ticket(with_day, shebao).url == "http://hall.weicheng.local:8080/q/2026-11-27/A000"  # the service's


def test_the_sample_ticket_without_a_public_address_has_no_qr_code(content: Content) -> None:
    centre = content.centre.model_copy(update={"public_url": None})
    model = full_model(replace(content, centre=centre))
    category = model.categories[1]
    sample = sample_ticket(model, category)
    assert sample.ticket == f"{category.prefix}000" and sample.url is None
    assert sample_ticket(KioskModel(), category).url is None
