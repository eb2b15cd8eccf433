"""Loading an office's people from a CSV file (`layani import employees`, /admin/impor-pegawai).

Three steps, the first two pure:
1. `read_rows`: the file's text (UTF-8 with or without BOM; `,`, `;` or tab, sniffed from the header) into
   rows keyed by the contract's column names, whatever heading the file used (the contract's own, or the
   usual SIASN export headings, `HEADING_ALIASES`). Each row keeps the physical line it starts on (the
   header is line 1), so a message points where a person looks in a text editor or a spreadsheet.
2. `plan_import`: every row checked on its own (NIP, name, email, role, dates, golongan, BUP), then the
   whole file against the people already in the database (duplicates in the file, emails held by someone
   else, superiors in the file or in the database, cycles in the combined superior chain). It collects
   every error, never stops at the first, and says for each good row whether it creates, updates (which
   fields) or leaves a person unchanged.
3. `apply_plan`: all of it in the caller's transaction with set-based statements (one INSERT of the new
   people, UPDATEs by primary key in executemany batches, the invitations in one INSERT into the outbox),
   so 5,000 people take seconds. Nothing is written when any row is bad.

A column the file does not have leaves that field as it is for people already known (a SIASN export has no
role); an empty cell in a column it does have clears the field (an empty `nip_atasan`: no superior; an
empty `bup`: the position's BUP). An empty `peran` keeps the role (new people: pegawai); an empty
`tanggal_lahir` takes the birth date the NIP carries.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select, update

from .. import clock
from ..extensions import db
from ..grades import GRADE_INVALID, normalize_grade
from ..models import User
from ..nip import nip_problem, normalize_nip
from ..personnel import RETIREMENT_AGES, birth_date_from_nip, position_kind_from_title
from ..roles import ROLE_LABELS, Role
from .errors import InvalidInput

logger = logging.getLogger(__name__)

COLUMNS = ("nip", "nama", "email", "peran", "nip_atasan", "unit", "jabatan", "golongan", "tmt_golongan",
           "tmt_kgb", "tanggal_lahir", "bup")
REQUIRED_COLUMNS = ("nip", "nama", "email")
# What the page offers to download: the contract's header and two people, the superior after their staff.
SAMPLE_CSV = (
    ",".join(COLUMNS) + "\n"
    "199203152019032004,Rina Marlina,rina.marlina@dkp.babelprov.go.id,pegawai,197512082001121003,"
    "Bidang Perikanan Tangkap,Analis Kepegawaian Ahli Pertama,III/b,2023-04-01,2025-03-01,1992-03-15,\n"
    "197512082001121003,Hendra Gunawan,hendra.gunawan@dkp.babelprov.go.id,atasan,,"
    "Bidang Perikanan Tangkap,Kepala Bidang Perikanan Tangkap,IV/a,2021-10-01,2024-12-01,1975-12-08,\n"
)


def _heading_key(text: str) -> str:
    """"NIP BARU", "nip_baru", "Nip-Baru " → "nip baru": how headings are compared."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())


# The usual SIASN (and hand-made) headings for each column; the contract's own names are included.
HEADING_ALIASES: dict[str, str] = {
    _heading_key(alias): column
    for column, aliases in {
        "nip": ("nip", "nip baru", "nip 18"),
        "nama": ("nama", "nama lengkap", "nama pegawai"),
        "email": ("email", "email gov", "email dinas", "e mail"),
        "peran": ("peran", "role"),
        "nip_atasan": ("nip atasan", "nip atasan langsung", "atasan nip"),
        "unit": ("unit", "unor nama", "unit kerja", "nama unor", "unit organisasi"),
        "jabatan": ("jabatan", "jabatan nama", "nama jabatan"),
        "golongan": ("golongan", "gol akhir nama", "gol", "golongan akhir", "gol ruang"),
        "tmt_golongan": ("tmt golongan", "tmt gol akhir", "tmt gol"),
        "tmt_kgb": ("tmt kgb", "tmt kgb terakhir", "tmt gaji berkala"),
        "tanggal_lahir": ("tanggal lahir", "tgl lahir"),
        "bup": ("bup", "batas usia pensiun"),
    }.items()
    for alias in aliases
}

