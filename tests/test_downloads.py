"""File downloads: the browser saves them under the given name, with the given type."""

from __future__ import annotations

from portal.downloads import file_download


def test_a_download_is_an_attachment_with_its_name_and_type(app):
    with app.test_request_context():
        response = file_download("a,b\r\n", "text/csv", "beweegmakelaars-sessions.csv")
    assert response.headers["Content-Disposition"] == 'attachment; filename="beweegmakelaars-sessions.csv"'
    assert response.mimetype == "text/csv" and response.get_data(as_text=True) == "a,b\r\n"
