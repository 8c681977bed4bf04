"""Output drivers: spec parsing, files written, packets on the wire, pixels on a virtual screen."""

from __future__ import annotations

import os
import queue
import random
import re
import select
import shutil
import socket
import struct
import subprocess
import sys
import threading
import time
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageGrab, features

from led_driver.outputs import FORMS, MemoryOutput, OutputError, open_output
from led_driver.outputs import ddp as ddp_module
from led_driver.outputs import e131 as e131_module
from led_driver.outputs.ddp import DdpOutput
from led_driver.outputs.e131 import E131Output
from led_driver.outputs.gif import GifOutput
from led_driver.outputs.null import NullOutput
from led_driver.outputs.png import PngOutput
from led_driver.outputs.rgbmatrix import RgbMatrixOutput
from led_driver.outputs.window import WindowOutput

WAIT_S = 10.0


def noise(size: tuple[int, int], seed: int, mode: str = "RGB") -> Image.Image:
    """A frame where every byte differs from its neighbours, so a misplaced byte shows."""
    frame = Image.frombytes("RGB", size, random.Random(seed).randbytes(size[0] * size[1] * 3))
    return frame if mode == "RGB" else frame.convert(mode)


def blocks(size: tuple[int, int], seed: int) -> Image.Image:
    """A few solid colours in blocks: survives a GIF palette exactly."""
    colours = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)]
    frame = Image.new("RGB", size)
    for i, x in enumerate(range(0, size[0], 8)):
        frame.paste(colours[(i + seed) % len(colours)], (x, 0, x + 8, size[1]))
    return frame


def udp_receiver() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(WAIT_S)
    return sock


# --- specs -------------------------------------------------------------------------------------------


