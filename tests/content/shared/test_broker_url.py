from __future__ import annotations

from pathlib import Path

import pytest

from content.shared.broker_url import BrokerUrlError, broker_from, parse_broker_url


def test_parse() -> None:
    url = parse_broker_url("mqtt://staff:p%40ss@10.0.0.5:1884")
    assert (url.host, url.port, url.tls, url.username, url.password) == ("10.0.0.5", 1884, False, "staff", "p@ss")
    assert url.redacted() == "mqtt://staff:***@10.0.0.5:1884"
    assert parse_broker_url("mqtts://hall.local").port == 8883
    assert parse_broker_url("mqtt://localhost").port == 1883


def test_ca_option(tmp_path: Path) -> None:
    ca = tmp_path / "ca.crt"
    ca.write_text("x")
    assert parse_broker_url(f"mqtts://h:8883?ca={ca}").ca == ca


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://h", "must start with mqtt:// or mqtts://"),
        ("mqtt://", "has no host"),
        ("mqtt://h:99999", "not a number from 1 to 65535"),
        ("mqtt://h:abc", "not a number"),
        ("mqtt://h/topic", "has a path"),
        ("mqtt://h?x=1", "unknown option"),
        ("mqtt://h?ca=/tmp/x", "needs mqtts://"),
        ("mqtts://h?ca=/nonexistent/ca.crt", "not found"),
    ],
)
def test_bad_urls(url: str, message: str) -> None:
    with pytest.raises(BrokerUrlError, match=message):
        parse_broker_url(url)


def test_environment_fallback() -> None:
    assert broker_from(None, {"HALL_BROKER": "mqtt://a:b@h:1"}).host == "h"
    assert broker_from("mqtt://x", {"HALL_BROKER": "mqtt://h"}).host == "x"
    with pytest.raises(BrokerUrlError, match="HALL_BROKER"):
        broker_from(None, {})


def test_protocol_option() -> None:
    assert parse_broker_url("mqtt://h?protocol=3.1.1").mqtt311
    assert not parse_broker_url("mqtt://h").mqtt311
    assert parse_broker_url("mqtt://h?protocol=3.1.1").redacted() == "mqtt://h:1883?protocol=3.1.1"
    with pytest.raises(BrokerUrlError, match=r"protocol must be 5 or 3\.1\.1"):
        parse_broker_url("mqtt://h?protocol=4")
