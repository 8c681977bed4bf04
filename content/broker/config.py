"""Mosquitto configuration for a hall, generated from a roster of accounts.

A plain Mosquitto `acl_file` knows users and patterns but no roles, so the roles live here: each
account in the roster gets a block of `topic` lines for its role, with its own device state
(`device/<user>/state`) to write and its own replies (`reply/<user>`) to read, in its own centre.
(`pattern` lines on `%u` would give it those topics in every centre the broker serves.) Client ids
belong to accounts: the broker loads `hall_clientid.so` (broker_config/plugin), which lets an account
connect only as `<account>` or `<account>.<anything>`, so no account can take over another's
connection. `render_acl` and `render_conf` are pure; `write_broker_dir` writes the files and hashes
the passwords with `mosquitto_passwd`.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

# The roster's models belong to content.accounts (the service reads the roster too); named here as well.
from content.accounts.roster import Account as Account
from content.accounts.roster import Roster as Roster
from content.shared import limits as cap
from content.shared.catalog import domain
from content.shared.contract import ROOT, STATE_TOPICS
from content.shared.files import PRIVATE, staged

_ = domain("service").gettext

# Enough for a full day of calls and state changes queued for a device that is switched off,
# well past Mosquitto's default of 1000, which would silently drop QoS1 calls.
MAX_QUEUED_MESSAGES = 20000
# The largest document or medium and its headers (a 2,000-item catalog is about 2 MB of JSON): anything
# past this is garbage or an attack, and the broker refuses it from anyone.
MAX_PACKET_BYTES = cap.PACKET_BYTES
CLIENTID_PLUGIN = "hall_clientid.so"
INSTALLED_PLUGIN = Path("/usr/local/lib/mosquitto") / CLIENTID_PLUGIN
"""Where `make -C broker_config/plugin install` puts the plugin."""
BUILD_COMMAND = "make -C broker_config/plugin install"


def build_plugin() -> str:
    """How to build and install the plugin, in the hall's language."""
    return _("{command} (needs gcc, make and mosquitto-dev)").format(command=BUILD_COMMAND)


COMMAND_RATE = 20
COMMAND_BURST = 120
"""Commands an account may publish: a burst of 120, refilled at 20 a second, enforced by the plugin before
the broker queues them for the service (a flood at QoS 0 has no other limit there). Far above a window's,
a kiosk's or the whole console's; the service's budgets (`rates` in centre.yaml) are the finer ones."""

KIOSK_COMMANDS = ("ticket", "case")
# Devices also read the service's presence, so they can say when their content may be stale.
READABLE = (*STATE_TOPICS, "call", "media/#", "device/service/state")
# What a township's bridge carries: the parent's content down, the township's queue and presence up.
BRIDGED_DOWN = ("centre", "catalog", "announcements", "media/#")
BRIDGED_UP = ("queue", "device/+/state")


def _role_lines(account: Account, centre: str, roster_centre: str, parent_reads: list[str]) -> list[str]:
    base = f"{ROOT}/{centre}"
    reads = [f"topic read {base}/{topic}" for topic in READABLE]
    match account.role:
        case "service":
            return [f"topic readwrite {base}/#"]
        # Commands only under the account's own name (`cmd/<verb>/<user>`): the service takes the
        # sender from the topic, so this line is what makes "who sent it" true.
        case "staff":
            own = f"topic write {base}/cmd/+/{account.user}"
            return [*reads, *parent_reads, f"topic read {base}/device/+/state", own]
        case "kiosk":
            own_verbs = (f"topic write {base}/cmd/{verb}/{account.user}" for verb in KIOSK_COMMANDS)
            return [*reads, *parent_reads, *own_verbs]
        case "display":
            return [*reads, *parent_reads]
        case "bridge":
            parent = f"{ROOT}/{account.parent}" if account.parent else None
            if parent is not None and account.parent != roster_centre:
                # On the centre's own broker the bridge runs inside Mosquitto and bypasses the ACL,
                # but the parent's retained content it brings down is stored under this user name,
                # and check_retain_source hides it from every later subscriber unless this user
                # may write it. The account has no password here: nobody logs in with it.
                return [f"topic write {parent}/{topic}" for topic in BRIDGED_DOWN]
            # On the parent's broker, where the bridge logs in: the parent's content comes down,
            # this centre's queue and device presence go up. Nothing else crosses.
            down = [f"topic read {parent}/{topic}" for topic in BRIDGED_DOWN] if parent else []
            return [*down, *(f"topic write {base}/{topic}" for topic in BRIDGED_UP)]
    raise AssertionError(account.role)


