"""DDP (Distributed Display Protocol, http://www.3waylabs.com/ddp/) to a pixel controller (WLED, FPP, …).

Each frame is its RGB bytes, row by row, cut into packets of at most 1440 data bytes (480 pixels),
each behind the 10-byte header:

    byte 0    flags: version 1 (0x40), PUSH (0x01) on the frame's last packet only
    byte 1    sequence number 1…15, one more every packet (0 would mean "not used")
    byte 2    data type 0x0B: standard type (C=0), RGB (TTT=001), 8 bits an element (SSS=011)
    byte 3    destination id 1, the default output device
    bytes 4-7 offset of the data in the frame, bytes, big-endian
    bytes 8-9 length of the data, bytes, big-endian

The controller shows the frame when the PUSH packet arrives. Controllers leave real-time mode when
no data comes for a while (WLED: 2.5 s by default), so a still picture must still be shown again
every second or so by the render loop.
"""

from __future__ import annotations

import socket
import struct

from PIL import Image

from led_driver.outputs import _udp
from led_driver.outputs.base import check_frame, check_size, rgb_bytes

PORT = 4048
HEADER = struct.Struct(">BBBBIH")
MAX_DATA = 1440
FLAG_VERSION_1 = 0x40
FLAG_PUSH = 0x01
TYPE_RGB_8BIT = 0x0B
ID_DISPLAY = 1


def next_sequence(sequence: int) -> int:
    """1, 2, … 15, 1, …"""
    return sequence % 15 + 1


def packets(data: bytes, sequence: int) -> tuple[list[bytes], int]:
    """The packets of one frame's bytes, numbered from `sequence`, and the number the next packet takes."""
    out: list[bytes] = []
    view = memoryview(data)
    for offset in range(0, len(data), MAX_DATA):
        chunk = view[offset : offset + MAX_DATA]
        last = offset + MAX_DATA >= len(data)
        flags = FLAG_VERSION_1 | (FLAG_PUSH if last else 0)
        out.append(HEADER.pack(flags, sequence, TYPE_RGB_8BIT, ID_DISPLAY, offset, len(chunk)) + chunk)
        sequence = next_sequence(sequence)
    return out, sequence


class DdpOutput:
    max_fps: float | None = None

    def __init__(self, host: str, port: int = PORT) -> None:
        self.host, self.port = host, port
        self._sequence = 1
        self._size: tuple[int, int] | None = None
        self._sock: socket.socket | None = None

    def open(self, size: tuple[int, int], mode: str) -> None:
        check_size(size, "ddp")
        self._sock = _udp.connect_udp(self.host, self.port, f"ddp://{self.host}:{self.port}")
        self._size = size

    def show(self, frame: Image.Image) -> None:
        check_frame(frame, self._size, "ddp")
        assert self._sock is not None
        frame_packets, self._sequence = packets(rgb_bytes(frame), self._sequence)
        for packet in frame_packets:
            _udp.send(self._sock, packet)

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        self._size = None
