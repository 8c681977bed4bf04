"""The UDP socket the network outputs (DDP, sACN) send from."""

from __future__ import annotations

import socket

from led_driver.outputs.base import OutputError


def connect_udp(host: str, port: int, what: str) -> socket.socket:
    """A UDP socket connected to host:port.

    Connecting binds the socket to the local address that routes to the controller (127.0.0.1 for a
    controller on loopback), not to every interface, and lets `send` skip the address lookup.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)
    except socket.gaierror as exc:
        raise OutputError(f"{what}: cannot resolve the host {host!r}: {exc.strerror}") from exc
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.connect(address)
    except OSError as exc:
        sock.close()
        raise OutputError(f"{what}: cannot reach {host}:{port}: {exc.strerror}") from exc
    return sock


def send(sock: socket.socket, packet: bytes | bytearray) -> None:
    """Send one datagram; a controller that is not listening (yet) is not an error.

    A connected UDP socket reports the ICMP "port unreachable" of an earlier packet on a later send,
    instead of sending that one; the controller may be rebooting, so the packet is tried once more.
    """
    for _ in range(2):
        try:
            sock.send(packet)
        except ConnectionRefusedError:
            continue
        return
