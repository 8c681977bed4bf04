"""The UDP socket the network outputs (DDP, sACN) send from."""

from __future__ import annotations

import socket

from content.shared.catalog import domain
from led_driver.outputs.base import OutputError

_ = domain("led").gettext


def connect_udp(host: str, port: int, what: str) -> socket.socket:
    """A UDP socket connected to host:port.

    Connecting binds the socket to the local address that routes to the controller (127.0.0.1 for a
    controller on loopback), not to every interface, and lets `send` skip the address lookup.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)
    except socket.gaierror as exc:
        raise OutputError(
            _("{output}: cannot resolve the host {host}: {reason}").format(
                output=what, host=repr(host), reason=exc.strerror
            )
        ) from exc
    family, kind, proto, _canonical, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.connect(address)
    except OSError as exc:
        sock.close()
        raise OutputError(
            _("{output}: cannot reach {address}: {reason}").format(
                output=what, address=f"{host}:{port}", reason=exc.strerror
            )
        ) from exc
    return sock


def send(sock: socket.socket, packet: bytes | bytearray) -> None:
    """Send one datagram; a controller that is not listening (yet) is not an error.

    A connected UDP socket reports the ICMP "port unreachable" of an earlier packet on a later send,
    instead of sending that one; the controller may be rebooting, so the packet is tried once more.
    """
    for _attempt in range(2):
        try:
            sock.send(packet)
        except ConnectionRefusedError:
            continue
        return
