"""Durations as people write them ("2 hari", "3 jam kerja", "30 menit") and as the CLI and the declarations
write them ("2d", "3h", "30m"): one parser (working_time.parse_duration), one stored form."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from layani_flow.models import SlaPolicy
from layani_flow.services import admin_settings
from layani_flow.working_time import CalendarError, normalized_duration, parse_duration

from .views.helpers import text_of


@pytest.mark.parametrize("text, parsed", [
    ("2d", ("d", 2)), ("3h", ("h", 3)), ("30m", ("m", 30)), (" 4H ", ("h", 4)),
    ("2 hari", ("d", 2)), ("2 hari kerja", ("d", 2)), ("2 Hari Kerja", ("d", 2)), ("2hari", ("d", 2)),
    ("3 jam", ("h", 3)), ("3 jam kerja", ("h", 3)), ("30 menit", ("m", 30)), ("30 menit kerja", ("m", 30)),
    ("1  hari", ("d", 1)), ("0 hari", ("d", 0)), ("2 d", ("d", 2)),
])
def test_what_people_write_is_understood(text, parsed):
    assert parse_duration(text) == parsed


@pytest.mark.parametrize("text", [
    "", "hari", "2", "2 minggu", "2 hari kalender", "1.5 hari", "-1 hari", "2x", "dua hari", "2 hari 3 jam",
    "kerja", "2 kerja", "2 jam kerja lembur",
])
def test_anything_else_gets_one_clear_indonesian_message(text):
    with pytest.raises(CalendarError, match="durasi tidak dikenali: tulis angka lalu satuannya"):
        parse_duration(text)
    assert admin_settings.duration_problem(text).startswith("Durasi tidak dikenali")


@given(st.integers(min_value=0, max_value=9_999_999), st.sampled_from([
    ("m", "{n}m"), ("m", "{n} menit"), ("m", "{n} menit kerja"), ("h", "{n}h"), ("h", "{n} jam"),
    ("h", "{n} jam kerja"), ("d", "{n}d"), ("d", "{n} hari"), ("d", "{n} hari kerja")]),
    st.sampled_from(["", " ", "  "]), st.booleans())
def test_every_spelling_of_an_amount_means_the_same(n, form, pad, upper):
    unit, pattern = form
    text = pad + pattern.format(n=n) + pad
    text = text.upper() if upper else text
    assert parse_duration(text) == (unit, n)
    assert normalized_duration(text) == f"{n}{unit}"
    assert parse_duration(normalized_duration(text)) == (unit, n)  # the stored form reads back the same


@given(st.text(max_size=30))
def test_the_parser_never_fails_with_anything_but_its_message(text):
    try:
        unit, amount = parse_duration(text)
    except CalendarError:
        return
    assert unit in "mhd" and amount >= 0


def test_the_cli_keeps_its_short_forms_and_accepts_the_long_ones(runner, app):
    for spelled in ("2h", "2 jam"):
        result = runner.invoke(args=["layani", "calendar", "due", "2026-11-27T15:00:00+07:00", spelled])
        assert result.exit_code == 0, result.output
        assert result.output.strip().splitlines()[-1] == "2026-11-30T08:00:00+07:00"


def test_the_admin_saves_a_policy_written_in_words_in_the_short_form(login_as, office, db):
    web = login_as(office.admin)
    response = web.post_form("/admin/sla", {"case_type": "service_request", "service": "kgb", "clock": "resolution",
                                            "target": "10 hari kerja", "warn_percent": "80",
                                            "escalate_every": "4 jam"})
    assert response.status_code == 302, text_of(response)[:2000]
    policy = db.session.scalars(select(SlaPolicy).where(SlaPolicy.is_active)).one()
    assert (policy.target, policy.escalate_every) == ("10d", "4h")
    refused = web.post_form("/admin/sla", {"case_type": "service_request", "service": "kgb", "clock": "resolution",
                                           "target": "2 minggu", "warn_percent": "80", "escalate_every": "1d"})
    assert refused.status_code == 422 and "Durasi tidak dikenali" in text_of(refused)
