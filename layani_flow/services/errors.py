"""Domain errors. One handler per front end (pages, API) turns them into 403/404/409/422 with these messages."""
from __future__ import annotations


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class NotFound(DomainError):
    status, code = 404, "not_found"


class Forbidden(DomainError):
    status, code = 403, "forbidden"


class Conflict(DomainError):
    status, code = 409, "conflict"


class StaleCase(Conflict):
    code = "stale_version"


class TransitionNotAllowed(Conflict):
    code = "transition_not_allowed"


class InvalidInput(DomainError):
    status, code = 422, "invalid"


CASE_NOT_FOUND = "Kasus tidak ditemukan atau Anda tidak berhak melihatnya."
STALE_MESSAGE = (
    "Kasus ini baru saja diubah oleh orang lain. Muat ulang halaman untuk melihat perubahan terbaru,"
    " lalu ulangi tindakan Anda."
)