def test_specs_make_their_drivers(tmp_path: Path) -> None:
    png = open_output(f"png:{tmp_path}/frames")
    assert isinstance(png, PngOutput) and png.directory == tmp_path / "frames"

    gif = open_output(f"gif:{tmp_path}/preview.gif?fps=20&seconds=2")
    assert isinstance(gif, GifOutput) and gif.path == tmp_path / "preview.gif"
    assert (gif.max_fps, gif.capacity, gif.duration_ms) == (20, 40, 50)
    plain_gif = open_output("gif:preview.gif")
    assert isinstance(plain_gif, GifOutput) and (plain_gif.max_fps, plain_gif.capacity) == (10, 100)

    window = open_output("window?x=1920&y=0&fullscreen=1")
    assert isinstance(window, WindowOutput) and (window.x, window.y, window.fullscreen) == (1920, 0, True)
    assert isinstance(open_output("window"), WindowOutput)

    plain_ddp = open_output("ddp://10.0.0.5")
    assert isinstance(plain_ddp, DdpOutput) and (plain_ddp.host, plain_ddp.port) == ("10.0.0.5", 4048)
    ddp_v6 = open_output("ddp://[::1]:4049")
    assert isinstance(ddp_v6, DdpOutput) and (ddp_v6.host, ddp_v6.port) == ("::1", 4049)

    e131 = open_output("e131://wled-3.local:5569?universe=3&sync=99&priority=150&name=Hall%20A")
    assert isinstance(e131, E131Output)
    assert (e131.host, e131.port, e131.universe, e131.sync) == ("wled-3.local", 5569, 3, 99)
    assert (e131.priority, e131.source) == (150, "Hall A")
    plain_sacn = open_output("e131://10.0.0.6?universe=1")
    assert isinstance(plain_sacn, E131Output) and (plain_sacn.port, plain_sacn.sync) == (5568, None)

    assert isinstance(open_output(" null "), NullOutput)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("ddp://wall:x", "ddp://HOST[:PORT]：port 的值 'x' 不是数字"),
        ("ddp://wall:", "ddp://HOST[:PORT]：port 的值 '' 不是数字"),
        ("ddp://wall:70000", "ddp://HOST[:PORT]：port 的值 70000 必须在 1 到 65535 之间"),
        ("ddp://", "ddp://HOST[:PORT]：'ddp://' 缺少主机名"),
        ("ddp://fe80::1", "IPv6 地址须写在方括号中：[fe80::1]"),
        ("ddp://[fe80::1", "'ddp://[fe80::1' 中的 IPv6 地址写法不对：应写成 [::1] / [::1]:PORT"),
        ("ddp://user@wall", "'ddp://user@wall' 的主机名前面不能写用户名"),
        ("ddp://wall/strip", "'ddp://wall/strip' 的主机名后面多了 '/strip'"),
        ("ddp://wall?fps=30", "ddp://HOST[:PORT]：不接受任何选项，却收到了 'fps=30'"),
        ("e131://wall", "缺少 universe，例如 e131://wall?universe=1"),
        ("e131://wall?universe=0", "universe 的值 0 必须在 1 到 63999 之间"),
        ("e131://wall?universe=1&sync=64000", "sync 的值 64000 必须在 1 到 63999 之间"),
        ("e131://wall?universe=1&colour=red", "没有选项 'colour'：可用的选项有 universe, sync, priority, name"),
        ("e131://wall?universe=1&universe=2", "选项 'universe' 写了两次"),
        ("e131://wall?universe", "选项 'universe' 不是“名称=值”的形式"),
        ("e131://wall?universe=1&name=" + "x" * 64, "按 UTF-8 编码超过了 63 字节"),
        ("gif:", "gif:FILE[?fps=10&seconds=10]：缺少文件，例如 gif:preview.gif"),
        ("gif:a.gif?fps=ten", "fps 的值 'ten' 不是数字"),
        ("gif:a.gif?fps=60", "fps 的值 60 必须大于 0 且不超过 50"),
        ("gif:a.gif?seconds=0", "seconds 的值 0 必须大于 0"),
        ("png:", "png:DIR：缺少目录，例如 png:var/frames"),
        ("snapshot:wall.jpg", "请指定一个 .png 文件，例如 snapshot:var/wall.png"),
        ("window?fullscreen=maybe", "fullscreen 的值 'maybe' 应为 1 或 0"),
        ("window?x=left", "x 的值 'left' 不是数字"),
        ("window?width=100", "没有选项 'width'：可用的选项有 x, y, fullscreen"),
        ("rgbmatrix?brightness=150", "brightness 的值 150 必须在 1 到 100 之间"),
        ("rgbmatrix?led_rows=32", "没有选项 'led_rows'"),
        ("null?frames=1", "null：不接受任何选项"),
    ],
)
def test_bad_specs_say_what_is_wrong(spec: str, message: str) -> None:
    with pytest.raises(OutputError) as caught:
        open_output(spec)
    assert message in str(caught.value)
    # In the hall's language: no English sentence is left once the forms and what was given are taken out.
    said = str(caught.value).replace(spec, " ")
    for form in FORMS:
        said = said.replace(form, " ")
    assert not re.search(r"[A-Za-z]{2,}(?:\s+[A-Za-z']{2,}){2,}", said), said


def test_an_unknown_output_lists_the_accepted_forms() -> None:
    with pytest.raises(OutputError) as caught:
        open_output("hdmi:0")
    text = str(caught.value)
    assert text.startswith("未知的输出 'hdmi:0'：请使用以下之一：")
    for form in FORMS:
        assert form in text


def test_drivers_refuse_frames_before_open_and_of_another_size() -> None:
    output = NullOutput()
    with pytest.raises(RuntimeError, match="show\\(\\) before open\\(\\)"):
        output.show(Image.new("RGB", (4, 4)))
    output.open((4, 4), "RGB")
    with pytest.raises(ValueError, match="frame is 5×4, the output was opened at 4×4"):
        output.show(Image.new("RGB", (5, 4)))
    with pytest.raises(ValueError, match="empty"):
        NullOutput().open((0, 16), "1")


# --- memory, null, png, gif -----------------------------------------------------------------------------


def test_memory_keeps_copies_of_the_frames() -> None:
    output = MemoryOutput()
    output.open((8, 4), "1")
    frame = Image.new("1", (8, 4))
    output.show(frame)
    frame.putpixel((0, 0), 1)  # the caller draws the next frame into the same image
    output.show(frame)
    output.close()
    assert [bool(f.getpixel((0, 0))) for f in output.frames] == [False, True]
    assert (output.size, output.mode, output.closed) == ((8, 4), "1", True)


def test_null_counts_frames() -> None:
    output = open_output("null")
    assert isinstance(output, NullOutput)
    output.open((192, 64), "RGB")
    for _ in range(3):
        output.show(Image.new("RGB", (192, 64)))
    output.close()
    assert output.frames == 3


