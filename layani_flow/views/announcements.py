"""Informasi pages: the list (topic filter, words), an announcement (reading it marks it read; the
acknowledgement button), writing one, who has read it and the reminder, and socialisation events (RSVP,
attendance on the day, the ICS invitation). One service call per request."""
from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from layani_flow import clock
from layani_flow.forms.announcements import AnnouncementForm
from layani_flow.forms.base import choices
from layani_flow.models.announcements import TOPICS
from layani_flow.services import announcements, documents, listings
from layani_flow.services.errors import DomainError, InvalidInput

from . import downloads
from .auth import role_required

bp = Blueprint("announcements", __name__)

PAGE_SIZE = 20


@bp.get("/informasi")
@login_required
def index():
    try:
        topic = announcements.check_topic(request.args.get("topik"))
        q = announcements.check_search(request.args.get("q"))
    except InvalidInput as exc:
        return render_template("announcements/index.html", rows=[], total=0, topic="", q="", page=1, pages=1,
                               topics=TOPICS, errors=exc.errors, events=[]), 400
    try:
        page = max(1, int(request.args.get("halaman") or 1))
    except ValueError:
        page = 1
    rows, total = announcements.list_for(current_user, topic=topic, q=q, limit=PAGE_SIZE,
                                         offset=(page - 1) * PAGE_SIZE)
    return render_template("announcements/index.html", rows=rows, total=total, topic=topic, q=q, page=page,
                           pages=listings.page_count(total, PAGE_SIZE), topics=TOPICS, errors={},
                           events=announcements.upcoming_events(current_user, clock.now()),
                           may_publish=current_user.role in announcements.PUBLISHERS)


def _compose_page(form: AnnouncementForm, errors: dict, status: int = 200):
    return render_template("announcements/compose.html", form=form, errors=errors), status


@bp.route("/informasi/tulis", methods=["GET", "POST"])
@role_required(*announcements.PUBLISHERS)
def compose():
    form = AnnouncementForm()
    form.units.choices = choices((u, u) for u in announcements.known_units())
    if not form.is_submitted():
        return _compose_page(form, {})
    if not form.validate():
        return _compose_page(form, form.first_errors(), 422)
    try:
        uploads = [documents.check_upload("files", "materi", f.filename or "", f.read())
                   for f in request.files.getlist("files") if f and f.filename]
        item = announcements.publish(current_user, title=form.title.data, body=form.body.data, topic=form.topic.data,
                                     audience=form.audience(), requires_ack=bool(form.requires_ack.data),
                                     event=form.event(), uploads=uploads)
    except DomainError as exc:
        return _compose_page(form, exc.errors or {"form": [exc.message]}, exc.status)
    flash("Pengumuman diterbitkan dan dikirim ke email penerimanya.", "success")
    return redirect(url_for("announcements.detail", announcement_id=item.id), code=303)


@bp.get("/informasi/<int:announcement_id>")
@login_required
def detail(announcement_id: int):
    item = announcements.open_announcement(announcement_id, current_user)
    return render_template("announcements/detail.html", item=item,
                           reading=announcements.reading_of(item, current_user),
                           for_me=announcements.in_audience(item, current_user),
                           audience_text=announcements.audience_of(item).describe(),
                           sees_readers=announcements.can_see_readers(item, current_user),
                           event_when=announcements.event_when(item.event) if item.event else "")


@bp.post("/informasi/<int:announcement_id>/konfirmasi")
@login_required
def acknowledge(announcement_id: int):
    announcements.acknowledge(announcement_id, current_user)
    flash("Terima kasih, konfirmasi Anda sudah dicatat.", "success")
    return redirect(url_for("announcements.detail", announcement_id=announcement_id), code=303)


@bp.get("/informasi/<int:announcement_id>/pembaca")
@login_required
def readers(announcement_id: int):
    found = announcements.readers(announcement_id, current_user)
    return render_template("announcements/readers.html", found=found, item=found.announcement)


@bp.post("/informasi/<int:announcement_id>/ingatkan")
@login_required
def remind(announcement_id: int):
    try:
        sent = announcements.remind_pending(announcement_id, current_user)
    except DomainError as exc:
        if exc.status != 409:
            raise
        flash(exc.message, "error")
    else:
        flash(f"Pengingat dikirim ke {sent} orang.", "success")
    return redirect(url_for("announcements.readers", announcement_id=announcement_id), code=303)


@bp.get("/informasi/<int:announcement_id>/berkas/<int:number>")
@login_required
def download(announcement_id: int, number: int):
    item = announcements.file_of(announcement_id, number, current_user)
    return downloads.stored_file(item.stored_name, item.content_type, item.original_name)


# -- events -------------------------------------------------------------------------------------------------

@bp.get("/informasi/acara/<int:event_id>")
@login_required
def event(event_id: int):
    found = announcements.get_event(event_id, current_user)
    item = found.announcement
    now = clock.now()
    takes = announcements.can_take_attendance(item, current_user)
    return render_template("announcements/event.html", event=found, item=item,
                           when=announcements.event_when(found), now=now,
                           for_me=announcements.in_audience(item, current_user),
                           answer=announcements.rsvp_of(found, current_user),
                           takes_attendance=takes, attendance_open=announcements.attendance_open(found, now),
                           attendees=announcements.attendees(found) if takes else [])


@bp.post("/informasi/acara/<int:event_id>/jawab")
@login_required
def answer(event_id: int):
    given = request.form.get("answer", "")
    try:
        announcements.rsvp(event_id, current_user, given)
    except DomainError as exc:
        if exc.status not in (409, 422):
            raise
        flash(exc.message, "error")
    else:
        flash("Terima kasih, Anda tercatat akan hadir." if given == "yes" else "Jawaban Anda (tidak hadir) dicatat.",
              "success")
    return redirect(url_for("announcements.event", event_id=event_id), code=303)


@bp.post("/informasi/acara/<int:event_id>/daftar-hadir")
@login_required
def attendance(event_id: int):
    try:
        count = announcements.record_attendance(event_id, current_user, request.form.getlist("hadir"))
    except DomainError as exc:
        if exc.status not in (409, 422):
            raise
        flash(exc.message, "error")
    else:
        flash(f"Daftar hadir disimpan: {count} orang hadir.", "success")
    return redirect(url_for("announcements.event", event_id=event_id), code=303)


@bp.get("/informasi/acara/<int:event_id>/undangan.ics")
@login_required
def invitation(event_id: int):
    found = announcements.get_event(event_id, current_user)
    return Response(announcements.event_invitation(found), mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="acara-{found.id}.ics"'})
