from __future__ import annotations

from pathlib import Path

import pytest

from content.shared.broker_url import BrokerUrlError, broker_from, parse_broker_url
from tests.words import english


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
        ("http://h", "应以 mqtt:// 或 mqtts:// 开头"),
        ("mqtt://", "没有主机名"),
        ("mqtt://h:99999", "的端口不是 1 到 65535 之间的数字"),
        ("mqtt://h:abc", "的端口不是"),
        ("mqtt://h/topic", "带有路径"),
        ("mqtt://h?x=1", "有无法识别的选项：x"),
        ("mqtt://h?ca=/tmp/x", "只能用于 mqtts://"),
        ("mqtts://h?ca=/nonexistent/ca.crt", "找不到 CA 证书文件"),
    ],
)
def test_bad_urls(url: str, message: str) -> None:
    with pytest.raises(BrokerUrlError, match=message):
        parse_broker_url(url)


def test_a_wrong_url_is_told_in_the_halls_words_without_its_password() -> None:
    with pytest.raises(BrokerUrlError) as wrong:
        parse_broker_url("mqtt://staff:s3cret@h:1/topic")
    said = str(wrong.value)
    assert "s3cret" not in said and "staff:***@h:1" in said
    assert english(said) == [], said
    with pytest.raises(BrokerUrlError) as none:
        broker_from(None, {})
    assert english(str(none.value)) == [], str(none.value)


def test_environment_fallback() -> None:
    assert broker_from(None, {"HALL_BROKER": "mqtt://a:b@h:1"}).host == "h"
    assert broker_from("mqtt://x", {"HALL_BROKER": "mqtt://h"}).host == "x"
    with pytest.raises(BrokerUrlError, match="HALL_BROKER"):
        broker_from(None, {})


def test_protocol_option() -> None:
    assert parse_broker_url("mqtt://h?protocol=3.1.1").mqtt311
    assert not parse_broker_url("mqtt://h").mqtt311
    assert parse_broker_url("mqtt://h?protocol=3.1.1").redacted() == "mqtt://h:1883?protocol=3.1.1"
    with pytest.raises(BrokerUrlError, match=r"protocol 应为 5 或 3\.1\.1"):
        parse_broker_url("mqtt://h?protocol=4")
