"""QR codes as Kivy textures, made with `qrcode` (its module matrix, no image library)."""

from __future__ import annotations

from typing import Any

import qrcode


def qr_matrix(text: str) -> list[list[bool]]:
    """The modules of `text`'s QR code, with the quiet zone, True for dark."""
    code = qrcode.QRCode(border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(text)
    code.make(fit=True)
    return [[bool(cell) for cell in row] for row in code.get_matrix()]


def qr_texture(text: str, module_px: int = 8) -> Any:
    """A texture of the code, `module_px` pixels a module (drawn crisp with the nearest filter)."""
    from kivy.graphics.texture import Texture

    matrix = qr_matrix(text)
    size = len(matrix) * module_px
    rows = []
    for row in reversed(matrix):  # textures start at the bottom
        line = b"".join((b"\x00\x00\x00" if dark else b"\xff\xff\xff") * module_px for dark in row)
        rows.extend([line] * module_px)
    texture = Texture.create(size=(size, size), colorfmt="rgb")
    texture.blit_buffer(b"".join(rows), colorfmt="rgb", bufferfmt="ubyte")
    texture.mag_filter = "nearest"
    texture.min_filter = "nearest"
    return texture
