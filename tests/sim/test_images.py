"""The face check judges real encoder output: PNG and JPEG written by Qt (a test-only tool here)."""

from __future__ import annotations

import base64

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QColor, QImage

from console.sim.images import ImageError, inspect_image
from console.sim.rules import face_check, national_id_ok


def _encode(width: int, height: int, rgb: tuple[int, int, int], fmt: str, *, grey: bool = False) -> bytes:
    image = QImage(width, height, QImage.Format.Format_Grayscale8 if grey else QImage.Format.Format_RGB32)
    image.fill(QColor(*rgb))
    for x in range(0, width, 3):  # some structure, so that encoders use real filters/coefficients
        for y in range(0, height, 5):
            image.setPixelColor(x, y, QColor(min(255, rgb[0] + 20), rgb[1], max(0, rgb[2] - 20)))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert image.save(buffer, fmt, 90)  # type: ignore[call-overload]  # str works at run time
    buffer.close()
    return bytes(data.data())


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.mark.parametrize("fmt", ["PNG", "JPG"])
@pytest.mark.parametrize(
    ("size", "rgb", "grey", "code"),
    [
        ((400, 300), (190, 140, 120), False, 0),
        ((240, 240), (190, 140, 120), False, -5001),
        ((400, 300), (128, 128, 128), True, -5006),
        ((400, 300), (30, 20, 15), False, -5010),
        ((400, 300), (252, 248, 240), False, -5009),
    ],
)
def test_face_check_on_encoder_output(fmt: str, size: tuple[int, int], rgb: tuple[int, int, int], grey: bool,
                                      code: int) -> None:
    data = _encode(*size, rgb, fmt, grey=grey)
    info = inspect_image(data)
    assert (info.width, info.height) == size
    assert face_check(_b64(data)) == code


def test_a_truncated_or_foreign_file_is_an_invalid_photo() -> None:
    jpeg = _encode(400, 300, (190, 140, 120), "JPG")
    assert face_check(_b64(b"GIF89a" + jpeg[6:])) == -27
    assert face_check(_b64(jpeg[:300])) == -27
    assert face_check("%%%not base64%%%") == -27
    assert face_check("data:image/jpeg;base64," + _b64(jpeg)) == 0
    with pytest.raises(ImageError):
        inspect_image(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)


def test_a_header_claiming_a_gigantic_picture_is_refused_without_decoding() -> None:
    png = bytearray(_encode(400, 300, (190, 140, 120), "PNG"))
    png[16:24] = (100_000).to_bytes(4, "big") * 2  # IHDR width and height (CRC left stale: header only)
    with pytest.raises(ImageError):
        inspect_image(bytes(png))


def test_national_id_check_digit() -> None:
    assert national_id_ok("11010519491231002X")  # the standard's example
    assert not national_id_ok("110105194912310021")
    assert not national_id_ok("11010519491331002X")  # month 13
    assert not national_id_ok("1101051949123100")
