"""Small images without Pillow: PNG writing for capture photos, PNG/JPEG reading for the face check.

``inspect_image`` measures what the face check (2.14.16) judges: the format and size from the header, and
from the pixels whether the picture has colour and how bright it is.

- PNG: the scanlines are inflated with zlib and unfiltered in pure Python (8-bit greyscale, RGB, palette,
  with or without alpha; interlaced or 16-bit images are judged on their header only).
- JPEG: baseline (SOF0/SOF1) pictures are entropy-decoded for their DC coefficients only: each 8x8 block's
  average luma and chroma, which is exactly what brightness and colour need. A 1-component JPEG is grey.
  Progressive JPEGs are judged on the header only.

Decoding stops after a pixel budget (the top of a very large picture is what gets measured), so a hostile
upload costs bounded time.
"""

from __future__ import annotations

import base64
import binascii
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

__all__ = ["ImageInfo", "decode_base64_image", "encode_png", "inspect_image", "solid_png"]

MAX_PIXELS = 40_000_000  # a header claiming more is refused outright
PIXEL_BUDGET = 1_500_000  # samples decoded at most (PNG bytes / JPEG blocks x 64)
MAX_BASE64 = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ImageInfo:
    format: str  # "png" or "jpeg"
    width: int
    height: int
    colour: bool | None  # None: not measured
    brightness: float | None  # mean luma 0..255, None: not measured

    @property
    def pixels(self) -> int:
        return self.width * self.height


class ImageError(ValueError):
    """Not a PNG or JPEG this module can read."""


def decode_base64_image(text: str) -> bytes:
    """The bytes of a base64 photo (an optional ``data:...;base64,`` prefix allowed); ImageError otherwise."""
    text = text.strip()
    if text.startswith("data:") and "," in text:
        text = text.split(",", 1)[1]
    if not text or len(text) > MAX_BASE64:
        raise ImageError("empty or oversized photo")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=False)
    except (binascii.Error, ValueError):
        raise ImageError("not base64") from None


def inspect_image(data: bytes) -> ImageInfo:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _inspect_png(data)
    if data.startswith(b"\xff\xd8"):
        return _inspect_jpeg(data)
    raise ImageError("neither PNG nor JPEG")


# -- PNG -------------------------------------------------------------------------------------------


def encode_png(width: int, height: int, rgb: Sequence[tuple[int, int, int]] | bytes) -> bytes:
    """An 8-bit RGB PNG; ``rgb`` is width*height pixels (tuples) or raw RGB bytes, row by row."""
    raw = rgb if isinstance(rgb, bytes) else bytes(c for px in rgb for c in px)
    if len(raw) != width * height * 3:
        raise ValueError("pixel data does not match the size")
    stride = width * 3
    scan = b"".join(b"\x00" + raw[y * stride : (y + 1) * stride] for y in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(scan, 6)) + chunk(b"IEND", b"")


@cache
def solid_png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    return encode_png(width, height, bytes(rgb) * (width * height))


