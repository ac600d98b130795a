"""The browser tests' live server closes every file it sends, even when the client drops the connection."""

from __future__ import annotations

import gc
import warnings

from werkzeug.test import EnvironBuilder

from tests.support.live_wsgi import closing_files, read_whole_file

ICON = "/static/icons/category-geld-werk.svg"


def _open_files_left_by_a_dropped_response(wsgi_app, path: str) -> list[str]:
    """Start a response for `path` as a server does, drop it without close() (what werkzeug's
    server does on a connection reset), and return the ResourceWarnings the garbage collector gives."""
    environ = EnvironBuilder(path=path).get_environ()
    statuses = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        body = wsgi_app(environ, lambda status, headers, exc_info=None: statuses.append(status))
        assert statuses[0].startswith("200")
        del body
        gc.collect()
    return [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]


def test_read_whole_file_reads_and_closes(tmp_path):
    path = tmp_path / "icon.svg"
    path.write_bytes(b"<svg/>")
    file = path.open("rb")
    assert read_whole_file(file) == [b"<svg/>"]
    assert file.closed


def test_a_dropped_static_response_leaves_no_open_file(app):
    assert _open_files_left_by_a_dropped_response(closing_files(app.wsgi_app), ICON) == []


def test_without_the_wrapper_the_dropped_response_leaks_its_file(app):
    """The control: shows the test above can fail, on the werkzeug version we pin."""
    assert any("category-geld-werk.svg" in m for m in _open_files_left_by_a_dropped_response(app.wsgi_app, ICON))