_ROLE_WORDS: dict[str, str] = {
    **{r.value: r.value for r in Role},
    "pegawai": Role.EMPLOYEE.value, "petugas": Role.OFFICER.value, "atasan": Role.SUPERVISOR.value,
    **{label.lower(): r.value for r, label in ROLE_LABELS.items()},
}
ROLE_HINT = "Peran harus salah satu dari: pegawai/employee, petugas/officer, atasan/supervisor, admin."
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y")
DATE_HINT = "bukan tanggal; tulis TTTT-BB-HH (mis. 1990-01-31) atau HH-BB-TTTT (mis. 31-01-1990)."
_GRADE_IN_TEXT = re.compile(r"\b(IV|III|II|I)\s*/\s*([a-e])\b", re.I)

# The fields a row sets on a person, and the column each comes from (the report names the column).
FIELD_COLUMN = {
    "name": "nama", "email": "email", "role": "peran", "superior": "nip_atasan", "unit": "unit",
    "position": "jabatan", "position_kind": "jabatan", "grade": "golongan", "grade_tmt": "tmt_golongan",
    "kgb_tmt": "tmt_kgb", "birth_date": "tanggal_lahir", "retirement_age_override": "bup",
}
# What the page calls each field in "which fields change".
FIELD_LABELS = {
    "name": "nama", "email": "email", "role": "peran", "superior": "atasan", "unit": "unit", "position": "jabatan",
    "position_kind": "jenis jabatan", "grade": "golongan", "grade_tmt": "TMT golongan", "kgb_tmt": "TMT KGB",
    "birth_date": "tanggal lahir", "retirement_age_override": "BUP",
}

Progress = Callable[[str, int, int], None]  # (phase "check" | "apply", done, total)


def _no_progress(phase: str, done: int, total: int) -> None:
    return None


@dataclass(frozen=True)
class LineError:
    line: int
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "message": self.message}


@dataclass
class SourceRow:
    line: int
    values: dict[str, str]  # only the columns the file has


@dataclass
class ReadFile:
    columns: tuple[str, ...]  # the contract's columns present in the file
    rows: list[SourceRow]
    errors: list[LineError]
    ignored_headings: list[str] = field(default_factory=list)


# -- 1. reading ---------------------------------------------------------------------------------------

class NotUtf8(InvalidInput):
    """The file is not UTF-8 text; `line` is where its first bad byte is."""

    def __init__(self, line: int):
        self.line = line
        self.detail = "berkas bukan teks UTF-8. Simpan ulang sebagai \"CSV UTF-8\" lalu unggah lagi."
        super().__init__("Berkas bukan teks UTF-8.", {"file": [f"Baris {line}: {self.detail}"]})