def _local_bridges(roster: Roster) -> dict[str, str]:
    """centre -> parent, for the bridges that run on this roster's broker (not the parent's)."""
    return {
        account.centre or roster.centre: account.parent
        for account in roster.accounts
        if account.role == "bridge" and account.parent and account.parent != roster.centre
    }


def render_acl(roster: Roster) -> str:
    lines = [
        "# Mosquitto ACL for the hall display system, generated from the roster by `hall broker-config`.",
        "# Edit the roster and regenerate rather than editing this file.",
    ]
    bridged = _local_bridges(roster)
    for account in roster.accounts:
        centre = account.centre or roster.centre
        parent = bridged.get(centre)
        # Where a bridge brings the parent's content down, this centre's devices may read it.
        parent_reads = [f"topic read {ROOT}/{parent}/{topic}" for topic in BRIDGED_DOWN] if parent else []
        lines += ["", f"# {account.role}", f"user {account.user}"]
        if account.role != "bridge":
            # Its own device state and its own replies, in its own centre only: a `pattern` line on %u
            # would give every account these topics in every centre of the broker.
            base = f"{ROOT}/{centre}"
            lines += [f"topic write {base}/device/{account.user}/state", f"topic read {base}/reply/{account.user}"]
        lines += _role_lines(account, centre, roster.centre, parent_reads)
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Listeners:
    port: int = 1883
    bind: str = "127.0.0.1"
    tls_port: int | None = None
    websockets_port: int | None = None


def find_clientid_plugin(environ: Mapping[str, str] = os.environ) -> Path | None:
    """The built plugin: `$HALL_CLIENTID_PLUGIN`, else where `make install` puts it, else the build in
    this source checkout (tests, `hall demo`). None when there is none."""
    if environ.get("HALL_CLIENTID_PLUGIN"):
        return Path(environ["HALL_CLIENTID_PLUGIN"])
    checkout = Path(__file__).resolve().parents[2] / "broker_config" / "plugin" / CLIENTID_PLUGIN
    return next((path for path in (INSTALLED_PLUGIN, checkout) if path.is_file()), None)


