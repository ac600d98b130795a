"""WSGI glue for the werkzeug live server of the browser tests."""

from __future__ import annotations


def read_whole_file(file, buffer_size: int = 8192) -> list[bytes]:
    """A wsgi.file_wrapper that reads the file at once and closes it before the response is sent.

    werkzeug's development server skips the response's close() when the client resets the
    connection while it drains the request (werkzeug 3.1, serving.py `execute`); a browser that
    leaves a page while an icon loads then leaves the icon's file open, and its ResourceWarning
    surfaces in whichever test runs next."""
    with file:
        return [file.read()]


def closing_files(app):
    """Wrap a WSGI app so that every file it sends is read and closed by read_whole_file."""

    def wsgi(environ, start_response):
        environ["wsgi.file_wrapper"] = read_whole_file
        return app(environ, start_response)

    return wsgi
