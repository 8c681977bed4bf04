"""The broker's configuration as `hall broker-config` renders it: pure functions, no broker."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import pytest
from pydantic import ValidationError

from content.broker.config import Account, Listeners, Roster, find_clientid_plugin, render_conf, write_broker_dir
from tests.modes import open_umask, watch_secrets


def test_the_conf_loads_the_plugin_that_binds_client_ids(tmp_path: Path) -> None:
    plugin = tmp_path / "hall_clientid.so"
    conf = render_conf(tmp_path, Listeners(), plugin=plugin).splitlines()
    assert f"plugin {plugin.resolve()}" in conf
    assert conf.index("allow_anonymous false") < conf.index(f"plugin {plugin.resolve()}")


def test_a_conf_without_the_plugin_says_what_is_missing(tmp_path: Path) -> None:
    conf = render_conf(tmp_path, Listeners(), plugin=None)
    assert "\nplugin " not in conf
    assert "WARNING: no hall_clientid.so, so any account can take over another's client id" in conf


def test_the_plugin_is_found_where_it_was_put(tmp_path: Path) -> None:
    assert find_clientid_plugin({"HALL_CLIENTID_PLUGIN": str(tmp_path / "x.so")}) == tmp_path / "x.so"
    found = find_clientid_plugin({})  # this checkout's build (scripts/dev makes it)
    assert found is not None and found.name == "hall_clientid.so" and found.is_file()


@pytest.mark.parametrize("user", ["staff.zhang", "Staff", "-staff", "staff/x", "staff+", "a" * 65, ""])
def test_account_names_that_could_name_another_accounts_client_id_are_refused(user: str) -> None:
    with pytest.raises(ValidationError, match="user"):
        Roster.model_validate({"centre": "weicheng", "accounts": [{"user": user, "role": "staff"}]})


def test_account_names_the_roster_example_uses() -> None:
    for user in ("service", "staff-zonghe", "kiosk-1", "led_wall", "bridge-weicheng"):
        assert Account(user=user, role="staff").user == user


@pytest.mark.skipif(shutil.which("mosquitto_passwd") is None, reason="needs mosquitto_passwd")
def test_passwd_is_never_readable_by_others_nor_plain_under_its_name(tmp_path: Path) -> None:
    roster = Roster.model_validate({"centre": "weicheng", "accounts": [{"user": "service", "role": "service"}]})
    out = tmp_path / "broker"

    def plain(data: bytes) -> str | None:
        return "the password in plain" if b"service:secret-password" in data else None

    with open_umask(), watch_secrets(out, "passwd", wrong=plain) as watch:
        write_broker_dir(out, roster, Listeners(), passwords={"service": "secret-password"})
    assert watch.leaks == []
    assert "passwd" in watch.seen
    assert stat.S_IMODE((out / "passwd").stat().st_mode) == 0o600
    assert (out / "passwd").read_text(encoding="utf-8").startswith("service:$7$")
    assert sorted(p.name for p in out.iterdir()) == ["acl", "data", "mosquitto.conf", "passwd"]
