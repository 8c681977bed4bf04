"""Broker addresses: `mqtt://user:pass@host:port` and `mqtts://…`, also from `HALL_BROKER`.

For TLS, `?ca=/path/ca.crt` names the certificate authority to trust (the system's otherwise).
`?protocol=3.1.1` speaks MQTT 3.1.1 instead of 5, for brokers that know no better (the embedded
demo broker); message expiry and content types are then not sent.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from content.shared.catalog import domain

_ = domain("shared").gettext

ENV = "HALL_BROKER"
_DEFAULT_PORTS = {"mqtt": 1883, "mqtts": 8883}
# The user info runs to the last "@" before the host (urlsplit's reading), so a password may hold "@".
_PASSWORD = re.compile(r"(mqtts?://[^\s:/@'\"]*:)[^\s/?#'\"]*@")


def redact(text: str) -> str:
    """`text` with the password of every broker URL in it replaced by ***: errors and logs name a
    broker by its user and host, never by its password."""
    return _PASSWORD.sub(r"\1***@", text)


class BrokerUrlError(ValueError):
    pass


@dataclass(frozen=True)
class BrokerUrl:
    host: str
    port: int
    tls: bool = False
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ca: Path | None = None
    mqtt311: bool = False

    def redacted(self) -> str:
        scheme = "mqtts" if self.tls else "mqtt"
        user = f"{self.username}:***@" if self.username else ""
        option = "?protocol=3.1.1" if self.mqtt311 else ""
        return f"{scheme}://{user}{self.host}:{self.port}{option}"


def parse_broker_url(url: str) -> BrokerUrl:
    """Parse a broker URL; BrokerUrlError names what is wrong, and the URL without its password."""
    try:
        return _parse(url)
    except BrokerUrlError as exc:
        raise BrokerUrlError(redact(str(exc))) from None


def _parse(url: str) -> BrokerUrl:
    parts = urlsplit(url.strip())
    if parts.scheme not in _DEFAULT_PORTS:
        raise BrokerUrlError(_("broker URL {url!r} must start with mqtt:// or mqtts://").format(url=url))
    if not parts.hostname:
        raise BrokerUrlError(_("broker URL {url!r} has no host").format(url=url))
    try:
        port = parts.port or _DEFAULT_PORTS[parts.scheme]
    except ValueError:
        raise BrokerUrlError(
            _("broker URL {url!r} has a port that is not a number from 1 to 65535").format(url=url)
        ) from None
    if parts.path not in ("", "/"):
        raise BrokerUrlError(
            _("broker URL {url!r} has a path; only mqtt[s]://user:pass@host:port is understood").format(url=url)
        )
    query = parse_qs(parts.query)
    unknown = set(query) - {"ca", "protocol"}
    if unknown:
        raise BrokerUrlError(
            _("broker URL {url!r} has unknown options: {options} (it takes ca and protocol)").format(
                url=url, options=_(", ").join(sorted(unknown))
            )
        )
    ca = Path(query["ca"][0]) if "ca" in query else None
    if ca is not None and parts.scheme != "mqtts":
        raise BrokerUrlError(_("broker URL {url!r}: ?ca= needs mqtts://").format(url=url))
    if ca is not None and not ca.is_file():
        raise BrokerUrlError(_("broker URL {url!r}: CA file {file} not found").format(url=url, file=ca))
    protocol = query.get("protocol", ["5"])[0]
    if protocol not in ("5", "3.1.1"):
        raise BrokerUrlError(
            _("broker URL {url!r}: protocol must be 5 or 3.1.1, got {protocol!r}").format(url=url, protocol=protocol)
        )
    return BrokerUrl(
        host=parts.hostname,
        port=port,
        tls=parts.scheme == "mqtts",
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        ca=ca,
        mqtt311=protocol == "3.1.1",
    )


def broker_from(arg: str | None, environ: Mapping[str, str] | None = None) -> BrokerUrl:
    """The broker from a `--broker` argument, else from HALL_BROKER."""
    env = os.environ if environ is None else environ
    url = arg or env.get(ENV)
    if not url:
        raise BrokerUrlError(_("no broker: pass --broker mqtt://user:pass@host:port or set {env}").format(env=ENV))
    return parse_broker_url(url)
