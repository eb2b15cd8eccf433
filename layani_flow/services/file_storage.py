"""Where uploaded files live: the one seam every writer (services/documents.py) and reader (views/downloads.py)
goes through, so no app server depends on its own disk.

FILE_STORAGE chooses the backend:
- `database`: a `stored_files` row, added to the caller's session. It commits or rolls back with the case or
  announcement rows that name it, so a failed filing leaves no orphan, and every app server sees every file.
- `filesystem`: a file under UPLOAD_FOLDER, as a one-server install always kept them. A failed unit of work
  removes what it wrote (`discard`).
- `auto` (the default): the database on PostgreSQL, the filesystem on SQLite (one server by nature).

`import_folder` copies an UPLOAD_FOLDER into the database, for a desk moving from one server to several.
"""
from __future__ import annotations

import hashlib
import logging
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from .. import clock
from ..extensions import db
from ..models import StoredFile
from .db import unit_of_work

logger = logging.getLogger(__name__)

FILESYSTEM, DATABASE = "filesystem", "database"
# What save() names files: a random hex name and an extension. Nothing else in a folder is ours to import.
STORED_NAME = re.compile(r"^[0-9a-f]{32}\.[a-z0-9]{1,8}$")


def backend() -> str:
    chosen = current_app.config["FILE_STORAGE"]
    if chosen != "auto":
        return chosen
    return DATABASE if db.engine.dialect.name == "postgresql" else FILESYSTEM


def upload_folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _new_row(stored_name: str, content: bytes) -> StoredFile:
    return StoredFile(stored_name=stored_name, content=content, size_bytes=len(content),
                      sha256=hashlib.sha256(content).hexdigest(), created_at=clock.now())


def save(content: bytes, extension: str) -> str:
    """Keep the bytes under a fresh random name and return it. On the database the row joins the caller's
    transaction (it only flushes with it); on the filesystem the file is written at once."""
    stored_name = f"{secrets.token_hex(16)}.{extension}"
    if backend() == DATABASE:
        db.session.add(_new_row(stored_name, content))
    else:
        with open(upload_folder() / stored_name, "xb") as fh:
            fh.write(content)
    return stored_name


def discard(stored_names: Iterable[str]) -> None:
    """Undo saves whose unit of work failed. On the database the rollback already took the rows."""
    if backend() == FILESYSTEM:
        for name in stored_names:
            (upload_folder() / name).unlink(missing_ok=True)


def read(stored_name: str) -> bytes | None:
    """The file's bytes, or None when there is no such file. Whole, in memory: an upload is at most
    MAX_UPLOAD_BYTES (5 MB by default), and a download answers with its length."""
    if backend() == DATABASE:
        return db.session.scalar(select(StoredFile.content).where(StoredFile.stored_name == stored_name))
    try:
        return (upload_folder() / stored_name).read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        return None


def exists(stored_name: str) -> bool:
    if backend() == DATABASE:
        return db.session.get(StoredFile, stored_name) is not None
    return (upload_folder() / stored_name).is_file()


def stored_names() -> set[str]:
    """Every file kept, by name."""
    if backend() == DATABASE:
        return set(db.session.scalars(select(StoredFile.stored_name)))
    return {p.name for p in upload_folder().iterdir() if p.is_file()}


# -- moving from one server's folder to the database ------------------------------------------------------

@dataclass
class ImportReport:
    copied: int = 0
    already: int = 0  # in the database before (a second run copies nothing)
    ignored: list[str] = field(default_factory=list)  # names in the folder that save() never makes

    def lines(self) -> list[str]:
        lines = [f"disalin ke basis data: {self.copied}, sudah ada: {self.already}"]
        if self.ignored:
            lines.append(f"diabaikan (bukan berkas unggahan): {', '.join(sorted(self.ignored))}")
        return lines


def import_folder(folder: Path | None = None, batch_size: int = 50) -> ImportReport:
    """Copy every uploaded file under UPLOAD_FOLDER that the database lacks into stored_files, a batch per
    transaction. Idempotent: names already there are skipped, so it can run again after an interruption, or
    while the old server still takes uploads, and once more after it stops."""
    folder = folder or upload_folder()
    report = ImportReport()
    candidates = []
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        if not path.is_file():
            continue
        if STORED_NAME.match(path.name):
            candidates.append(path)
        else:
            report.ignored.append(path.name)
    for start in range(0, len(candidates), batch_size):
        batch = candidates[start:start + batch_size]
        with unit_of_work():
            present = set(db.session.scalars(select(StoredFile.stored_name).where(
                StoredFile.stored_name.in_([p.name for p in batch]))))
            for path in batch:
                if path.name in present:
                    report.already += 1
                    continue
                db.session.add(_new_row(path.name, path.read_bytes()))
                report.copied += 1
    logger.info("Files imported from %s into the database: %s copied, %s already there", folder, report.copied,
                report.already)
    return report
