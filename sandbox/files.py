"""Uploaded files: opaque file_ids, file paths for getFile downloads, and image dimensions.

Telegram rejects photos it cannot decode, so the sandbox reads the real width and height
(PNG, JPEG, GIF, WebP) instead of trusting whatever bytes a bot uploads.
"""

from __future__ import annotations

import mimetypes
import secrets
import struct
from dataclasses import dataclass
from typing import Any

PHOTO_MAX_BYTES = 10 * 1024 * 1024
DOWNLOAD_MAX_BYTES = 20 * 1024 * 1024
_PREFIX = {"photo": ("AgACAgIAAxkBAAI", "AQAD"), "document": ("BQACAgIAAxkBAAI", "AgAD")}
_IMAGE_TYPES = {b"\x89PNG": "image/png", b"\xff\xd8": "image/jpeg", b"GIF8": "image/gif"}


@dataclass
class StoredFile:
    kind: str  # "photo" | "document"
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    filename: str
    mime_type: str
    width: int = 0
    height: int = 0

    def file_api(self) -> dict[str, Any]:
        """The File object getFile returns."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }

    def photo_api(self) -> list[dict[str, Any]]:
        """Message.photo: the sizes Telegram offers; the sandbox keeps just the original."""
        return [
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "file_size": len(self.data),
                "width": self.width,
                "height": self.height,
            }
        ]

    def document_api(self) -> dict[str, Any]:
        return {
            "file_name": self.filename,
            "mime_type": self.mime_type,
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
        }


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG, JPEG, GIF or WebP image, or None if it is not one."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if data[:4] == b"GIF8" and len(data) >= 10:
        return struct.unpack("<HH", data[6:10])
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp_size(data)
    if data[:2] == b"\xff\xd8":
        return _jpeg_size(data)
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        w = int.from_bytes(data[24:27], "little") + 1
        h = int.from_bytes(data[27:30], "little") + 1
        return w, h
    if chunk == b"VP8 " and len(data) >= 30:
        w, h = struct.unpack("<HH", data[26:30])
        return w & 0x3FFF, h & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:
            i += 1
            continue
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            h, w = struct.unpack(">HH", data[i + 5 : i + 9])
            return w, h
        i += 2 + length
    return None


def image_mime(data: bytes) -> str:
    for magic, mime in _IMAGE_TYPES.items():
        if data.startswith(magic):
            return mime
    return "image/webp"


class FileStore:
    """All files the sandbox has seen, by file_id and by download path."""

    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}

    def add(
        self, kind: str, data: bytes, filename: str, mime_type: str | None = None
    ) -> StoredFile:
        """Store a file; photos must be decodable images (ValueError names Telegram's error)."""
        width = height = 0
        if kind == "photo":
            size = image_size(data)
            if size is None:
                raise ValueError("IMAGE_PROCESS_FAILED")
            width, height = size
            if len(data) > PHOTO_MAX_BYTES or width + height > 10000 or not width or not height:
                raise ValueError("PHOTO_INVALID_DIMENSIONS")
            if max(width, height) / min(width, height) > 20:
                raise ValueError("PHOTO_INVALID_DIMENSIONS")
            mime_type = image_mime(data)
        elif mime_type in (None, "", "application/octet-stream"):
            mime_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        id_prefix, unique_prefix = _PREFIX[kind]
        extension = mimetypes.guess_extension(mime_type) or ""
        if kind == "document" and "." in filename:
            extension = "." + filename.rsplit(".", 1)[1]
        stored = StoredFile(
            kind=kind,
            file_id=id_prefix + secrets.token_urlsafe(40),
            file_unique_id=unique_prefix + secrets.token_urlsafe(9),
            file_path=f"{kind}s/file_{len(self._by_id)}{extension}",
            data=data,
            filename=filename,
            mime_type=mime_type,
            width=width,
            height=height,
        )
        self._by_id[stored.file_id] = stored
        self._by_path[stored.file_path] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        return self._by_id.get(file_id)

    def by_path(self, file_path: str) -> StoredFile | None:
        return self._by_path.get(file_path)
