"""Issue 8, forms: the golongan an admin records prefills the pangkat the intake forms ask for."""
import pytest

from layani_flow.extensions import db
from layani_flow.grades import grade_problem, normalize_grade, pangkat_golongan
from layani_flow.models import User
from layani_flow.services.users import set_grade

from .helpers import text_of


@pytest.mark.parametrize(("typed", "grade"), [("III/a", "III/a"), ("iii/a", "III/a"), ("III a", "III/a"),
                                              ("IVe", "IV/e"), ("ix", "IX"), ("", None), ("V/a", None)])
def test_grades_are_read_as_typed(typed, grade):
    assert normalize_grade(typed) == grade


def test_the_pangkat_comes_from_the_golongan():
    assert pangkat_golongan("III/a") == "Penata Muda, III/a"
    assert pangkat_golongan("IV/c") == "Pembina Utama Muda, IV/c"
    assert pangkat_golongan("IX") == "Golongan IX (PPPK)"
    assert pangkat_golongan(None) == ""
    assert grade_problem("Z/z") and grade_problem("") is None


def test_the_kgb_form_is_prefilled_and_stays_editable(login_as, office):
    set_grade(office.admin, office.employee.id, "III/b")
    html = text_of(login_as(office.employee).get("/kasus/baru/service_request?layanan=kgb"))
    assert 'value="Penata Muda Tingkat I, III/b"' in html.split('id="golongan"')[1].split(">")[0]
    assert "readonly" not in html.split('id="golongan"')[1].split(">")[0]


def test_no_grade_no_prefill(login_as, office):
    html = text_of(login_as(office.employee).get("/kasus/baru/service_request?layanan=kenaikan_pangkat"))
    field = html.split('id="golongan_sekarang"')[1].split(">")[0]
    assert 'value=""' in field or "value=" not in field


def test_an_admin_sets_a_grade(login_as, office):
    web = login_as(office.admin)
    page = text_of(web.get("/admin/pengguna"))
    assert '<datalist id="golongan">' in page and "Penata Muda, III/a" in page
    response = web.post_form(f"/admin/pengguna/{office.employee.id}/golongan", {"grade": "iii/c"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(User, office.employee.id).grade == "III/c"
    response = web.post_form(f"/admin/pengguna/{office.employee.id}/golongan", {"grade": "bukan"})
    assert response.status_code == 422 and "Golongan tidak dikenal" in text_of(response)
    db.session.expire_all()
    assert db.session.get(User, office.employee.id).grade == "III/c"


@pytest.mark.parametrize("who", ["employee", "officer", "kasubbag"])
def test_only_an_admin_sets_a_grade(login_as, office, who):
    web = login_as(getattr(office, who))
    response = web.post_form(f"/admin/pengguna/{office.employee.id}/golongan", {"grade": "IV/e"})
    assert response.status_code in (403, 404)
    db.session.expire_all()
    assert db.session.get(User, office.employee.id).grade is None


def test_a_grade_change_is_not_a_get(login_as, office):
    assert login_as(office.admin).get(f"/admin/pengguna/{office.employee.id}/golongan").status_code == 405


def test_cli_create_takes_a_grade(runner, db):
    args = ["layani", "users", "create", "--nip", "199001012015011004", "--name", "Bergolongan",
            "--email", "gol@dkp.babelprov.go.id", "--role", "employee", "--password", "kata sandi panjang sekali"]
    result = runner.invoke(args=[*args, "--grade", "III/d"])
    assert result.exit_code == 0, result.output
    assert db.session.query(User).filter_by(nip="199001012015011004").one().grade == "III/d"
    bad = runner.invoke(args=[*args[:3], "--nip", "199001012015011005", *args[5:7], "--email", "x@dkp.go.id",
                              *args[9:], "--grade", "XX/z"])
    assert bad.exit_code != 0 and "Golongan tidak dikenal" in bad.output
