"""The console's link: what the page is told about the service, from what the broker delivers."""

from __future__ import annotations

import json

from content.shared.broker_url import parse_broker_url
from content.web.console.link import ConsoleLink
from tests.words import english


def test_the_page_has_lost_the_service_until_it_says_ready_and_again_when_its_will_comes() -> None:
    link = ConsoleLink(parse_broker_url("mqtt://console:pw@127.0.0.1:1"), "weicheng")  # never started
    link._set_connected(True)
    assert link.state()[1]["online"] is False  # connected to the broker, but no word from the service
    version = link.state()[0]
    link._on_message("device/service/state", json.dumps({"status": "ready"}).encode())
    assert link.wait_newer(version, 0) != version and link.state()[1]["online"] is True
    link._on_message("device/service/state", json.dumps({"status": "lost"}).encode())
    assert link.state()[1]["online"] is False
    link._on_message("device/service/state", b"\xff not json")
    assert link.state()[1]["online"] is False
    link._on_message("device/service/state", json.dumps({"status": "ready"}).encode())
    link._set_connected(False)  # the broker gone: the service is out of reach too
    assert link.state()[1]["online"] is False


def test_a_stopped_link_lets_waiting_pages_go() -> None:
    import threading

    link = ConsoleLink(parse_broker_url("mqtt://console:pw@127.0.0.1:1"), "weicheng")
    version = link.state()[0]
    waiting = threading.Thread(target=link.wait_newer, args=(version, 600))
    waiting.start()
    link.stop()  # as hall serve stops: a page's event stream must not hold its thread for long
    waiting.join(30)
    assert not waiting.is_alive()


def test_a_command_not_answered_in_time_is_told_in_the_halls_words() -> None:
    """The page shows the reply's error after 未完成：, so it must be a sentence of the hall's language."""
    link = ConsoleLink(parse_broker_url("mqtt://console:pw@127.0.0.1:1"), "weicheng")  # no service answers
    reply = link.ask("call", {"window": "zonghe"}, "wang", timeout=0.05)
    assert reply == {"ok": False, "error": "服务没有及时回答：请先查看大厅状态再重试"}
    assert english(reply["error"]) == []
    link.stop()