def test_png_writes_numbered_readable_frames(tmp_path: Path) -> None:
    output = open_output(f"png:{tmp_path}/a/frames")
    frames = [noise((192, 64), seed) for seed in range(3)]
    output.open((192, 64), "RGB")
    for frame in frames:
        output.show(frame)
    output.close()
    names = sorted(p.name for p in (tmp_path / "a/frames").iterdir())
    assert names == ["frame-000001.png", "frame-000002.png", "frame-000003.png"]
    for name, frame in zip(names, frames, strict=True):
        with Image.open(tmp_path / "a/frames" / name) as written:
            assert written.mode == "RGB" and written.tobytes() == frame.tobytes()


def test_png_keeps_single_colour_frames_single_colour(tmp_path: Path) -> None:
    output = open_output(f"png:{tmp_path}")
    frame = noise((64, 16), 7, mode="1")
    output.open((64, 16), "1")
    output.show(frame)
    output.close()
    with Image.open(tmp_path / "frame-000001.png") as written:
        assert written.mode == "1" and written.tobytes() == frame.tobytes()


def test_gif_has_the_frames_and_their_duration(tmp_path: Path) -> None:
    path = tmp_path / "preview.gif"
    output = open_output(f"gif:{path}?fps=20&seconds=1")
    assert output.max_fps == 20
    frames = [blocks((64, 16), seed) for seed in range(4)]
    output.open((64, 16), "RGB")
    for frame in frames:
        output.show(frame)
    assert not path.exists()  # written on close: fewer frames than fps × seconds
    output.close()
    with Image.open(path) as gif:
        assert gif.n_frames == 4 and gif.info["loop"] == 0
        for i, frame in enumerate(frames):
            gif.seek(i)
            assert gif.info["duration"] == 50
            assert gif.convert("RGB").tobytes() == frame.tobytes()


def test_gif_stops_at_fps_times_seconds_and_writes_then(tmp_path: Path) -> None:
    path = tmp_path / "preview.gif"
    output = open_output(f"gif:{path}?fps=10&seconds=0.5")
    output.open((64, 16), "RGB")
    for seed in range(5):
        output.show(blocks((64, 16), seed))
    assert path.exists()  # full: written without waiting for close
    for seed in range(5, 9):
        output.show(blocks((64, 16), seed))
    output.close()
    with Image.open(path) as gif:
        assert gif.n_frames == 5
        gif.seek(4)
        assert gif.info["duration"] == 100
        assert gif.convert("RGB").tobytes() == blocks((64, 16), 4).tobytes()  # the later frames were dropped


def test_gif_refuses_a_missing_directory(tmp_path: Path) -> None:
    output = open_output(f"gif:{tmp_path}/nowhere/preview.gif")
    with pytest.raises(OutputError, match=f"gif:{tmp_path}/nowhere/preview.gif：目录 {tmp_path}/nowhere 不存在"):
        output.open((64, 16), "RGB")


# --- DDP ---------------------------------------------------------------------------------------------


def receive_ddp_frame(sock: socket.socket) -> list[bytes]:
    """Packets up to and including the one with PUSH."""
    packets = []
    while True:
        packet = sock.recv(4096)
        packets.append(packet)
        if packet[0] & ddp_module.FLAG_PUSH:
            return packets


def reassemble(packets: list[bytes], first_sequence: int) -> bytes:
    """Check every header field and put the data together by offset."""
    data = bytearray()
    sequence = first_sequence
    for i, packet in enumerate(packets):
        flags, seq, kind, target, offset, length = struct.unpack(">BBBBIH", packet[:10])
        last = i == len(packets) - 1
        assert flags == (0x41 if last else 0x40), f"packet {i}: flags {flags:#x}"
        assert seq == sequence, f"packet {i}: sequence {seq}, expected {sequence}"
        assert (kind, target) == (0x0B, 1)
        assert length == len(packet) - 10 and 0 < length <= 1440
        assert offset == len(data)
        data += packet[10:]
        sequence = sequence % 15 + 1
    return bytes(data)


