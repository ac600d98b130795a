"""Attachments through the pages: checked from the content, cleaned, stored encrypted, served only to the thread."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from portal.extensions import db
from portal.models import Attachment, Message, Thread
from portal.services.messaging import care_relations, threads
from tests.factories import OrganisationFactory, UserFactory
from tests.support.accounts import csrf_token, sign_in

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def jpeg_with_gps() -> bytes:
    """A photo whose EXIF says where it was taken."""
    image = Image.new("RGB", (40, 30), "blue")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8825)[2] = (52.0, 6.0, 0.0)  # GPS latitude
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


@pytest.fixture
def thread_with_team(app, client):
    """Resident signed in on `client`, in the care of a practice, with an open thread; returns (thread, poh)."""
    practice = OrganisationFactory()
    resident = UserFactory(role="resident", second_factor="email")
    poh = UserFactory(role="professional", organisation=practice)
    _relation, code = care_relations.invite(poh)
    care_relations.accept_invitation(resident, code)
    thread = threads.start_thread(resident, practice, "Vraag", "Zie de foto", "thread-key-00000001")
    db.session.commit()
    sign_in(client, resident)
    return thread, poh


def send(client, thread, files, body="Hier is de foto", key="reply-key-000000001"):
    """Post a reply with files, the body encoded in memory (the test client would spool a large one to a
    temporary file that nobody closes)."""
    path = f"/nl/messages/{thread.id}"
    data = MultiDict({"csrf_token": csrf_token(client, path), "body": body, "key": key})
    for name, content in files:
        data.add("files", FileStorage(io.BytesIO(content), filename=name, content_type="application/octet-stream"))
    boundary, payload = encode_multipart(data)
    return client.post(path + "/reply", data=payload, content_type=f"multipart/form-data; boundary={boundary}")


def test_a_photo_is_cleaned_encrypted_and_downloaded_by_the_thread_only(app, client, thread_with_team):
    thread, poh = thread_with_team
    response = send(client, thread, [("mijn foto.jpg", jpeg_with_gps())])
    assert response.status_code == 303
    attachment = db.session.scalar(select(Attachment))
    assert attachment.kind == "jpeg" and attachment.filename == "mijn foto.jpg"
    stored = [p for p in Path(app.config["PORTAL_ATTACHMENT_DIR"]).rglob("*") if p.is_file()]
    assert len(stored) == 1 and b"\xff\xd8\xff" not in stored[0].read_bytes()  # encrypted on disk
    download = client.get(f"/nl/messages/{thread.id}/files/{attachment.id}")
    assert download.status_code == 200 and download.mimetype == "image/jpeg"
    assert "attachment" in download.headers["Content-Disposition"] and "no-store" in download.headers["Cache-Control"]
    image = Image.open(io.BytesIO(download.data))
    assert not image.getexif() and "exif" not in image.info  # GPS and camera gone
    # The POH of the practice gets it, and the read is logged; a professional elsewhere gets a 404.
    staff = app.test_client()
    sign_in(staff, poh)
    assert staff.get(f"/nl/professional/threads/{thread.id}/files/{attachment.id}").status_code == 200
    stranger = app.test_client()
    sign_in(stranger, UserFactory(role="professional", organisation=OrganisationFactory()))
    assert stranger.get(f"/nl/professional/threads/{thread.id}/files/{attachment.id}").status_code == 404
    # The id of the file under another thread's id is a 404 as well.
    other = threads.start_thread(thread.resident, thread.organisation, "Andere vraag", "Tekst", "thread-key-00000002")
    db.session.commit()
    assert client.get(f"/nl/messages/{other.id}/files/{attachment.id}").status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("rapport.pdf", b"MZ\x90\x00" + b"\x00" * 200, "alleen foto"),  # an executable renamed .pdf
        ("leeg.png", b"", "leeg"),
        ("script.pdf", PDF.replace(b"/Catalog", b"/Catalog /OpenAction << /S /JavaScript >>"), "scripts"),
        ("kapot.jpg", jpeg_with_gps()[:200], "kan niet worden geopend"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_saved(app, client, thread_with_team, name, content, problem):
    thread, _poh = thread_with_team
    response = send(client, thread, [(name, content)])
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Message)) == 1
    assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0
    assert not [p for p in Path(app.config["PORTAL_ATTACHMENT_DIR"]).rglob("*") if p.is_file()]


def test_four_files_are_too_many(app, client, thread_with_team):
    thread, _poh = thread_with_team
    response = send(client, thread, [(f"{n}.pdf", PDF) for n in range(4)])
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0


def test_a_body_above_the_limit_is_refused_before_it_is_read(app, client, thread_with_team):
    thread, _poh = thread_with_team
    path = f"/nl/messages/{thread.id}"
    # The Content-Length alone decides: the server answers 413 without reading the 30 MB body it announces.
    response = client.post(
        path + "/reply",
        data=b"x" * 1024,
        content_type="multipart/form-data; boundary=x",
        environ_overrides={"CONTENT_LENGTH": str(30 * 2**20)},
    )
    assert response.status_code == 413
    # Other routes keep the 1 MB limit.
    big = client.post("/nl/messages/notices", data={"notice": "x" * (2 * 2**20)})
    assert big.status_code == 413


def test_a_pdf_up_to_the_limit_goes_through(app, client, thread_with_team):
    thread, _poh = thread_with_team
    padded = PDF[:-6] + b"%" + b"a" * (5 * 2**20 - len(PDF) - 10) + b"\n%%EOF\n"
    assert len(padded) <= 5 * 2**20
    assert send(client, thread, [("groot.pdf", padded)]).status_code == 303
    assert db.session.scalar(select(Attachment.size)) == len(padded)
    assert db.session.get(Thread, thread.id).waiting_on == "team"


def test_a_file_missing_from_the_folder_is_a_404_not_a_500(app, client, thread_with_team):
    thread, _poh = thread_with_team
    send(client, thread, [("brief.pdf", PDF)])
    attachment = db.session.scalar(select(Attachment))
    for path in Path(app.config["PORTAL_ATTACHMENT_DIR"]).rglob("*"):
        if path.is_file():
            path.unlink()
    assert client.get(f"/nl/messages/{thread.id}/files/{attachment.id}").status_code == 404