def decode(data: bytes) -> str:
    """UTF-8 text, with or without a byte-order mark; NotUtf8 naming the line of the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotUtf8(data[:exc.start].count(b"\n") + 1) from None


def _delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_rows(text: str) -> ReadFile:
    """The header mapped to the contract's columns and every non-blank row after it, with its line."""
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first))
    errors: list[LineError] = []
    try:
        header = next(reader, None)
    except csv.Error as exc:
        return ReadFile((), [], [LineError(1, f"Baris judul tidak dapat dibaca: {exc}.")])
    if not header or not any(h.strip() for h in header):
        return ReadFile((), [], [LineError(1, "Berkas kosong: baris pertama harus judul kolom "
                                              f"({','.join(COLUMNS)}).")])
    positions: dict[str, int] = {}
    ignored: list[str] = []
    for index, heading in enumerate(header):
        column = HEADING_ALIASES.get(_heading_key(heading))
        if column is None:
            if heading.strip():
                ignored.append(heading.strip())
            continue
        if column in positions:
            errors.append(LineError(1, f"Kolom {column} muncul dua kali di baris judul "
                                       f"(\"{header[positions[column]].strip()}\" dan \"{heading.strip()}\")."))
            continue
        positions[column] = index
    if missing := [c for c in REQUIRED_COLUMNS if c not in positions]:
        errors.append(LineError(1, f"Kolom wajib tidak ada di baris judul: {', '.join(missing)}. "
                                   f"Judul kolom yang dikenal: {','.join(COLUMNS)}."))
    columns = tuple(c for c in COLUMNS if c in positions)
    rows: list[SourceRow] = []
    line = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(LineError(line, f"Baris tidak dapat dibaca sebagai CSV: {exc}."))
            break
        if any(cell.strip() for cell in cells):
            if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
                errors.append(LineError(line, f"Baris ini berisi {len(cells)} kolom, judulnya {len(header)}; "
                                              "periksa pemisah (koma atau titik koma) dan tanda kutip."))
            else:
                rows.append(SourceRow(line, {c: (cells[i].strip() if i < len(cells) else "")
                                             for c, i in positions.items()}))
        line = reader.line_num + 1
    return ReadFile(columns, rows, errors, ignored)


# -- 2. checking -----------------------------------------------------------------------------------------

def parse_date(text: str) -> dt.date | None:
    """A date in one of DATE_FORMATS (SIASN exports write DD-MM-YYYY); ValueError when it is not one."""
    for fmt in DATE_FORMATS:
        try:
            value = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if value.year < 1900:
            raise ValueError(text)
        return value
    raise ValueError(text)


def _grade(text: str) -> str | None:
    """"III/a", "iii a", or a SIASN name with the code inside ("Penata Muda (III/a)")."""
    grade = normalize_grade(text)
    if grade is None and (match := _GRADE_IN_TEXT.search(text)):
        grade = normalize_grade(f"{match.group(1)}/{match.group(2)}")
    return grade


@dataclass
class Person:
    """A row's fields as they will be stored; only the keys for columns the file has."""
    line: int
    nip: str
    fields: dict[str, Any]
    superior_nip: str | None = None  # meaningful when "superior" in fields