def test_ddp_packets_reassemble_into_the_frame() -> None:
    with udp_receiver() as receiver:
        port = receiver.getsockname()[1]
        output = open_output(f"ddp://127.0.0.1:{port}")
        output.open((192, 64), "RGB")
        try:
            first, second = noise((192, 64), 1), noise((192, 64), 2)
            output.show(first)
            packets = receive_ddp_frame(receiver)
            assert len(packets) == 26  # 192 × 64 × 3 = 36,864 bytes = 25 × 1440 + 864
            assert reassemble(packets, first_sequence=1) == first.tobytes()
            output.show(second)
            # 26 packets numbered 1…15, 1…11: the next frame goes on from 12.
            assert reassemble(receive_ddp_frame(receiver), first_sequence=12) == second.tobytes()
        finally:
            output.close()


def test_ddp_lights_single_colour_frames_white() -> None:
    with udp_receiver() as receiver:
        output = open_output(f"ddp://127.0.0.1:{receiver.getsockname()[1]}")
        frame = noise((64, 16), 3, mode="1")
        output.open((64, 16), "1")
        output.show(frame)
        output.close()
        data = reassemble(receive_ddp_frame(receiver), first_sequence=1)
    assert data == frame.convert("RGB").tobytes()
    assert set(data) == {0, 255}


def test_ddp_goes_on_when_nothing_listens() -> None:
    with udp_receiver() as probe:
        port = probe.getsockname()[1]  # free now that it is closed
    output = open_output(f"ddp://127.0.0.1:{port}")
    output.open((192, 64), "RGB")
    for seed in range(3):  # the "port unreachable" of one frame surfaces on the next send
        output.show(noise((192, 64), seed))
    output.close()


# --- sACN --------------------------------------------------------------------------------------------


class LoopbackSocket:
    """A socket for the sacn receiver (its ReceiverSocketBase interface), bound to 127.0.0.1.

    sacn's own UDP socket binds to every interface on Linux whatever bind_address says; the receiver
    takes a socket of our own instead. It also keeps every datagram, so the test sees the
    synchronization packets the receiver does not report.
    """

    def __init__(self) -> None:
        self._listener: Any = None  # the receiver's handler, wired in by the fixture
        self.sock = udp_receiver()
        self.sock.settimeout(0.1)  # how soon the receive loop notices stop()
        self.port: int = self.sock.getsockname()[1]
        self.datagrams: queue.Queue[bytes] = queue.Queue()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._receive, name="sacn test receiver")
        self._thread.start()

    def _receive(self) -> None:
        while not self._stopping.is_set():
            self._listener.on_periodic_callback(time.time())
            try:
                data = self.sock.recv(2048)
            except TimeoutError:
                continue
            self.datagrams.put(data)
            self._listener.on_data(list(data), time.time())

    def stop(self) -> None:
        # sACNreceiver.start() calls stop() first: like sacn's socket, only a started one stops.
        if self._thread is None:
            return
        self._stopping.set()
        self._thread.join(WAIT_S)
        self._thread = None
        self.sock.close()


@pytest.fixture
def sacn_receiver() -> Iterator[tuple[Any, LoopbackSocket]]:
    try:
        import sacn
    except ImportError:
        pytest.fail("the sacn package is missing: it is a dev dependency, pip install -e '.[dev]'")
    loopback = LoopbackSocket()
    receiver = sacn.sACNreceiver(socket=loopback)
    loopback._listener = receiver._handler  # wired the way sacn's own tests do
    yield receiver, loopback
    receiver.stop()
    loopback.sock.close()  # when the test failed before start()


def next_item(source: queue.Queue[Any]) -> Any:
    return source.get(timeout=WAIT_S)


