"""NUL characters never reach the database (PostgreSQL refuses them in text)."""
from layani_flow.services import cases as case_service


def test_nul_characters_are_dropped_from_what_people_type(db, office):
    opened = case_service.open_case("complaint", {"category": "kritik", "subject": "Ju\x00dul",
                                                  "description": "Isi\x00 uraian yang cukup panjang."}, office.employee)
    event = case_service.add_message(opened.case.id, office.employee, "pe\x00san")
    db.session.expire_all()
    case = case_service.get_case(opened.case.id, office.employee)
    assert case.title == "Judul" and case.fields["description"] == "Isi uraian yang cukup panjang."
    assert [e.comment for e in case.events if e.id == event.id] == ["pesan"]