def check_row(row: SourceRow, columns: tuple[str, ...]) -> tuple[Person | None, list[LineError]]:
    """One row on its own: every problem it has, or the person it describes."""
    from .users import normalized_email  # services.users pulls in the password policy and Flask

    v, line = row.values, row.line
    errors: list[str] = []
    out: dict[str, Any] = {}
    nip = normalize_nip(v.get("nip"))
    if not nip:
        errors.append("Kolom nip kosong.")
    elif problem := nip_problem(nip):
        errors.append(f"Kolom nip: {problem}")
    name = " ".join(v.get("nama", "").split())
    if not name:
        errors.append("Kolom nama kosong.")
    elif len(name) > 120:
        errors.append("Kolom nama: paling panjang 120 karakter.")
    out["name"] = name
    try:
        out["email"] = normalized_email(v.get("email", ""))
    except InvalidInput as exc:
        errors.append("Kolom email: " + " ".join(exc.errors.get("email", [exc.message])))
    if "peran" in columns and (word := v["peran"].strip().lower()):
        if word in _ROLE_WORDS:
            out["role"] = _ROLE_WORDS[word]
        else:
            errors.append(f"Kolom peran: \"{v['peran']}\" tidak dikenal. {ROLE_HINT}")
    superior_nip = None
    if "nip_atasan" in columns:
        superior_nip = normalize_nip(v["nip_atasan"]) or None
        out["superior"] = superior_nip
        if superior_nip and (problem := nip_problem(superior_nip)):
            errors.append(f"Kolom nip_atasan: {problem}")
        elif superior_nip and superior_nip == nip:
            errors.append("Kolom nip_atasan: seseorang tidak dapat menjadi atasan dirinya sendiri.")
    for column, key in (("unit", "unit"), ("jabatan", "position")):
        if column in columns:
            text = " ".join(v[column].split())
            if len(text) > 120:
                errors.append(f"Kolom {column}: paling panjang 120 karakter.")
            out[key] = text
    if "jabatan" in columns:
        out["position_kind"] = position_kind_from_title(out.get("position"))
    if "golongan" in columns:
        if not v["golongan"]:
            out["grade"] = None
        elif grade := _grade(v["golongan"]):
            out["grade"] = grade
        else:
            errors.append(f"Kolom golongan: \"{v['golongan']}\": {GRADE_INVALID}")
    for column, key in (("tmt_golongan", "grade_tmt"), ("tmt_kgb", "kgb_tmt"), ("tanggal_lahir", "birth_date")):
        if column not in columns:
            continue
        if not v[column]:
            out[key] = None
            continue
        try:
            out[key] = parse_date(v[column])
        except ValueError:
            errors.append(f"Kolom {column}: \"{v[column]}\" {DATE_HINT}")
    if "tanggal_lahir" in columns and nip and not nip_problem(nip):
        from_nip = birth_date_from_nip(nip)
        if out.get("birth_date") is None and not v["tanggal_lahir"]:
            out["birth_date"] = from_nip
        elif out.get("birth_date") and out["birth_date"] != from_nip:
            errors.append(f"Kolom tanggal_lahir: {out['birth_date'].isoformat()} tidak sama dengan tanggal lahir "
                          f"dalam NIP ({from_nip.isoformat() if from_nip else '-'}).")
    if "bup" in columns:
        if not v["bup"]:
            out["retirement_age_override"] = None
        elif v["bup"].isascii() and v["bup"].isdigit() and int(v["bup"]) in RETIREMENT_AGES:
            out["retirement_age_override"] = int(v["bup"])
        else:
            errors.append(f"Kolom bup: \"{v['bup']}\" bukan usia pensiun; isi {RETIREMENT_AGES.start}–"
                          f"{RETIREMENT_AGES.stop - 1}, atau kosongkan untuk BUP menurut jabatan.")
    if errors:
        return None, [LineError(line, message) for message in errors]
    return Person(line, nip, out, superior_nip), []


@dataclass
class Known:
    """A person already in the database, as the plan compares against."""
    id: int
    nip: str
    fields: dict[str, Any]
    superior_id: int | None
    is_active: bool


@dataclass
class Change:
    line: int
    nip: str
    name: str
    action: str  # created | updated | unchanged
    changed: list[str] = field(default_factory=list)  # field names (FIELD_LABELS) for an update

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "nip": self.nip, "name": self.name, "action": self.action,
                "changed": [FIELD_LABELS[f] for f in self.changed]}


@dataclass
class Plan:
    people: list[Person]
    changes: list[Change]
    errors: list[LineError]
    known: dict[str, Known]

    def report(self) -> dict[str, Any]:
        """The contract's JSON report: counts of what the import did (or, in a dry run, would do)."""
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        if not self.errors:
            for change in self.changes:
                counts[change.action] += 1
        return {**counts, "errors": [e.as_dict() for e in sorted(self.errors, key=lambda e: e.line)]}


_KNOWN_FIELDS = ("name", "email", "role", "unit", "position", "position_kind", "grade", "grade_tmt", "kgb_tmt",
                 "birth_date", "retirement_age_override")


def load_known() -> dict[str, Known]:
    """Everyone in the database, by NIP, with the fields an import sets (one query)."""
    cols = [getattr(User, f) for f in _KNOWN_FIELDS]
    rows = db.session.execute(select(User.id, User.nip, User.superior_id, User.is_active_account, *cols)).all()
    return {r.nip: Known(r.id, r.nip, {f: getattr(r, f) for f in _KNOWN_FIELDS}, r.superior_id, r.is_active_account)
            for r in rows}