def render_conf(
    directory: Path,
    listeners: Listeners,
    *,
    run_as: str | None = None,
    plugin: Path | None = None,
    commands: tuple[int, int] = (COMMAND_RATE, COMMAND_BURST),
) -> str:
    """The broker's configuration; `plugin` is hall_clientid.so (None only where the demo has none), which
    holds each account to `commands` (a rate a second, a burst)."""
    d = directory.resolve()
    bind = (
        [
            "# Client ids belong to accounts: `<account>` or `<account>.<anything>` (broker_config/plugin),",
            "# and each account sends at most a burst of commands, refilled at a rate a second.",
            f"plugin {plugin.resolve()}",
            f"plugin_opt_command_rate {commands[0]}",
            f"plugin_opt_command_burst {commands[1]}",
        ]
        if plugin is not None
        else [
            "# WARNING: no hall_clientid.so, so any account can take over another's client id.",
            f"# Build and install it ({BUILD_COMMAND}; needs gcc, make and mosquitto-dev), then regenerate.",
        ]
    )
    lines = [
        "# Mosquitto configuration for the hall display system, generated by `hall broker-config`.",
        "per_listener_settings false",
        "allow_anonymous false",
        f"password_file {d / 'passwd'}",
        f"acl_file {d / 'acl'}",
        *bind,
        "",
        "# Retained state and queued QoS1 messages survive a broker restart.",
        "persistence true",
        f"persistence_location {d / 'data'}/",
        "autosave_interval 60",
        "autosave_on_changes false",
        "",
        f"max_queued_messages {MAX_QUEUED_MESSAGES}",
        "max_inflight_messages 100",
        f"max_packet_size {MAX_PACKET_BYTES}",
        "# A retained message is dropped if its publisher loses the right to publish it.",
        "check_retain_source true",
        "set_tcp_nodelay true",
        "",
        f"log_dest file {d / 'mosquitto.log'}",
        "log_type error",
        "log_type warning",
        "log_type notice",
        "connection_messages true",
        "",
        f"listener {listeners.port} {listeners.bind}",
    ]
    if run_as:
        lines.insert(1, f"user {run_as}")
    if listeners.tls_port is not None:
        lines += [
            "",
            f"listener {listeners.tls_port} {listeners.bind}",
            f"cafile {d / 'certs' / 'ca.crt'}",
            f"certfile {d / 'certs' / 'server.crt'}",
            f"keyfile {d / 'certs' / 'server.key'}",
            "tls_version tlsv1.2",
        ]
    if listeners.websockets_port is not None:
        lines += ["", f"listener {listeners.websockets_port} {listeners.bind}", "protocol websockets"]
    return "\n".join(lines) + "\n"


def hash_passwords(passwd: Path, passwords: dict[str, str]) -> None:
    """Write `user:password` lines into a new file beside `passwd`, mode 600 from its first byte, let
    mosquitto_passwd hash them there, and only then rename it to `passwd`: the plain passwords are never
    under that name, nor readable by others. mosquitto_passwd copies the file it rewrites to `<file>.tmp`
    under the caller's umask, so it runs with 077."""
    tool = shutil.which("mosquitto_passwd")
    if tool is None:
        raise FileNotFoundError(
            _("mosquitto_passwd not found: install the mosquitto package (apt-get install mosquitto)")
        )
    plain = "".join(f"{user}:{password}\n" for user, password in passwords.items()).encode()
    with staged(passwd, plain, mode=PRIVATE) as temporary:
        subprocess.run([tool, "-U", str(temporary)], check=True, capture_output=True, umask=0o077)


def write_broker_dir(
    directory: Path,
    roster: Roster,
    listeners: Listeners,
    *,
    passwords: dict[str, str] | None = None,
    run_as: str | None = None,
    plugin: Path | None = None,
    commands: tuple[int, int] = (COMMAND_RATE, COMMAND_BURST),
) -> dict[str, str]:
    """Write mosquitto.conf, acl and passwd into `directory`. Returns every account's password."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "data").mkdir(exist_ok=True)
    given = passwords or {}
    # A bridge account on its own centre's broker only names the bridge's messages in the ACL.
    logins = [a for a in roster.accounts if not (a.role == "bridge" and a.parent and a.parent != roster.centre)]
    chosen = {a.user: given.get(a.user) or secrets.token_urlsafe(18) for a in logins}
    hash_passwords(directory / "passwd", chosen)
    (directory / "acl").write_text(render_acl(roster), encoding="utf-8")
    conf = render_conf(directory, listeners, run_as=run_as, plugin=plugin, commands=commands)
    (directory / "mosquitto.conf").write_text(conf, encoding="utf-8")
    return chosen


def default_run_as() -> str | None:
    """Mosquitto started as root drops to the 'mosquitto' user, which cannot read a private
    directory made by root; for brokers started by hand or by tests, stay the same user."""
    if os.geteuid() == 0:
        return "root"
    return None
