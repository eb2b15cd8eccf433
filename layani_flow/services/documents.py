"""Uploaded documents: checked by content, stored under random names through services/file_storage.py (the
database or UPLOAD_FOLDER, never static/)."""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

import filetype
from flask import current_app

from . import file_storage
from .errors import InvalidInput
from .metadata import Unreadable, without_metadata

ALLOWED = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
EXTENSION_MIME = {"pdf": "application/pdf", "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png"}
ALLOWED_EXTENSIONS = set(EXTENSION_MIME)


@dataclass(frozen=True)
class CheckedUpload:
    requirement: str
    original_name: str
    content: bytes
    content_type: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def _clean_name(name: str) -> str:
    base = os.path.basename((name or "").replace("\\", "/")).strip()
    return "".join(ch for ch in base if ch.isprintable())[:200] or "dokumen"


def check_upload(field: str, requirement: str, filename: str, content: bytes) -> CheckedUpload:
    """Accept PDF, JPEG or PNG by what the bytes are, not what the name claims."""
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    name = _clean_name(filename)
    problem = None
    if not content:
        problem = "Berkas kosong."
    elif len(content) > limit:
        size = f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{max(1, limit // 1024)} KB"
        problem = f"Berkas terlalu besar (maksimal {size})."
    elif name.rsplit(".", 1)[-1].lower() not in ALLOWED_EXTENSIONS:
        problem = "Hanya berkas PDF, JPG atau PNG yang diterima."
    else:
        kind = filetype.guess(content)
        if kind is None or kind.mime not in ALLOWED:
            problem = "Isi berkas bukan PDF, JPG atau PNG yang sah."
        elif EXTENSION_MIME[name.rsplit(".", 1)[-1].lower()] != kind.mime:
            # A PNG called .pdf is either a mistake or a disguise; either way the name would mislead the reader.
            problem = "Isi berkas tidak sesuai dengan jenis yang ditunjukkan namanya."
    if problem:
        raise InvalidInput("Berkas tidak dapat diterima.", {field: [problem]})
    return CheckedUpload(requirement, name, content, filetype.guess(content).mime)


def anonymised(upload: CheckedUpload, number: int) -> CheckedUpload:
    """The file as an anonymous filer's case keeps it: image metadata (EXIF, GPS, author) removed and the
    file renamed ("bukti-1.jpg"), since "IMG_Andi_Pratama.jpg" would say who sent it. See metadata.py."""
    try:
        content = without_metadata(upload.content, upload.content_type)
    except Unreadable:
        raise InvalidInput("Berkas tidak dapat diterima.", {upload.requirement: [
            "Gambar ini tidak dapat dibersihkan dari data pembuatnya (EXIF); kirim gambar lain atau PDF."]}) from None
    name = f"{upload.requirement}-{number}.{ALLOWED[upload.content_type]}"
    return CheckedUpload(upload.requirement, name, content, upload.content_type)


def write(upload: CheckedUpload) -> str:
    """Keep the bytes under a fresh random name (in the caller's transaction when on the database); returns
    that name."""
    return file_storage.save(upload.content, ALLOWED[upload.content_type])


def remove(stored_names: list[str]) -> None:
    """Undo writes whose transaction failed, so no orphan file outlives a rolled-back case."""
    file_storage.discard(stored_names)
