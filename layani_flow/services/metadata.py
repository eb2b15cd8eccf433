"""Removing what an image says about who made it, for files an anonymous filer attaches.

A phone photo's EXIF can hold the camera's owner, its serial number, the GPS position and the time; a PNG's
text chunks can hold an author or software names. Pure Python, no image library: the picture itself is
left byte for byte, only the metadata segments are dropped.
- JPEG: APP1 (EXIF, XMP), APP2–APP15 other than the colour profile (APP2 ICC), APP13 (IPTC) and COM go.
- PNG: tEXt, zTXt, iTXt, eXIf and tIME chunks go.
- PDF: left as it is. Rewriting one safely needs a PDF library this app does not carry; the anonymous form
  says so, and the case never records who sent it (services/anonymity.py) either way.
"""
from __future__ import annotations

import struct


class Unreadable(ValueError):
    """The file is not the well-formed JPEG or PNG its first bytes claim."""


def without_metadata(content: bytes, content_type: str) -> bytes:
    if content_type == "image/jpeg":
        return _jpeg(content)
    if content_type == "image/png":
        return _png(content)
    return content


_JPEG_KEEP_APP = {0xE0, 0xE2, 0xEE}  # JFIF, ICC profile, Adobe (colour transform): the picture needs them
_PNG_DROP = {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"}


def _jpeg(data: bytes) -> bytes:
    if data[:2] != b"\xff\xd8":
        raise Unreadable("not a JPEG")
    out, i = bytearray(b"\xff\xd8"), 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            raise Unreadable("JPEG segment expected")
        marker = data[i + 1]
        if marker == 0xDA:  # start of scan: the compressed picture follows, up to the end
            out += data[i:]
            return bytes(out)
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        end = i + 2 + length
        if length < 2 or end > len(data):
            raise Unreadable("JPEG segment runs past the end")
        is_metadata = marker == 0xFE or (0xE1 <= marker <= 0xEF and marker not in _JPEG_KEEP_APP)
        if not is_metadata:
            out += data[i:end]
        i = end
    raise Unreadable("JPEG without a picture")


def _png(data: bytes) -> bytes:
    signature = b"\x89PNG\r\n\x1a\n"
    if not data.startswith(signature):
        raise Unreadable("not a PNG")
    out, i = bytearray(signature), len(signature)
    while i + 12 <= len(data):
        length = struct.unpack(">I", data[i:i + 4])[0]
        kind = data[i + 4:i + 8]
        end = i + 12 + length
        if end > len(data):
            raise Unreadable("PNG chunk runs past the end")
        if kind not in _PNG_DROP:
            out += data[i:end]
        i = end
        if kind == b"IEND":
            return bytes(out)
    raise Unreadable("PNG without its end")
