"""The `layani` command group: each command parses its arguments, calls one service, prints a summary."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from . import logs
from .roles import Role
from .services.demo import DEMO_PASSWORD
from .services.errors import DomainError


def _one_log_id_per_command() -> None:
    """Every line a command logs carries one cycle id (the worker gives each of its cycles its own)."""
    click.get_current_context().with_resource(logs.new_cycle())


layani = AppGroup("layani", help="LAYANI Flow: perintah pengelolaan.", callback=_one_log_id_per_command)
users = AppGroup("users", help="Pengguna.")
token = AppGroup("token", help="Token API pribadi.")
workflows = AppGroup("workflows", help="Alur kerja (state machine) tiap jenis kasus.")
calendar = AppGroup("calendar", help="Kalender hari dan jam kerja (WIB).")
imports = AppGroup("import", help="Impor data dari berkas.")
for group in (users, token, workflows, calendar, imports):
    layani.add_command(group)


def _fail(exc: DomainError) -> click.ClickException:
    details = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.errors.items())
    return click.ClickException(f"{exc.message} {details}".strip())


@users.command("create")
@click.option("--nip", required=True, help="NIP 18 angka.")
@click.option("--name", required=True)
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--password", required=True)
@click.option("--superior", "superior_nip", default=None, help="NIP atasan langsung.")
@click.option("--unit", default="")
@click.option("--position", default="")
@click.option("--grade", default=None, help="Golongan seperti di SK, mis. III/a (PNS) atau IX (PPPK).")
def users_create(nip, name, email, role, password, superior_nip, unit, position, grade):
    """Buat pengguna baru."""
    from .services.users import create_user

    try:
        user = create_user(nip=nip, name=name, email=email, role=role, password=password,
                           superior_nip=superior_nip, unit=unit, position=position, grade=grade)
    except DomainError as exc:
        raise _fail(exc) from None
    click.echo(f"Pengguna dibuat: {user.nip} {user.name} ({user.role})")


@users.command("deactivate")
@click.option("--nip", required=True)
def users_deactivate(nip):
    """Nonaktifkan akun: tidak bisa masuk lagi, semua sesinya berakhir, semua token API-nya dicabut."""
    from .services.users import deactivate_user

    try:
        report = deactivate_user(nip)
    except DomainError as exc:
        raise _fail(exc) from None
    state = "dinonaktifkan" if report.was_active else "sudah nonaktif sebelumnya"
    click.echo(f"Pengguna {state}: {report.user.nip} {report.user.name}; sesi diakhiri: {report.sessions_ended}, "
               f"token dicabut: {report.tokens_revoked}")


@users.command("send-password-link")
@click.option("--nip", required=True)
def users_send_password_link(nip):
    """Kirim tautan atur kata sandi (sekali pakai, berlaku SET_PASSWORD_LINK_HOURS jam) ke email pegawai."""
    from flask import current_app

    from .services.passwords import send_password_link

    try:
        user = send_password_link(nip=nip)
    except DomainError as exc:
        raise _fail(exc) from None
    click.echo(f"Tautan atur kata sandi untuk {user.nip} {user.name} masuk antrean email ke {user.email} "
               f"(berlaku {current_app.config['SET_PASSWORD_LINK_HOURS']} jam; dikirim oleh worker atau `layani deliver`).")


@imports.command("employees")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Hanya periksa dan laporkan; tidak ada yang ditulis.")
def import_employees(file, dry_run):
    """Muat atau perbarui pegawai dari CSV (kolom kontrak atau judul ekspor SIASN). Semua atau tidak sama sekali:
    satu baris salah, tidak ada yang ditulis (kode keluar 1). Baris terakhir stdout: laporan JSON."""
    import json

    from .services.employee_import import run_import

    phases = {"check": "memeriksa", "apply": "menyimpan"}
    bar = None
    last: dict[str, int] = {}

    def progress(phase: str, done: int, total: int) -> None:
        nonlocal bar
        if sys.stderr.isatty():
            if bar is None or getattr(bar, "label", "") != phases[phase]:
                if bar is not None:
                    bar.render_finish()
                bar = click.progressbar(length=total, label=phases[phase], file=sys.stderr)
                last[phase] = 0
            bar.update(done - last.get(phase, 0))
            last[phase] = done
        else:
            click.echo(f"{phases[phase]} {done}/{total}", err=True)

    report = run_import(file.read_bytes(), dry_run=dry_run, progress=progress)
    if bar is not None:
        bar.render_finish()
    if report["errors"]:
        click.echo(f"{len(report['errors'])} kesalahan; tidak ada yang ditulis.", err=True)
    elif dry_run:
        click.echo("Uji coba (--dry-run): tidak ada yang ditulis.", err=True)
    click.echo(json.dumps(report, ensure_ascii=False))
    if report["errors"]:
        sys.exit(1)


@token.command("create")
@click.option("--nip", required=True)
@click.option("--label", default="cli")
@click.option("--expires-days", type=click.IntRange(min=1, max=3650), default=None,
              help="Token berhenti berlaku setelah sekian hari (bawaan: sampai dicabut).")
def token_create(nip, label, expires_days):
    """Buat token API; token dicetak pada baris terakhir dan hanya sekali ini."""
    from .services.users import create_token

    try:
        value = create_token(nip, label, expires_days=expires_days)
    except DomainError as exc:
        raise _fail(exc) from None
    until = f"berlaku {expires_days} hari" if expires_days else "berlaku sampai dicabut"
    click.echo(f"Token API baru ({until}; simpan sekarang, tidak ditampilkan lagi):", err=True)
    click.echo(value)


@token.command("list")
@click.option("--nip", required=True)
def token_list(nip):
    """Token API seorang pegawai (nomor, label, dibuat, berlaku sampai, status); tokennya sendiri tidak disimpan."""
    from . import clock as wall
    from .services.users import list_tokens
    from .timefmt import iso_wib

    try:
        rows = list_tokens(nip)
    except DomainError as exc:
        raise _fail(exc) from None
    now = wall.now()
    for row in rows:
        status = ("dicabut" if row.revoked_at else "kedaluwarsa" if row.expires_at and row.expires_at <= now
                  else "aktif")
        click.echo(f"#{row.id}\t{row.label or '-'}\t{iso_wib(row.created_at)}\t{iso_wib(row.expires_at) or '-'}\t{status}")
    click.echo(f"{len(rows)} token")


@token.command("revoke")
@click.option("--id", "token_ids", type=int, multiple=True, help="Nomor token (lihat `layani token list`); boleh berulang.")
@click.option("--nip", default=None, help="Cabut semua token pegawai ini.")
def token_revoke(token_ids, nip):
    """Cabut token API: menurut nomornya (--id, boleh berulang) dan/atau semua token seorang pegawai (--nip)."""
    from .services.users import revoke_tokens

    if not token_ids and nip is None:
        raise click.UsageError("Sebutkan --id ID dan/atau --nip NIP.")
    try:
        count = revoke_tokens(token_ids=tuple(token_ids), nip=nip)
    except DomainError as exc:
        raise _fail(exc) from None
    click.echo(f"Token dicabut: {count}")


@layani.command("demo")
@click.option("--password", default=DEMO_PASSWORD, show_default=True, help="Kata sandi semua akun demo.")
def demo(password):
    """Isi basis data dengan kantor contoh, pengguna, dan kasus di berbagai status."""
    from .services.demo import seed_demo

    try:
        summary = seed_demo(password)
    except DomainError as exc:
        raise _fail(exc) from None
    click.echo(summary)


@workflows.command("diagram")
@click.argument("case_type", required=False)
@click.option("--write", "write_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Tulis docs/workflows/<jenis>.md ke folder ini.")
def workflows_diagram(case_type, write_dir):
    """Cetak (atau tulis) diagram Mermaid dari deklarasi alur kerja."""
    from .workflows import REGISTRY
    from .workflows.docs import workflow_markdown

    keys = [case_type] if case_type else list(REGISTRY)
    for key in keys:
        if key not in REGISTRY:
            raise click.ClickException(f"Jenis kasus tidak dikenal: {key}")
        text = workflow_markdown(REGISTRY[key])
        if write_dir:
            write_dir.mkdir(parents=True, exist_ok=True)
            (write_dir / f"{key}.md").write_text(text, encoding="utf-8")
            click.echo(f"ditulis: {write_dir / f'{key}.md'}")
        else:
            sys.stdout.write(text)


@workflows.command("check")
def workflows_check():
    """Periksa semua deklarasi alur kerja."""
    from .workflows import REGISTRY

    for wf in REGISTRY.values():
        wf.validate()
        click.echo(f"ok: {wf.case_type} ({len(wf.states)} status, {len(wf.steps)} transisi)")


@calendar.command("due")
@click.argument("start")
@click.argument("duration")
def calendar_due(start, duration):
    """Waktu jatuh tempo: START (ISO 8601 dengan zona) ditambah DURATION (Nm, Nh, atau Nd hari kerja)."""
    from .services.calendar import load_calendar
    from .timefmt import iso_wib
    from .working_time import CalendarError, due

    instant = _parse_instant(start, "START")
    try:
        click.echo(iso_wib(due(load_calendar(), instant, duration)))  # the configured calendar, admin days included
    except CalendarError as exc:
        raise click.ClickException(str(exc)) from None


@layani.command("config")
def config_show():
    """Cetak pengaturan yang dipakai aplikasi (rahasia disembunyikan)."""
    from flask import current_app

    from .config import effective

    for key, value in effective(current_app.config):
        click.echo(f"{key} = {value}")


@layani.command("deliver")
def deliver():
    """Coba kirim sekali semua email yang tertunda; server mail mati tidak membuat perintah ini gagal."""
    from .services.outbox import deliver_pending

    report = deliver_pending()
    click.echo(f"terkirim: {report.sent}, dicoba lagi nanti: {report.retried}, gagal: {report.failed}")
    if report.error:
        click.echo(report.error, err=True)
    if report.failed:
        click.echo("email yang gagal: flask --app layani_flow layani outbox failed", err=True)


outbox = AppGroup("outbox", help="Email keluar: yang gagal terkirim, dan mengirimnya ulang.")
layani.add_command(outbox)


@outbox.command("failed")
def outbox_failed():
    """Daftar email yang gagal: id, penerima, subjek, waktu gagal (WIB), alasan; satu baris per email."""
    from .services.outbox import failed_messages
    from .timefmt import iso_wib

    rows = failed_messages()
    for row in rows:
        fields = (str(row.id), row.to_addr, row.subject, iso_wib(row.failed_at) or "-", row.last_error)
        click.echo("\t".join(" ".join(field.split()) for field in fields))  # one line, whatever the text holds
    click.echo(f"{len(rows)} email gagal" if rows else "Tidak ada email yang gagal.", err=True)


@outbox.command("retry")
@click.argument("message_id", metavar="ID", type=int)
def outbox_retry(message_id):
    """Kirim ulang satu email yang gagal: kembali ke antrean, dikirim pada putaran berikutnya."""
    from .services.outbox import retry_failed

    try:
        row = retry_failed(message_id)
    except DomainError as exc:
        raise _fail(exc) from None
    click.echo(f"Email #{row.id} ke {row.to_addr} kembali ke antrean; dikirim pada putaran pengiriman berikutnya.")


def _parse_instant(text: str, name: str):
    import datetime as dt

    try:
        instant = dt.datetime.fromisoformat(text)
    except ValueError:
        raise click.ClickException(f"{name} harus berupa waktu ISO 8601, mis. 2026-11-27T15:00:00+07:00") from None
    if instant.tzinfo is None:
        raise click.ClickException(f"{name} harus menyertakan zona waktu, mis. +07:00")
    return instant


def _parse_now(now: str | None):
    from . import clock as wall

    return _parse_instant(now, "--now") if now else wall.now()


@layani.command("sweep")
@click.option("--now", "now", default=None, help="Waktu sapuan (ISO 8601 dengan zona); bawaan: sekarang.")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 10_000),
              help="Kasus per transaksi.")
def sweep(now, batch_size):
    """Satu kali sapuan SLA: peringatan dan eskalasi yang jatuh tempo pada waktu itu."""
    from .services.sweep import SweepBusy, sweep_due_cases

    try:
        report = sweep_due_cases(_parse_now(now), batch_size=batch_size)
    except SweepBusy as exc:  # what was committed before the lock is still reported
        for line in exc.report.lines():
            click.echo(line)
        raise click.ClickException(str(exc)) from None
    for line in report.lines():
        click.echo(line)
    from .services.consultations import send_reminders  # ConsDesk: the working day before a booking

    click.echo(f"pengingat konsultasi: {send_reminders(_parse_now(now))}")
    click.echo(f"peringatan: {len(report.warned)}, eskalasi: {len(report.escalated)}")
    if report.lost_races:
        click.echo(f"Sapuan lain lebih dulu menangani {report.lost_races} kelompok kasus; kelompok itu dilewati.")
    if report.busy_waits:
        click.echo(f"Basis data sempat dikunci proses lain ({report.busy_waits} kali); yang jatuh tempo sudah "
                   "tersapu, oleh sapuan ini atau proses itu.")


@layani.command("remind")
@click.option("--now", "now", default=None, help="Waktu pengingat (ISO 8601 dengan zona); bawaan: sekarang.")
def remind(now):
    """Kirim pengingat kepegawaian (KGB, kenaikan pangkat, pensiun, cuti, SKP) yang jatuh tempo pada waktu itu."""
    from .services.reminders import send_due_reminders

    report = send_due_reminders(_parse_now(now))
    for line in report.lines():
        click.echo(line)
    click.echo(f"pengingat terkirim: {report.total}, email: {report.emails}, "
               f"dilewati karena sudah diajukan: {report.skipped_filed}")


@layani.command("worker")
@click.option("--once", is_flag=True, help="Satu putaran saja (untuk uji dan cron).")
def worker(once):
    """Jalankan sapuan SLA dan pengiriman email setiap WORKER_INTERVAL detik sampai dihentikan."""
    from flask import current_app

    from .services.worker import run_worker

    run_worker(interval=float(current_app.config["WORKER_INTERVAL"]), once=once, echo=click.echo)


@layani.command("workers")
@click.option("--max-age", type=click.FloatRange(min=1), default=None,
              help="Detik sejak putaran terakhir yang masih dianggap hidup; bawaan: 2×WORKER_INTERVAL + 60.")
@click.option("--this-host", is_flag=True, help="Hanya worker di mesin ini (untuk pemeriksaan per mesin).")
def workers(max_age, this_host):
    """Worker yang berjalan dan putaran terakhirnya; keluar dengan status 1 bila tidak ada yang hidup."""
    import socket

    from flask import current_app

    from . import clock as wall
    from .services.health import heartbeats
    from .timefmt import iso_wib

    limit = max_age or 2 * float(current_app.config["WORKER_INTERVAL"]) + 60
    now, alive = wall.now(), 0
    for row in heartbeats():
        if this_host and row.name.rpartition(":")[0] != socket.gethostname():
            continue
        age = (now - row.beat_at).total_seconds()
        fresh = age <= limit
        alive += fresh
        failed = f", gagal: {row.failed_jobs}" if row.failed_jobs else ""
        click.echo(f"{row.name}\t{'hidup' if fresh else 'TERLAMBAT'}\tputaran terakhir {iso_wib(row.beat_at)} "
                   f"({age:.0f} detik lalu){failed}")
    if not alive:
        raise click.ClickException(f"Tidak ada worker yang menyelesaikan putaran dalam {limit:g} detik terakhir.")


files = AppGroup("files", help="Berkas unggahan: di basis data atau di UPLOAD_FOLDER (FILE_STORAGE).")
layani.add_command(files)


@files.command("import")
@click.option("--folder", type=click.Path(file_okay=False, exists=True, path_type=Path), default=None,
              help="Folder berkas lama; bawaan: UPLOAD_FOLDER.")
def files_import(folder):
    """Salin berkas unggahan dari folder ke basis data (aman diulang), untuk pindah dari satu server ke beberapa."""
    from .services.file_storage import DATABASE, backend, import_folder

    for line in import_folder(folder).lines():
        click.echo(line)
    if backend() != DATABASE:  # copied, but not yet read from there
        click.echo("Catatan: FILE_STORAGE belum database; setel LAYANI_FILE_STORAGE=database agar berkas dibaca "
                   "dari basis data.", err=True)


@layani.command("mail-in")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=2525, show_default=True, type=int)
def mail_in(host, port):
    """Terima balasan email (SMTP) yang diteruskan server mail kantor; berhenti dengan Ctrl-C/SIGTERM."""
    from flask import current_app

    from .services.mail_listener import serve

    # current_app is typed as Flask but is the proxy; Flask's own code reads it the same way.
    serve(current_app._get_current_object(), host, port, echo=click.echo)  # type: ignore[attr-defined]
