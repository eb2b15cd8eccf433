"""People, their place in the office, and their API tokens."""
from __future__ import annotations

import datetime as dt

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ..grades import pangkat_golongan
from ..personnel import retirement_age, retirement_date
from ..roles import ROLE_LABELS, Role
from .types import UTCDateTime


class User(UserMixin, Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IN ({', '.join(repr(r.value) for r in Role)})", name="role_known"),
        CheckConstraint("length(nip) = 18", name="nip_length"),
        CheckConstraint("superior_id IS NULL OR superior_id <> id", name="not_own_superior"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    nip: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    unit: Mapped[str] = mapped_column(String(120), default="")
    position: Mapped[str] = mapped_column(String(120), default="")
    # Golongan as the SK writes it ("III/a", or "IX" for a PPPK): grades.GRADES; None until an admin sets it.
    grade: Mapped[str | None] = mapped_column(String(5))
    # Personnel data (personnel.py): what the reminders and "Data kepegawaian saya" read. None = not known yet.
    position_kind: Mapped[str | None] = mapped_column(String(20))  # personnel.POSITION_KINDS
    grade_tmt: Mapped[dt.date | None] = mapped_column(Date)  # TMT of the current golongan
    kgb_tmt: Mapped[dt.date | None] = mapped_column(Date)  # TMT of the last periodic salary step (KGB)
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    retirement_age_override: Mapped[int | None] = mapped_column()  # None: the BUP of the position kind
    role: Mapped[str] = mapped_column(String(20), default=Role.EMPLOYEE.value)
    superior_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active_account: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    deactivated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    superior: Mapped[User | None] = relationship(remote_side=[id], lazy="select")

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.is_active_account

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    @property
    def pangkat_golongan(self) -> str:
        """"Penata Muda, III/a": how the intake forms and the pages show the grade."""
        return pangkat_golongan(self.grade)

    @property
    def retirement_age(self) -> int:
        """The BUP that applies: the override when an admin set one, else the position kind's."""
        return retirement_age(self.position_kind, self.retirement_age_override)

    @property
    def retirement_date(self) -> dt.date | None:
        """TMT pensiun, when the birth date is known."""
        return retirement_date(self.birth_date, self.retirement_age) if self.birth_date else None

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[Role(self.role)]

    def __repr__(self) -> str:
        return f"<User {self.nip} {self.role}>"


class ApiToken(Model):
    """A personal API token; only its SHA-256 is stored, the token itself is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # None: until revoked
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")


class UserSession(Model):
    """One signed-in browser. The cookie holds a random key whose SHA-256 is stored here, so logout, a
    password change or deactivation ends the session on the server: a copy of the cookie opens nothing."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str] = mapped_column(String(20), default="")  # logout, password, deactivated, idle, …

    user: Mapped[User] = relationship()
