"""Running a local broker: Mosquitto with the hall's configuration, or an embedded one for demos.

Used by `hall demo` and by the test suite. Both bind to 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from content.broker.config import (
    CLIENTID_PLUGIN,
    COMMAND_BURST,
    COMMAND_RATE,
    Listeners,
    Roster,
    build_plugin,
    default_run_as,
    find_clientid_plugin,
    write_broker_dir,
)
from content.shared.catalog import domain

_ = domain("service").gettext

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float, process: subprocess.Popen[bytes] | None = None) -> None:
    """Wait until something accepts connections on the loopback port."""
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            raise RuntimeError(_("the broker exited with code {code} before listening").format(code=process.returncode))
        try:
            with socket.create_connection((LOOPBACK, port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(
                    _("nothing listens on {address} after {seconds:g} s").format(
                        address=f"{LOOPBACK}:{port}", seconds=timeout
                    )
                ) from None
            time.sleep(0.02)  # polling a port that has no readiness event


class Mosquitto:
    """A Mosquitto process using a configuration generated from a roster."""

    def __init__(
        self,
        directory: Path,
        roster: Roster,
        *,
        port: int | None = None,
        tls_port: int | None = None,
        passwords: dict[str, str] | None = None,
        extra_conf: str = "",
        bind_client_ids: bool = True,
        commands: tuple[int, int] = (COMMAND_RATE, COMMAND_BURST),
    ) -> None:
        """`extra_conf` is appended to the generated mosquitto.conf (e.g. a bridge section). Client ids
        are bound to accounts by hall_clientid.so, as in a hall; only the demo may do without. `commands`:
        the rate a second and the burst of commands the plugin lets each account send."""
        self.directory = directory
        self.port = port or free_port()
        self.tls_port = tls_port
        plugin = find_clientid_plugin() if bind_client_ids else None
        if bind_client_ids and plugin is None:
            raise RuntimeError(
                _("the broker plugin {plugin} is not built: {build}, or scripts/dev").format(
                    plugin=CLIENTID_PLUGIN, build=build_plugin()
                )
            )
        self.passwords = write_broker_dir(
            directory,
            roster,
            Listeners(port=self.port, tls_port=tls_port),
            passwords=passwords,
            run_as=default_run_as(),
            plugin=plugin,
            commands=commands,
        )
        if extra_conf:
            with (directory / "mosquitto.conf").open("a", encoding="utf-8") as conf:
                conf.write("\n" + extra_conf.rstrip("\n") + "\n")
        self._process: subprocess.Popen[bytes] | None = None

    def url(self, user: str) -> str:
        return f"mqtt://{user}:{self.passwords[user]}@{LOOPBACK}:{self.port}"

    def start(self, timeout: float = 10.0) -> Mosquitto:
        binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        self._process = subprocess.Popen(
            [binary, "-c", str(self.directory / "mosquitto.conf")],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            wait_for_port(self.port, timeout, self._process)
        except (RuntimeError, TimeoutError) as exc:
            log = self.directory / "mosquitto.log"
            detail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            self.stop()
            raise RuntimeError(f"{exc}\n{detail}") from None
        return self

    def stop(self, kill: bool = False) -> None:
        if self._process is None:
            return
        if kill:
            self._process.kill()
        else:
            self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._process.stderr:
            self._process.stderr.close()
        self._process = None

    def log_text(self) -> str:
        log = self.directory / "mosquitto.log"
        return log.read_text(errors="replace") if log.exists() else ""


def mosquitto_available() -> bool:
    has_broker = shutil.which("mosquitto") is not None or Path("/usr/sbin/mosquitto").exists()
    return has_broker and shutil.which("mosquitto_passwd") is not None


class EmbeddedBroker:
    """amqtt in a thread: anonymous, loopback only, no ACL. For `hall demo` without Mosquitto."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="embedded-broker", daemon=True)
        self._broker: Any = None

    def url(self) -> str:
        return f"mqtt://{LOOPBACK}:{self.port}?protocol=3.1.1"  # amqtt does not speak MQTT 5

    def start(self, timeout: float = 10.0) -> EmbeddedBroker:
        try:
            from amqtt.broker import Broker
        except ImportError:
            raise RuntimeError(
                _(
                    "no Mosquitto here and the embedded broker is not installed: "
                    "apt-get install mosquitto, or pip install 'hall[embedded-broker]'"
                )
            ) from None
        config = {
            "listeners": {"default": {"type": "tcp", "bind": f"{LOOPBACK}:{self.port}"}},
            "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}},
        }
        self._thread.start()
        self._broker = Broker(config, loop=self._loop)
        # start() returns once the listener is bound: no need to probe the port.
        asyncio.run_coroutine_threadsafe(self._broker.start(), self._loop).result(timeout)
        return self

    def stop(self) -> None:
        if self._broker is not None:
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(self._broker.shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