def test_e131_frame_is_received_by_the_sacn_receiver(sacn_receiver: tuple[Any, LoopbackSocket]) -> None:
    from sacn.messages.sync_packet import SyncPacket

    receiver, loopback = sacn_receiver
    size = (40, 12)  # 480 pixels: 170 + 170 + 140 over universes 7, 8, 9
    packets: queue.Queue[Any] = queue.Queue()
    availability: queue.Queue[tuple[int, str]] = queue.Queue()
    for universe in (7, 8, 9):
        receiver.register_listener("universe", packets.put, universe=universe)
    receiver.register_listener("availability", lambda universe, changed: availability.put((universe, changed)))
    receiver.start()

    output = open_output(f"e131://127.0.0.1:{loopback.port}?universe=7&sync=100&name=Hall%20A")
    assert isinstance(output, E131Output)
    output.open(size, "RGB")
    try:
        for seed in (1, 2):
            frame = noise(size, seed)
            output.show(frame)
            received = {p.universe: p for p in (next_item(packets) for _ in range(3))}
            assert sorted(received) == [7, 8, 9]
            slots = b"".join(bytes(received[u].dmxData[:510]) for u in (7, 8, 9))
            assert slots[: 480 * 3] == frame.tobytes()
            assert slots[480 * 3 :] == bytes(30 * 3)  # the last universe padded with dark pixels
            for packet in received.values():
                assert bytes(packet.dmxData[510:]) == bytes(2)  # 510 slots, not 512
                assert (packet.priority, packet.syncAddr, packet.sourceName) == (100, 100, "Hall A")
                assert (packet.sequence, packet.dmxStartCode, packet.option_StreamTerminated) == (seed - 1, 0, False)
                assert bytes(packet.cid) == output.cid.bytes
            # On the wire: the three data packets, then the synchronization packet.
            datagrams = [next_item(loopback.datagrams) for _ in range(4)]
            assert [len(d) for d in datagrams] == [636, 636, 636, 49]
            assert struct.unpack(">HH", datagrams[3][16:18] + datagrams[3][38:40]) == (0x7000 | 33, 0x7000 | 11)
            sync = SyncPacket.make_sync_packet(list(datagrams[3]))
            assert (sync.syncAddr, sync.sequence, bytes(sync.cid)) == (100, seed - 1, output.cid.bytes)
    finally:
        output.close()
    assert {next_item(availability) for _ in range(3)} == {(7, "available"), (8, "available"), (9, "available")}
    # Stream_Terminated on close: the receiver lets go of the universes at once.
    terminated = {next_item(availability) for _ in range(3)}
    assert terminated == {(7, "timeout"), (8, "timeout"), (9, "timeout")}


def test_e131_without_sync_sends_no_sync_packets() -> None:
    with udp_receiver() as receiver:
        output = open_output(f"e131://127.0.0.1:{receiver.getsockname()[1]}?universe=1")
        output.open((20, 10), "1")  # 200 pixels: 2 universes
        frame = noise((20, 10), 5, mode="1")
        output.show(frame)
        datagrams = [receiver.recv(2048) for _ in range(2)]
        output.close()
        terminations = [receiver.recv(2048) for _ in range(6)]
    for d in datagrams:
        # What the sacn parser takes on trust: preamble, ACN id, and the three flags-and-lengths.
        assert d[:16] == b"\x00\x10\x00\x00ASC-E1.17\x00\x00\x00"
        lengths = [struct.unpack(">H", d[at : at + 2])[0] for at in (16, 38, 115)]
        assert lengths == [0x7000 | (636 - 16), 0x7000 | (636 - 38), 0x7000 | (636 - 115)]
        assert d[117:126] == bytes([0x02, 0xA1, 0, 0, 0, 1, 0x01, 0xFF, 0])  # DMP: 511 values from start code 0
    assert [struct.unpack(">H", d[113:115])[0] for d in datagrams] == [1, 2]
    assert all(struct.unpack(">H", d[109:111])[0] == 0 for d in datagrams)  # no synchronization address
    assert b"".join(d[126:] for d in datagrams)[: 200 * 3] == frame.convert("RGB").tobytes()
    assert [d[111] for d in terminations] == [1, 1, 2, 2, 3, 3]
    assert all(d[112] == 0x40 for d in terminations)


def test_e131_refuses_universes_it_cannot_use() -> None:
    with pytest.raises(
        OutputError, match="192×64 的画面需要 73 个 universe（63990…64062），超出了最大的 universe 63999"
    ):
        E131Output("127.0.0.1", universe=63990).open((192, 64), "RGB")
    with pytest.raises(OutputError, match="同步 universe 5 是画面所用的 universe（1…73）之一"):
        E131Output("127.0.0.1", universe=1, sync=5).open((192, 64), "RGB")
    assert e131_module.universes_for((192, 64)) == 73


# --- window ------------------------------------------------------------------------------------------


