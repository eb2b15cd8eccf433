"""services/file_storage.py: the one place files are kept, on the filesystem or in the database. The filing
paths run on both backends in tests/services/test_documents.py; here the seam itself, a download, and moving a
one-server folder into the database (`layani files import`)."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from layani_flow.extensions import db
from layani_flow.models import StoredFile
from layani_flow.services import cases, file_storage
from layani_flow.services.db import unit_of_work

from .helpers import KGB, upload
from .samples import PDF, PNG

BACKENDS = ["filesystem", "database"]


@pytest.fixture(params=BACKENDS)
def app_config(app_config, request):
    return {**app_config, "FILE_STORAGE": request.param}


def folder_files(app) -> list[str]:
    folder = Path(app.config["UPLOAD_FOLDER"])
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_saved_bytes_read_back_by_name(app):
    with unit_of_work():
        name = file_storage.save(PDF, "pdf")
    assert name.endswith(".pdf") and file_storage.STORED_NAME.match(name)
    assert file_storage.read(name) == PDF and file_storage.exists(name)
    assert file_storage.stored_names() == {name}
    assert file_storage.read("0" * 32 + ".pdf") is None and not file_storage.exists("0" * 32 + ".pdf")
    kept_on_disk = folder_files(app)
    assert kept_on_disk == ([name] if app.config["FILE_STORAGE"] == "filesystem" else [])


def test_in_the_database_a_save_is_part_of_the_callers_transaction(app):
    if app.config["FILE_STORAGE"] != "database":
        pytest.skip("on the filesystem a failed unit of work calls discard(): tests/services/test_documents.py")
    with pytest.raises(RuntimeError), unit_of_work():
        file_storage.save(PDF, "pdf")
        raise RuntimeError("the filing failed")
    assert db.session.scalar(select(func.count()).select_from(StoredFile)) == 0


def test_a_filed_document_downloads_with_the_same_bytes(app, office, login_as):
    case = cases.open_case("service_request", KGB, office.employee, uploads=[upload("skp", "skp.png", PNG)]).case
    response = login_as(office.employee).get(f"/kasus/{case.id}/dokumen/1")
    assert response.status_code == 200 and response.data == PNG
    assert response.headers["Content-Type"] == "image/png"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_missing_file_is_a_404_not_a_500(app, office, login_as):
    case = cases.open_case("service_request", KGB, office.employee, uploads=[upload("skp")]).case
    name = case.documents[0].stored_name
    if app.config["FILE_STORAGE"] == "database":
        db.session.execute(StoredFile.__table__.delete())
        db.session.commit()
    else:
        (Path(app.config["UPLOAD_FOLDER"]) / name).unlink()
    assert login_as(office.employee).get(f"/kasus/{case.id}/dokumen/1").status_code == 404


def test_auto_keeps_files_in_the_database_on_postgresql_only(app):
    app.config["FILE_STORAGE"] = "auto"
    expected = "database" if db.engine.dialect.name == "postgresql" else "filesystem"
    assert file_storage.backend() == expected


# -- one server's folder into the database --------------------------------------------------------------

@pytest.fixture
def old_server_files(app):
    """Files a one-server desk kept under UPLOAD_FOLDER, and a stray file that is not an upload."""
    app.config["FILE_STORAGE"] = "filesystem"
    with unit_of_work():
        names = [file_storage.save(PDF, "pdf"), file_storage.save(PNG, "png")]
    (Path(app.config["UPLOAD_FOLDER"]) / "catatan.txt").write_text("bukan unggahan")
    app.config["FILE_STORAGE"] = "database"
    return names


def test_files_import_copies_the_folder_into_the_database_once(app, runner, old_server_files):
    first = runner.invoke(args=["layani", "files", "import"])
    assert first.exit_code == 0, first.output
    assert "disalin ke basis data: 2, sudah ada: 0" in first.output and "catatan.txt" in first.output
    again = runner.invoke(args=["layani", "files", "import"])
    assert "disalin ke basis data: 0, sudah ada: 2" in again.output
    db.session.remove()
    assert file_storage.stored_names() == set(old_server_files)
    assert [file_storage.read(n) for n in old_server_files] == [PDF, PNG]
    row = db.session.get(StoredFile, old_server_files[0])
    assert row is not None and row.size_bytes == len(PDF) and len(row.sha256) == 64