def plan_import(source: ReadFile, known: dict[str, Known], progress: Progress = _no_progress) -> Plan:
    """Every row checked, then the file as a whole against `known`: what would change, and every error."""
    errors = list(source.errors)
    people: list[Person] = []
    total = len(source.rows)
    step = max(1, total // 50)
    for done, row in enumerate(source.rows, 1):
        person, row_errors = check_row(row, source.columns)
        errors.extend(row_errors)
        if person is not None:
            people.append(person)
        if done % step == 0 or done == total:
            progress("check", done, total)
    if not total and not errors:
        errors.append(LineError(2, "Berkas tidak berisi satu baris data pun di bawah baris judul."))

    # Duplicates within the file: the later lines are the errors, naming the first.
    first_line: dict[str, int] = {}
    first_email: dict[str, int] = {}
    unique: list[Person] = []
    for p in people:
        if p.nip in first_line:
            errors.append(LineError(p.line, f"NIP {p.nip} sudah ada di baris {first_line[p.nip]}; satu NIP satu baris."))
            continue
        first_line[p.nip] = p.line
        email = p.fields["email"]
        if email in first_email:
            errors.append(LineError(p.line, f"Email {email} sudah dipakai di baris {first_email[email]}."))
        else:
            first_email[email] = p.line
        unique.append(p)
    people = unique
    in_file = {p.nip: p for p in people}

    # Emails as they will be after the import: the file's, and everyone else's as they are.
    by_id_nip = {k.id: k.nip for k in known.values()}
    for nip_, k in known.items():
        if nip_ in in_file:
            continue
        email = (k.fields["email"] or "").lower()
        if email in first_email:
            errors.append(LineError(first_email[email], f"Email {email} sudah dipakai pegawai lain (NIP {nip_})."))

    # Superiors: in the file (before or after) or in the database, and active.
    for p in people:
        if "superior" not in p.fields or not p.superior_nip:
            continue
        if p.superior_nip in in_file:
            continue
        boss = known.get(p.superior_nip)
        if boss is None:
            errors.append(LineError(p.line, f"Kolom nip_atasan: atasan dengan NIP {p.superior_nip} tidak ada di berkas "
                                            "maupun di LAYANI."))
        elif not boss.is_active:
            errors.append(LineError(p.line, f"Kolom nip_atasan: atasan dengan NIP {p.superior_nip} sudah nonaktif."))

    # Cycles in the superior chain as it will be: the file's superiors over the database's.
    def superior_of(nip_: str) -> str | None:
        if nip_ in in_file and "superior" in in_file[nip_].fields:
            return in_file[nip_].superior_nip
        k = known.get(nip_)
        return by_id_nip.get(k.superior_id) if k and k.superior_id else None

    state: dict[str, int] = {}  # 1 on the current path, 2 done
    for start in in_file:
        path: list[str] = []
        node: str | None = start
        while node is not None and state.get(node) is None:
            state[node] = 1
            path.append(node)
            node = superior_of(node)
        if node is not None and state.get(node) == 1:
            cycle = path[path.index(node):]
            chain = " → ".join([*cycle, node])
            for member in cycle:
                if member in in_file:
                    errors.append(LineError(in_file[member].line, f"Rantai atasan berputar: {chain}."))
        for member in path:
            state[member] = 2

    changes = [_change(p, known.get(p.nip), by_id_nip) for p in people]
    return Plan(people, changes, errors, known)


def _change(p: Person, k: Known | None, by_id_nip: dict[int, str]) -> Change:
    if k is None:
        return Change(p.line, p.nip, p.fields["name"], "created")
    changed = []
    for key, value in p.fields.items():
        if key == "superior":
            current = by_id_nip.get(k.superior_id) if k.superior_id else None
        else:
            current = k.fields[key]
            if key == "email":
                current = (current or "").lower()
        if value != current:
            changed.append(key)
    return Change(p.line, p.nip, p.fields["name"], "updated" if changed else "unchanged", changed)


# -- 3. writing -----------------------------------------------------------------------------------------

BATCH = 1000


def _batches(items: list[Any], size: int = BATCH) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def unusable_password() -> str:
    """A password hash nothing matches (werkzeug reads no method in it): a new person signs in only after
    choosing a password through the invitation's link. Random, so each link's fingerprint differs."""
    return "!" + secrets.token_hex(16)


def apply_plan(plan: Plan, progress: Progress = _no_progress) -> dict[str, Any]:
    """Write a plan without errors in the caller's unit of work: new people in one INSERT, changed people
    by primary key in batches, superiors once everyone has an id, the search index for changed names, one
    invitation per new person through the outbox. The report, as `Plan.report`."""
    from . import search
    from .passwords import queue_invitations

    assert not plan.errors, "a plan with errors is never applied"
    now = clock.now()
    by_nip = {p.nip: p for p in plan.people}
    created = [by_nip[c.nip] for c in plan.changes if c.action == "created"]
    updated = [c for c in plan.changes if c.action == "updated"]
    total = len(created) + len(updated) + 1
    done = 0
    for chunk in _batches(created):
        db.session.execute(insert(User), [{
            "nip": p.nip, "name": p.fields["name"], "email": p.fields["email"],
            "role": p.fields.get("role", Role.EMPLOYEE.value), "unit": p.fields.get("unit", ""),
            "position": p.fields.get("position", ""), "position_kind": p.fields.get("position_kind"),
            "grade": p.fields.get("grade"), "grade_tmt": p.fields.get("grade_tmt"),
            "kgb_tmt": p.fields.get("kgb_tmt"), "birth_date": p.fields.get("birth_date"),
            "retirement_age_override": p.fields.get("retirement_age_override"),
            "password_hash": unusable_password(), "is_active_account": True, "created_at": now,
        } for p in chunk])
        done += len(chunk)
        progress("apply", done, total)
    ids = {n: k.id for n, k in plan.known.items()}
    for chunk in _batches([p.nip for p in created]):
        ids.update(db.session.execute(select(User.nip, User.id).where(User.nip.in_(chunk))).tuples().all())
    rows: list[dict[str, Any]] = []
    for c in updated:
        p = by_nip[c.nip]
        row: dict[str, Any] = {"id": ids[c.nip]}
        for key in c.changed:
            if key != "superior":
                row[key] = p.fields[key]
        if len(row) > 1:
            rows.append(row)
    for p in created:
        if p.superior_nip:
            rows.append({"id": ids[p.nip], "superior_id": ids[p.superior_nip]})
    for c in updated:
        if "superior" in c.changed:
            superior_nip = by_nip[c.nip].superior_nip
            rows.append({"id": ids[c.nip], "superior_id": ids[superior_nip] if superior_nip else None})
    # Grouped by the keys they set, so each group is one executemany UPDATE … WHERE id = ?.
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    for group in groups.values():
        for chunk in _batches(group):
            db.session.execute(update(User), chunk)
    done += len(updated)
    progress("apply", done, total)
    renamed = [ids[c.nip] for c in updated if "name" in c.changed]
    if renamed:
        search.reindex_people(renamed)
    queue_invitations([ids[p.nip] for p in created])
    progress("apply", total, total)
    report = plan.report()
    logger.info("Employee import: %s created, %s updated, %s unchanged", report["created"], report["updated"],
                report["unchanged"])
    return report


def run_import(data: bytes | str, *, dry_run: bool = False, progress: Progress = _no_progress) -> dict[str, Any]:
    """The whole import as one unit of work: read, check against the database, and (unless `dry_run` or
    any error) write. The report as the contract says; nothing is written when it lists errors."""
    from .db import unit_of_work

    try:
        text = decode(data) if isinstance(data, bytes) else data
    except NotUtf8 as exc:
        return Plan([], [], [LineError(exc.line, exc.detail[0].upper() + exc.detail[1:])], {}).report()
    source = read_rows(text)
    if dry_run:
        plan = plan_import(source, load_known(), progress)
        db.session.rollback()
        return plan.report()
    with unit_of_work():
        plan = plan_import(source, load_known(), progress)
        if plan.errors:
            return plan.report()
        return apply_plan(plan, progress)