@pytest.fixture
def xvfb(tmp_path: Path) -> Iterator[str]:
    """A virtual screen on a display number Xvfb picks itself (-displayfd), stopped afterwards."""
    binary = shutil.which("Xvfb")
    if binary is None:
        pytest.fail("Xvfb is not installed, and the window output is tested on a virtual screen: use scripts/dev test")
    if not features.check("xcb"):
        pytest.skip("this Pillow was built without XCB, so the virtual screen cannot be read back")
    read_end, write_end = os.pipe()
    with (tmp_path / "xvfb.log").open("wb") as log:
        server = subprocess.Popen(
            [binary, "-displayfd", str(write_end), "-screen", "0", "640x480x24", "-br", "-nolisten", "tcp"],
            pass_fds=(write_end,),
            stdout=log,
            stderr=log,
        )
    os.close(write_end)
    try:
        number = b""
        while not number.endswith(b"\n"):
            ready, _, _ = select.select([read_end], [], [], WAIT_S)
            chunk = os.read(read_end, 16) if ready else b""
            if not chunk:
                pytest.fail(f"Xvfb did not start: {(tmp_path / 'xvfb.log').read_text(errors='replace')}")
            number += chunk
        yield f":{number.decode().strip()}"
    finally:
        os.close(read_end)
        server.terminate()
        server.wait(WAIT_S)


# Tk keeps its X connection after the window is destroyed, and Xlib ends the process when that
# server goes away: each window lives in a child process, so pytest never loads Tk.
WINDOW_CHILD = """
import sys
from PIL import Image
from led_driver.outputs import open_output

frames = [Image.open(path) for path in sys.argv[2:]]
for frame in frames:
    frame.load()
output = open_output(sys.argv[1])
output.open(frames[0].size, frames[0].mode)
for line in sys.stdin:
    output.show(frames[int(line)])
    print("shown", flush=True)
output.close()
"""


@contextmanager
def window_process(
    spec: str, frames: list[Image.Image], display: str, tmp_path: Path
) -> Iterator[Callable[[int], None]]:
    """A child process showing `frames` through the output `spec`; the function shows frame i and waits."""
    paths = []
    for i, frame in enumerate(frames):
        paths.append(str(tmp_path / f"frame-{i}.png"))
        frame.save(paths[-1])
    log = tmp_path / "window.log"
    with log.open("w") as stderr:
        child = subprocess.Popen(
            [sys.executable, "-c", WINDOW_CHILD, spec, *paths],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env={**os.environ, "DISPLAY": display},
        )
    assert child.stdin is not None and child.stdout is not None
    stdin, stdout = child.stdin, child.stdout

    def show(i: int) -> None:
        stdin.write(f"{i}\n")
        stdin.flush()
        ready, _, _ = select.select([stdout], [], [], WAIT_S)
        if not ready or stdout.readline() != "shown\n":
            pytest.fail(f"the window process did not show frame {i}: {log.read_text()}")

    try:
        yield show
        stdin.close()
        assert child.wait(WAIT_S) == 0, log.read_text()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(WAIT_S)
        stdout.close()


def screen_shows(display: str, box: tuple[int, int, int, int], frame: Image.Image) -> Image.Image:
    """The screen's pixels in `box`, as soon as they are the frame's (or what they are after WAIT_S)."""
    deadline = time.monotonic() + WAIT_S
    expected = frame.convert("RGB").tobytes()
    while True:
        shot = ImageGrab.grab(bbox=box, xdisplay=display)
        if shot.tobytes() == expected or time.monotonic() > deadline:
            return shot


@pytest.mark.skipif(sys.platform != "linux", reason="the virtual screen is Xvfb")
def test_window_shows_frames_where_the_sending_card_reads(xvfb: str, tmp_path: Path) -> None:
    frames = [noise((192, 64), seed) for seed in (1, 2)]
    with window_process("window?x=100&y=50", frames, xvfb, tmp_path) as show:
        for i, frame in enumerate(frames):
            show(i)
            assert screen_shows(xvfb, (100, 50, 292, 114), frame).tobytes() == frame.tobytes()
        around = ImageGrab.grab(bbox=(0, 0, 640, 50), xdisplay=xvfb)
        assert around.getextrema() == ((0, 0), (0, 0), (0, 0))  # no border, nothing drawn above it


@pytest.mark.skipif(sys.platform != "linux", reason="the virtual screen is Xvfb")
def test_window_shows_single_colour_frames(xvfb: str, tmp_path: Path) -> None:
    frame = noise((64, 16), 4, mode="1")
    with window_process("window", [frame], xvfb, tmp_path) as show:
        show(0)
        assert screen_shows(xvfb, (0, 0, 64, 16), frame).tobytes() == frame.convert("RGB").tobytes()


