"""E1.31 (sACN, ANSI E1.31-2018) unicast to a pixel controller: 170 RGB pixels a universe.

The frame's RGB bytes, row by row, fill universes `universe`, `universe + 1`, … 510 slots each
(the last one padded with zeros). Every universe gets one data packet a frame: root layer, framing
layer (source name, priority, synchronization address, sequence number, universe), DMP layer (start
code 0 and 510 slots). With `sync`, the data packets name that synchronization universe and an
E1.31 synchronization packet follows the frame's last universe, so the controller shows all the
universes at once. On close, each universe gets three packets with Stream_Terminated set, so the
controller lets go at once rather than after its 2.5 s data-loss timeout. That timeout also means a
still picture must be shown again every second or so by the render loop.

The packets are built here, not with the `sacn` package's sender (sacn 1.11): that one sends the
synchronization packet by multicast only, binds port 5568 on every interface, and runs a thread of
its own that also broadcasts universe discovery. Every universe advances by one packet a frame, so
one counter serves as each universe's sequence number; the sync packets have their own.
"""

from __future__ import annotations

import socket
import struct
import uuid

from PIL import Image

from content.shared.catalog import domain
from led_driver.outputs import _udp
from led_driver.outputs.base import OutputError, check_frame, check_size, out_of_range, rgb_bytes

_ = domain("led").gettext

PORT = 5568
PIXELS_PER_UNIVERSE = 170
SLOTS = PIXELS_PER_UNIVERSE * 3
MAX_UNIVERSE = 63999
DEFAULT_PRIORITY = 100
DEFAULT_SOURCE = "hall led_driver"

_ACN_ID = b"ASC-E1.17\x00\x00\x00"
_VECTOR_ROOT_DATA = 0x00000004
_VECTOR_ROOT_EXTENDED = 0x00000008
_VECTOR_FRAMING_DATA = 0x00000002
_VECTOR_FRAMING_SYNC = 0x00000001
_VECTOR_DMP_SET_PROPERTY = 0x02
_ADDRESS_AND_DATA_TYPE = 0xA1
_OPTION_STREAM_TERMINATED = 0x40

_ROOT = struct.Struct(">HH12sHI16s")  # preamble size, postamble size, ACN id, flags+length, vector, CID
_FRAMING = struct.Struct(
    ">HI64sBHBBH"
)  # flags+length, vector, source, priority, sync address, sequence, options, universe
_DMP = struct.Struct(">HBBHHHB")  # flags+length, vector, type, first address, increment, count, start code
_SYNC = struct.Struct(">HIBHH")  # flags+length, vector, sequence, sync address, reserved
DATA_PACKET_SIZE = _ROOT.size + _FRAMING.size + _DMP.size + SLOTS
SYNC_PACKET_SIZE = _ROOT.size + _SYNC.size
SEQUENCE_AT = _ROOT.size + 2 + 4 + 64 + 1 + 2
OPTIONS_AT = SEQUENCE_AT + 1
DATA_AT = DATA_PACKET_SIZE - SLOTS


def _flags_and_length(length: int) -> int:
    return 0x7000 | length