def _inspect_png(data: bytes) -> ImageInfo:
    pos = 8
    ihdr: tuple[int, ...] | None = None
    palette = b""
    idat: list[bytes] = []
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if len(body) != length:
            raise ImageError("truncated PNG chunk")
        pos += 12 + length
        if kind == b"IHDR":
            if length != 13:
                raise ImageError("bad IHDR")
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"PLTE":
            palette = body
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    if ihdr is None or not idat:
        raise ImageError("PNG without IHDR or IDAT")
    width, height, depth, ctype, _, _, interlace = ihdr
    if width <= 0 or height <= 0 or width * height > MAX_PIXELS:
        raise ImageError("implausible PNG size")
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}.get(ctype)
    if channels is None or depth not in (1, 2, 4, 8, 16):
        raise ImageError("unknown PNG colour type")
    grey_type = ctype in (0, 4)
    if interlace or depth != 8:
        return ImageInfo("png", width, height, None if not grey_type else False, None)
    bpp = channels
    stride = width * bpp
    rows_wanted = max(1, min(height, PIXEL_BUDGET // max(1, stride)))
    inflater = zlib.decompressobj()
    need = rows_wanted * (stride + 1)
    raw = b""
    try:
        for part in idat:
            raw += inflater.decompress(part, need - len(raw))
            if len(raw) >= need:
                break
    except zlib.error:
        raise ImageError("corrupt PNG data") from None
    if len(raw) < stride + 1:
        raise ImageError("PNG data too short")
    rows = _unfilter(raw, stride, bpp, min(rows_wanted, len(raw) // (stride + 1)))
    if ctype == 3 and len(palette) < 3:
        raise ImageError("palette PNG without palette")
    colour_sum = luma_sum = count = 0
    for row in rows:
        for x in range(0, stride, bpp * _step(width)):
            if ctype in (0, 4):
                r = g = b = row[x]
            elif ctype == 3:
                i = row[x] * 3
                r, g, b = palette[i : i + 3] if i + 3 <= len(palette) else (0, 0, 0)
            else:
                r, g, b = row[x], row[x + 1], row[x + 2]
            colour_sum += max(r, g, b) - min(r, g, b)
            luma_sum += 299 * r + 587 * g + 114 * b
            count += 1
    if count == 0:
        raise ImageError("no pixels")
    return ImageInfo("png", width, height, colour_sum / count >= 8.0, luma_sum / count / 1000.0)


def _step(width: int) -> int:
    """Sample at most ~256 pixels per row."""
    return max(1, width // 256)


def _unfilter(raw: bytes, stride: int, bpp: int, nrows: int) -> list[bytes]:
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(nrows):
        start = y * (stride + 1)
        ftype = raw[start]
        line = bytearray(raw[start + 1 : start + 1 + stride])
        if ftype == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif ftype == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, prev, strict=True))
        elif ftype == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif ftype == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        elif ftype != 0:
            raise ImageError("bad PNG filter")
        rows.append(bytes(line))
        prev = line
    return rows


# -- JPEG ------------------------------------------------------------------------------------------

class _Huffman:
    """A JPEG Huffman table in the decoding form of ITU T.81 F.2.2.3 (maxcode/valptr per length)."""

    def __init__(self, counts: bytes, symbols: bytes) -> None:
        self.symbols = symbols
        self.maxcode = [-1] * 18
        self.valptr = [0] * 17
        self.mincode = [0] * 17
        code = k = 0
        for length in range(1, 17):
            n = counts[length - 1]
            if n:
                self.valptr[length] = k
                self.mincode[length] = code
                code += n
                k += n
                self.maxcode[length] = code - 1
            code <<= 1
        self.maxcode[17] = 1 << 30


class _Bits:
    def __init__(self, data: bytes, pos: int) -> None:
        self.data = data
        self.pos = pos
        self.acc = 0
        self.n = 0

    def bit(self) -> int:
        if self.n == 0:
            if self.pos >= len(self.data):
                raise ImageError("JPEG data ended")
            byte = self.data[self.pos]
            if byte == 0xFF:
                nxt = self.data[self.pos + 1] if self.pos + 1 < len(self.data) else 0
                if nxt == 0x00:
                    self.pos += 2
                elif 0xD0 <= nxt <= 0xD7:
                    raise ImageError("unexpected restart marker")
                else:
                    raise ImageError("JPEG data ended at a marker")
            else:
                self.pos += 1
            self.acc = byte
            self.n = 8
        self.n -= 1
        return (self.acc >> self.n) & 1

    def bits(self, count: int) -> int:
        value = 0
        for _ in range(count):
            value = (value << 1) | self.bit()
        return value

    def decode(self, table: _Huffman) -> int:
        code = self.bit()
        length = 1
        while code > table.maxcode[length]:
            code = (code << 1) | self.bit()
            length += 1
            if length > 16:
                raise ImageError("bad Huffman code")
        index = table.valptr[length] + code - table.mincode[length]
        if index >= len(table.symbols):
            raise ImageError("bad Huffman code")
        return table.symbols[index]

    def restart(self) -> None:
        self.n = 0
        while self.pos + 1 < len(self.data):
            if self.data[self.pos] == 0xFF and 0xD0 <= self.data[self.pos + 1] <= 0xD7:
                self.pos += 2
                return
            self.pos += 1


def _extend(value: int, size: int) -> int:
    return value - (1 << size) + 1 if size and value < (1 << (size - 1)) else value


def _inspect_jpeg(data: bytes) -> ImageInfo:
    pos = 2
    qtables: dict[int, int] = {}  # table id -> DC quantiser
    dc_tables: dict[int, _Huffman] = {}
    ac_tables: dict[int, _Huffman] = {}
    frame: tuple[int, int, list[tuple[int, int, int, int]]] | None = None
    progressive = False
    restart_interval = 0
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            raise ImageError("JPEG marker expected")
        marker = data[pos + 1]
        if marker == 0xFF:
            pos += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        body = data[pos + 4 : pos + 2 + length]
        if len(body) != length - 2:
            raise ImageError("truncated JPEG segment")
        if marker == 0xDB:
            i = 0
            while i < len(body):
                precision, tid = body[i] >> 4, body[i] & 15
                qtables[tid] = body[i + 1] if precision == 0 else struct.unpack(">H", body[i + 1 : i + 3])[0]
                i += 1 + (64 if precision == 0 else 128)
        elif marker == 0xC4:
            i = 0
            while i + 17 <= len(body):
                cls, tid = body[i] >> 4, body[i] & 15
                counts = body[i + 1 : i + 17]
                total = sum(counts)
                table = _Huffman(counts, body[i + 17 : i + 17 + total])
                (dc_tables if cls == 0 else ac_tables)[tid] = table
                i += 17 + total
        elif marker == 0xDD:
            (restart_interval,) = struct.unpack(">H", body[:2])
        elif marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            height, width = struct.unpack(">HH", body[1:5])
            ncomp = body[5]
            comps = [(body[6 + 3 * k], body[7 + 3 * k] >> 4, body[7 + 3 * k] & 15, body[8 + 3 * k])
                     for k in range(ncomp)]
            frame = (width, height, comps)
            progressive = marker not in (0xC0, 0xC1)
        elif marker == 0xDA:
            if frame is None:
                raise ImageError("scan before frame")
            width, height, comps = frame
            if width <= 0 or height <= 0 or width * height > MAX_PIXELS:
                raise ImageError("implausible JPEG size")
            if len(comps) == 1:
                colour: bool | None = False
            else:
                colour = None
            if progressive or len(comps) not in (1, 3):
                return ImageInfo("jpeg", width, height, colour, None)
            scan_ids = [body[1 + 2 * k] for k in range(body[0])]
            if sorted(scan_ids) != sorted(c[0] for c in comps):
                return ImageInfo("jpeg", width, height, colour, None)
            tables = {body[1 + 2 * k]: (body[2 + 2 * k] >> 4, body[2 + 2 * k] & 15) for k in range(body[0])}
            return _dc_scan(data, pos + 2 + length, width, height, comps, tables, qtables, dc_tables, ac_tables,
                            restart_interval)
        elif marker == 0xD9:
            break
        pos += 2 + length
    raise ImageError("JPEG without a frame and scan")


def _dc_scan(
    data: bytes,
    pos: int,
    width: int,
    height: int,
    comps: list[tuple[int, int, int, int]],
    tables: dict[int, tuple[int, int]],
    qtables: dict[int, int],
    dc_tables: dict[int, _Huffman],
    ac_tables: dict[int, _Huffman],
    restart_interval: int,
) -> ImageInfo:
    hmax = max(c[1] for c in comps) or 1
    vmax = max(c[2] for c in comps) or 1
    mcus_x = -(-width // (8 * hmax))
    mcus_y = -(-height // (8 * vmax))
    blocks_per_mcu = sum(c[1] * c[2] for c in comps)
    budget = max(1, PIXEL_BUDGET // (64 * blocks_per_mcu))
    total = min(mcus_x * mcus_y, budget)
    try:
        plan = [(c[0], c[1] * c[2], dc_tables[tables[c[0]][0]], ac_tables[tables[c[0]][1]], qtables.get(c[3], 1))
                for c in comps]
    except KeyError:
        raise ImageError("JPEG table missing") from None
    bits = _Bits(data, pos)
    luma_id = comps[0][0]
    preds = {c[0]: 0 for c in comps}
    sums = {c[0]: 0.0 for c in comps}
    counts = {c[0]: 0 for c in comps}
    try:
        for mcu in range(total):
            if restart_interval and mcu and mcu % restart_interval == 0:
                bits.restart()
                preds = dict.fromkeys(preds, 0)
            for cid, nblocks, dct, act, q in plan:
                for _ in range(nblocks):
                    size = bits.decode(dct)
                    diff = _extend(bits.bits(size), size) if size else 0
                    preds[cid] += diff
                    mean = preds[cid] * q / 8.0  # the block's average, level-shifted
                    sums[cid] += mean if cid == luma_id else abs(mean)
                    counts[cid] += 1
                    k = 1
                    while k < 64:
                        rs = bits.decode(act)
                        run, sz = rs >> 4, rs & 15
                        if sz == 0:
                            if run != 15:
                                break
                            k += 16
                            continue
                        k += run
                        bits.bits(sz)
                        k += 1
    except ImageError:
        if not any(counts.values()):
            raise
    ids = [c[0] for c in comps]
    if not counts[ids[0]]:
        raise ImageError("no JPEG blocks decoded")
    luma = 128.0 + sums[ids[0]] / counts[ids[0]]
    colour: bool | None = False
    if len(ids) == 3:
        chroma = sum(sums[cid] / max(1, counts[cid]) for cid in ids[1:])
        colour = chroma >= 3.0
    return ImageInfo("jpeg", width, height, colour, max(0.0, min(255.0, luma)))
