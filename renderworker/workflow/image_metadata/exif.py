"""A minimal TIFF/EXIF reader: IFD0 strings and the Exif IFD's UserComment.

ComfyUI's WebP output stores ``"prompt:" + json`` in tag 0x0110 (Model) and
``"workflow:" + json`` in 0x010F (Make), further extra keys in 0x010E downwards.
Automatic1111 stores its parameters in UserComment (0x9286) with an 8-byte charset prefix.
"""

from __future__ import annotations

import struct

from .common import decode_metadata_text

EXIF_HEADER = b"Exif\x00\x00"
_TAG_EXIF_IFD = 0x8769
_TAG_USER_COMMENT = 0x9286
_TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8}
_MAX_IFD_ENTRIES = 1000


def read_exif(tiff: bytes) -> tuple[dict[int, str], str | None]:
    """Return IFD0 string tags and the decoded UserComment; malformed data yields what was read."""
    if tiff.startswith(EXIF_HEADER):
        tiff = tiff[len(EXIF_HEADER) :]
    if len(tiff) < 8 or tiff[:2] not in (b"II", b"MM"):
        return {}, None
    order = "<" if tiff[:2] == b"II" else ">"
    (first_ifd,) = struct.unpack(order + "I", tiff[4:8])
    strings: dict[int, str] = {}
    user_comment: str | None = None
    entries = _read_ifd(tiff, first_ifd, order)
    exif_ifd_offset: int | None = None
    for tag, type_, raw in entries:
        if type_ in (2, 7) and 0x0100 <= tag <= 0x01FF:
            strings[tag] = decode_metadata_text(raw.rstrip(b"\x00"))
        if tag == _TAG_EXIF_IFD and type_ in (4, 13) and len(raw) >= 4:
            (exif_ifd_offset,) = struct.unpack(order + "I", raw[:4])
        if tag == _TAG_USER_COMMENT:
            user_comment = decode_user_comment(raw, byte_order=order)
    if exif_ifd_offset is not None and exif_ifd_offset != first_ifd:
        for tag, _type, raw in _read_ifd(tiff, exif_ifd_offset, order):
            if tag == _TAG_USER_COMMENT:
                user_comment = decode_user_comment(raw, byte_order=order)
    return strings, user_comment


def _read_ifd(tiff: bytes, offset: int, order: str) -> list[tuple[int, int, bytes]]:
    if offset < 8 or offset + 2 > len(tiff):
        return []
    (count,) = struct.unpack(order + "H", tiff[offset : offset + 2])
    entries: list[tuple[int, int, bytes]] = []
    for index in range(min(count, _MAX_IFD_ENTRIES)):
        start = offset + 2 + 12 * index
        if start + 12 > len(tiff):
            break
        tag, type_, value_count = struct.unpack(order + "HHI", tiff[start : start + 8])
        size = _TYPE_SIZES.get(type_, 1) * value_count
        if size <= 4:
            raw = tiff[start + 8 : start + 8 + size]
        else:
            (value_offset,) = struct.unpack(order + "I", tiff[start + 8 : start + 12])
            if value_offset + size > len(tiff):
                continue
            raw = tiff[value_offset : value_offset + size]
        entries.append((tag, type_, raw))
    return entries


def decode_user_comment(raw: bytes, *, byte_order: str = ">") -> str:
    """Decode EXIF UserComment: an 8-byte charset prefix (ASCII, UNICODE, JIS, undefined).

    UNICODE means UTF-16; writers disagree on its byte order (piexif writes big-endian whatever
    the TIFF order), so a BOM wins, then the position of the zero bytes of ASCII characters.
    """
    prefix, body = raw[:8], raw[8:]
    if prefix.startswith(b"UNICODE"):
        return _decode_utf16(body, byte_order=byte_order).rstrip("\x00")
    if prefix.startswith(b"JIS"):
        return body.decode("shift_jis", errors="replace").rstrip("\x00")
    if prefix.startswith(b"ASCII") or prefix == b"\x00" * 8:
        return decode_metadata_text(body.rstrip(b"\x00"))
    return decode_metadata_text(raw.rstrip(b"\x00"))


def _decode_utf16(body: bytes, *, byte_order: str) -> str:
    if body.startswith(b"\xfe\xff"):
        return body[2:].decode("utf-16-be", errors="replace")
    if body.startswith(b"\xff\xfe"):
        return body[2:].decode("utf-16-le", errors="replace")
    if len(body) % 2:
        body = body[:-1]
    sample = body[:400]
    zeros_at_even = sum(1 for index in range(0, len(sample), 2) if sample[index] == 0)
    zeros_at_odd = sum(1 for index in range(1, len(sample), 2) if sample[index] == 0)
    if zeros_at_even > zeros_at_odd:
        return body.decode("utf-16-be", errors="replace")
    if zeros_at_odd > zeros_at_even:
        return body.decode("utf-16-le", errors="replace")
    return body.decode("utf-16-be" if byte_order == ">" else "utf-16-le", errors="replace")
