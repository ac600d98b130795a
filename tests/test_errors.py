"""Error pages: localised, never a traceback; bad input gets a 4xx, never a 500."""

from __future__ import annotations

import pytest
from flask import abort, request
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.access import policy
from portal.services.policy import PUBLIC

ERRORS = {
    400: "Er klopt iets niet",
    403: "U mag deze pagina niet zien",
    404: "Pagina niet gevonden",
    405: "Dit kan hier niet",
    413: "te groot",
    429: "Te vaak geprobeerd",
    500: "Er ging iets mis",
}


@pytest.fixture
def failing_app(app):
    """The app with extra routes that raise each error (registered before the first request)."""
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/<lang:lang>/_raise/<int:code>")
    @policy(PUBLIC)
    def _raise(code):
        abort(code)

    @app.post("/<lang:lang>/_echo")
    @policy(PUBLIC)
    def _echo():
        return str(len(request.form))

    @app.get("/<lang:lang>/_crash")
    @policy(PUBLIC)
    def _crash():
        raise RuntimeError("secret internals: password=hunter2")

    return app


@pytest.mark.parametrize("code", sorted(ERRORS))
def test_error_pages_are_dutch_and_localised(failing_app, code):
    client = failing_app.test_client()
    response = client.get(f"/nl/_raise/{code}")
    assert response.status_code == code
    assert ERRORS[code] in response.get_data(as_text=True)
    assert client.get(f"/ar/_raise/{code}").get_data(as_text=True).count('dir="rtl"') == 1


def test_an_unexpected_exception_shows_no_traceback(failing_app):
    response = failing_app.test_client().get("/en/_crash")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong on our side" in html
    assert "Traceback" not in html
    assert "hunter2" not in html


def test_405_lists_the_allowed_methods(client):
    response = client.post("/nl/programmes")
    assert response.status_code in (400, 405)  # CSRF may answer first; never a 500
    response = client.delete("/nl/programmes")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


def test_oversized_body_is_413(failing_app):
    response = failing_app.test_client().post("/nl/_echo", data={"x": "a" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert "te groot" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    ["page=%ff%fe", "page=%", "page=%zz", "q=%00", "page=" + "9" * 5000, "a=1&&&==&b", "page[]=1", "%E2%82"],
)
def test_malformed_query_strings_never_500(client, query):
    response = client.get(f"/nl/programmes?{query}")
    assert response.status_code in (200, 400)


def test_malformed_language_header_never_500(client):
    response = client.get("/", headers={"Accept-Language": "x" * 5000 + ";q=abc,,,;;"})
    assert response.status_code == 302


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=200))
def test_any_query_string_never_500(client, raw):
    response = client.get(
        "/en/programmes", environ_overrides={"QUERY_STRING": raw.encode("utf-8", "surrogatepass").decode("latin-1")}
    )
    assert response.status_code in (200, 400)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60))
def test_any_path_never_500(client, segment):
    response = client.get("/nl/programmes/" + segment.replace("/", "").replace("?", "").replace("#", ""))
    assert response.status_code < 500


@pytest.mark.parametrize(
    "url", ["/nl/programmes/%00", "/nl/programmes?q=%00", "/nl/routekaarten/a%00b", "/nl/map?day=%00"]
)
def test_nul_bytes_are_refused_with_400(client, url):
    assert client.get(url).status_code == 400


@pytest.mark.parametrize("slug", ["In-Beweging", "a_b", "-a", "a--b", "%C3%A9t%C3%A9"])
def test_malformed_slugs_are_404(client, slug):
    assert client.get(f"/nl/programmes/{slug}").status_code == 404
    assert client.get(f"/nl/routekaarten/{slug}").status_code == 404


@pytest.fixture
def broken_flush_app(app, monkeypatch):
    """Routes whose flush fails (a duplicate e-mail address), then crash or abort; the error page reads the database."""
    from sqlalchemy import select as sql_select

    import portal.errors
    from portal.extensions import db
    from portal.models import User

    app.config["PROPAGATE_EXCEPTIONS"] = False

    def fail_flush():
        db.session.add_all(
            [User(email="twice@example.nl", role="resident"), User(email="twice@example.nl", role="resident")]
        )
        db.session.flush()

    @app.get("/<lang:lang>/_broken_crash")
    @policy(PUBLIC)
    def _broken_crash():
        fail_flush()

    @app.get("/<lang:lang>/_broken_abort")
    @policy(PUBLIC)
    def _broken_abort():
        try:
            fail_flush()
        except Exception:
            abort(400)

    original = portal.errors.render_template

    def render_reading_the_database(*args, **kwargs):
        db.session.scalar(sql_select(User.id).limit(1))  # as a page showing the signed-in account would
        return original(*args, **kwargs)

    monkeypatch.setattr(portal.errors, "render_template", render_reading_the_database)
    return app


@pytest.mark.parametrize(
    ("path", "code", "text"),
    [
        ("/en/_broken_crash", 500, "Something went wrong on our side"),
        ("/en/_broken_abort", 400, "Something is wrong with this request"),
    ],
)
def test_the_error_page_rolls_back_a_failed_transaction_first(broken_flush_app, path, code, text):
    response = broken_flush_app.test_client().get(path)
    assert response.status_code == code
    assert response.mimetype == "text/html"
    assert text in response.get_data(as_text=True)