@pytest.mark.skipif(sys.platform != "linux", reason="DISPLAY is an X11 matter")
def test_window_without_a_display_says_so() -> None:
    with pytest.raises(OutputError, match=r"^window：没有显示器（未设置 DISPLAY）"):
        WindowOutput(environ={}).open((192, 64), "RGB")


# --- rgbmatrix ---------------------------------------------------------------------------------------


def rgbmatrix_installed() -> bool:
    try:
        import rgbmatrix  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.skipif(rgbmatrix_installed(), reason="rgbmatrix is installed here")
def test_rgbmatrix_missing_says_how_to_get_it() -> None:
    with pytest.raises(OutputError) as caught:
        open_output("rgbmatrix?rows=32&cols=64&chain=3")
    message = str(caught.value)
    assert message.startswith("rgbmatrix：未安装 rgbmatrix 模块（rpi-rgb-led-matrix）")
    assert "https://github.com/hzeller/rpi-rgb-led-matrix" in message


class FakeCanvas:
    def __init__(self) -> None:
        self.images: list[Image.Image] = []

    def SetImage(self, image: Image.Image) -> None:
        self.images.append(image.copy())


class FakeMatrix:
    """What the bindings do: two canvases, the swap shows one and hands back the other."""

    def __init__(self, options: types.SimpleNamespace) -> None:
        self.options = options
        self.width = options.cols * options.chain_length
        self.height = options.rows * options.parallel
        self.on_screen, self.off_screen = FakeCanvas(), FakeCanvas()
        self.shown: list[FakeCanvas] = []
        self.cleared = False

    def CreateFrameCanvas(self) -> FakeCanvas:
        return self.off_screen

    def SwapOnVSync(self, canvas: FakeCanvas) -> FakeCanvas:
        assert canvas is self.off_screen
        self.on_screen, self.off_screen = canvas, self.on_screen
        self.shown.append(canvas)
        return self.off_screen

    def Clear(self) -> None:
        self.cleared = True


def fake_rgbmatrix(made: list[FakeMatrix]) -> Callable[[], types.ModuleType]:
    def options() -> types.SimpleNamespace:
        return types.SimpleNamespace(rows=32, cols=32, chain_length=1, parallel=1)

    def matrix(options: types.SimpleNamespace) -> FakeMatrix:
        made.append(FakeMatrix(options))
        return made[-1]

    module = types.ModuleType("rgbmatrix")
    module.RGBMatrixOptions = options  # type: ignore[attr-defined]
    module.RGBMatrix = matrix  # type: ignore[attr-defined]
    return lambda: module


def test_rgbmatrix_sets_options_and_swaps_on_vsync() -> None:
    made: list[FakeMatrix] = []
    options = {
        "rows": 16,
        "cols": 64,
        "chain": 3,
        "brightness": 60,
        "mapping": "adafruit-hat",
        "drop_privileges": False,
    }
    output = RgbMatrixOutput(options, load=fake_rgbmatrix(made))
    output.open((192, 16), "1")
    (matrix,) = made
    assert vars(matrix.options) == {
        "rows": 16,
        "cols": 64,
        "chain_length": 3,
        "parallel": 1,
        "brightness": 60,
        "hardware_mapping": "adafruit-hat",
        "drop_privileges": False,
    }
    first, second = noise((192, 16), 1, mode="1"), noise((192, 16), 2, mode="1")
    output.show(first)
    output.show(second)
    output.close()
    a, b = matrix.shown
    assert a is not b  # drawn off screen, swapped in, the returned canvas drawn next
    assert [i.tobytes() for i in a.images] == [first.convert("RGB").tobytes()]
    assert [i.tobytes() for i in b.images] == [second.convert("RGB").tobytes()]
    assert matrix.cleared


def test_rgbmatrix_refuses_panels_of_another_size() -> None:
    output = RgbMatrixOutput({"rows": 32, "cols": 64, "chain": 2}, load=fake_rgbmatrix([]))
    with pytest.raises(OutputError, match=r"面板为 128×32（.*），而画面为 192×64"):
        output.open((192, 64), "RGB")
