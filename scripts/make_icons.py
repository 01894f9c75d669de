"""Draw the app icons as PNGs with the standard library only (the same design as icon.svg)."""

import struct
import sys
import zlib
from pathlib import Path

BLUE = (0x1D, 0x70, 0xB8)
WHITE = (0xFF, 0xFF, 0xFF)


def pixel(x: float, y: float, maskable: bool) -> tuple[int, int, int]:
    # Coordinates in the 64-unit design space of icon.svg; maskable icons keep a safe zone.
    if maskable:
        x, y = 32 + (x - 32) / 0.8, 32 + (y - 32) / 0.8
    in_book = 17 <= x <= 47 and 10 <= y <= 54
    ring = 6.5 <= ((x - 32) ** 2 + (y - 27) ** 2) ** 0.5 <= 9.5
    bar = 23 <= x <= 41 and 41 <= y <= 44
    if in_book and not ring and not bar:
        return WHITE
    return BLUE


def png(size: int, maskable: bool) -> bytes:
    rows = b""
    for j in range(size):
        row = bytearray(b"\x00")
        for i in range(size):
            row += bytes(pixel((i + 0.5) * 64 / size, (j + 0.5) * 64 / size, maskable))
        rows += bytes(row)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "passport/static/icons")
    (out / "icon-192.png").write_bytes(png(192, False))
    (out / "icon-512.png").write_bytes(png(512, False))
    (out / "icon-maskable-512.png").write_bytes(png(512, True))
