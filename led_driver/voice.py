"""Spoken calls: a chime, then "请A012号到3号窗口办理" in Mandarin through espeak-ng.

Speech runs on its own thread and never holds up the display. Calls wait in a queue; one that has
waited longer than `max_wait_s` is dropped (the wall still shows it), so after a burst of calls
the voice speaks the current one, not one from a minute ago.
"""

from __future__ import annotations

import io
import logging
import math
import queue
import shutil
import struct
import subprocess
import threading
import time
import wave
from collections.abc import Callable, Sequence

from content.shared.catalog import domain
from content.shared.wire.queue import Call

_ = domain("led").gettext
log = logging.getLogger("hall.led.voice")

RATE = 22050


def window_word(number: int | None, name: str) -> str:
    """How a call names its window: 3号窗口, or the window's name when it has no number."""
    return _("Window {number}").format(number=number) if number is not None else name


def call_sentence(ticket: str, number: int | None, name: str) -> str:
    """The whole call, as shown and said: 请A012号到3号窗口办理."""
    return _("Number {ticket}, please go to {window}").format(ticket=ticket, window=window_word(number, name))


def words_of(call: Call) -> str:
    """What is said for a call: the service's own sentence, else the call in the catalog's words."""
    return call.text or call_sentence(call.ticket, call.window_number, call.window_name)


def chime(rate: int = RATE) -> bytes:
    """Two soft tones (叮咚), as a WAV file."""
    frames = bytearray()
    for frequency, seconds in ((988.0, 0.25), (784.0, 0.45)):
        count = int(rate * seconds)
        for i in range(count):
            fade = min(1.0, (count - i) / (rate * 0.15))
            value = 0.35 * fade * math.sin(2 * math.pi * frequency * i / rate)
            frames += struct.pack("<h", int(value * 32767))
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(bytes(frames))
    return out.getvalue()


def fresh(queued_at: float, now: float, max_wait_s: float) -> bool:
    """Whether a call that has waited since `queued_at` is still worth saying."""
    return now - queued_at <= max_wait_s


class Voice:
    def __init__(
        self,
        *,
        max_wait_s: float = 10.0,
        player: Sequence[str] = ("aplay", "-q"),
        speaker: Sequence[str] = ("espeak-ng", "-v", "cmn", "-s", "140", "--stdout"),
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if shutil.which(speaker[0]) is None:
            raise RuntimeError(_("--voice needs {program}: apt-get install espeak-ng").format(program=speaker[0]))
        if shutil.which(player[0]) is None:
            raise RuntimeError(
                _("--voice needs {program} to play sound: apt-get install alsa-utils").format(program=player[0])
            )
        self.max_wait_s = max_wait_s
        self._player = list(player)
        self._speaker = list(speaker)
        self._monotonic = monotonic
        self._queue: queue.Queue[tuple[str, float] | None] = queue.Queue()
        self._chime = chime()
        self.spoken: list[str] = []
        self.dropped: list[str] = []
        self._thread = threading.Thread(target=self._run, name="voice", daemon=True)
        self._thread.start()

    def say(self, words: str) -> None:
        self._queue.put((words, self._monotonic()))

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            words, queued_at = item
            if not fresh(queued_at, self._monotonic(), self.max_wait_s):
                self.dropped.append(words)
                log.info(_("Not spoken, it waited too long: {words}").format(words=words))
                continue
            try:
                speech = subprocess.run([*self._speaker, words], capture_output=True, check=True, timeout=30).stdout
                for sound in (self._chime, speech):
                    subprocess.run(self._player, input=sound, capture_output=True, check=True, timeout=30)
                self.spoken.append(words)
            except (OSError, subprocess.SubprocessError) as exc:
                log.warning(_("Cannot speak {words}: {error}").format(words=words, error=exc))