def universes_for(size: tuple[int, int]) -> int:
    return -(-size[0] * size[1] // PIXELS_PER_UNIVERSE)


def data_packet(cid: uuid.UUID, source: str, priority: int, sync: int, universe: int) -> bytearray:
    """A data packet of 510 zero slots with sequence number 0, to be filled in per frame."""
    total = DATA_PACKET_SIZE
    root = _ROOT.pack(0x0010, 0, _ACN_ID, _flags_and_length(total - 16), _VECTOR_ROOT_DATA, cid.bytes)
    name = source.encode()
    framing = _FRAMING.pack(
        _flags_and_length(total - _ROOT.size), _VECTOR_FRAMING_DATA, name, priority, sync, 0, 0, universe
    )
    dmp = _DMP.pack(
        _flags_and_length(total - _ROOT.size - _FRAMING.size),
        _VECTOR_DMP_SET_PROPERTY,
        _ADDRESS_AND_DATA_TYPE,
        0,
        1,
        SLOTS + 1,
        0,
    )
    return bytearray(root + framing + dmp + bytes(SLOTS))


def sync_packet(cid: uuid.UUID, sync: int, sequence: int) -> bytes:
    total = SYNC_PACKET_SIZE
    root = _ROOT.pack(0x0010, 0, _ACN_ID, _flags_and_length(total - 16), _VECTOR_ROOT_EXTENDED, cid.bytes)
    return root + _SYNC.pack(_flags_and_length(total - _ROOT.size), _VECTOR_FRAMING_SYNC, sequence, sync, 0)


def stable_cid(host: str, port: int, universe: int) -> uuid.UUID:
    """The same CID for the same sender and stream after a restart, as E1.31 asks of a component."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"hall-led-driver://{socket.gethostname()}/e131/{host}/{port}/{universe}")


class E131Output:
    max_fps: float | None = None

    def __init__(
        self,
        host: str,
        universe: int,
        port: int = PORT,
        sync: int | None = None,
        priority: int = DEFAULT_PRIORITY,
        source: str = DEFAULT_SOURCE,
        cid: uuid.UUID | None = None,
    ) -> None:
        form = "e131://HOST?universe=N"
        if not 1 <= universe <= MAX_UNIVERSE:
            raise OutputError(out_of_range(form, "universe", universe, 1, MAX_UNIVERSE))
        if sync is not None and not 1 <= sync <= MAX_UNIVERSE:
            raise OutputError(out_of_range(form, "sync", sync, 1, MAX_UNIVERSE))
        if not 0 <= priority <= 200:
            raise OutputError(out_of_range(form, "priority", priority, 0, 200))
        if len(source.encode()) > 63:
            raise OutputError(
                _("{form}: the source name {name} is longer than {limit} bytes in UTF-8").format(
                    form=form, name=repr(source), limit=63
                )
            )
        self.host, self.port, self.universe, self.sync = host, port, universe, sync
        self.priority, self.source = priority, source
        self.cid = cid if cid is not None else stable_cid(host, port, universe)
        self._sequence = 0
        self._sync_sequence = 0
        self._packets: list[bytearray] = []
        self._size: tuple[int, int] | None = None
        self._sock: socket.socket | None = None

    def open(self, size: tuple[int, int], mode: str) -> None:
        check_size(size, "e131")
        count = universes_for(size)
        last = self.universe + count - 1
        what = f"e131://{self.host}:{self.port}?universe={self.universe}"
        if last > MAX_UNIVERSE:
            raise OutputError(
                _(
                    "{output}: a {width}×{height} frame needs {count} universes, {first}…{last}, past the last "
                    "universe {highest}: start lower"
                ).format(
                    output=what,
                    width=size[0],
                    height=size[1],
                    count=count,
                    first=self.universe,
                    last=last,
                    highest=MAX_UNIVERSE,
                )
            )
        if self.sync is not None and self.universe <= self.sync <= last:
            raise OutputError(
                _(
                    "{output}: the sync universe {sync} is one of the frame's universes {first}…{last}: pick one "
                    "outside them"
                ).format(output=what, sync=self.sync, first=self.universe, last=last)
            )
        # The headers do not change from frame to frame: built once, only sequence and slots change.
        sync = self.sync or 0
        self._packets = [
            data_packet(self.cid, self.source, self.priority, sync, self.universe + i) for i in range(count)
        ]
        self._sock = _udp.connect_udp(self.host, self.port, what)
        self._size = size

    def show(self, frame: Image.Image) -> None:
        check_frame(frame, self._size, "e131")
        data = rgb_bytes(frame)
        self._send_frame(data.ljust(len(self._packets) * SLOTS, b"\x00"), options=0)
        if self.sync is not None:
            assert self._sock is not None
            _udp.send(self._sock, sync_packet(self.cid, self.sync, self._sync_sequence))
            self._sync_sequence = (self._sync_sequence + 1) % 256

    def close(self) -> None:
        if self._sock is not None:
            for _attempt in range(3):
                self._send_frame(None, options=_OPTION_STREAM_TERMINATED)
            self._sock.close()
            self._sock = None
        self._size = None

    def _send_frame(self, slots: bytes | None, options: int) -> None:
        """One packet to every universe, all with the next sequence number; `slots` None keeps the last data."""
        assert self._sock is not None
        view = memoryview(slots) if slots is not None else None
        for i, packet in enumerate(self._packets):
            packet[SEQUENCE_AT] = self._sequence
            packet[OPTIONS_AT] = options
            if view is not None:
                packet[DATA_AT:] = view[i * SLOTS : (i + 1) * SLOTS]
            _udp.send(self._sock, packet)
        self._sequence = (self._sequence + 1) % 256
