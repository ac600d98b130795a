"""The portal under gunicorn on a fresh test database, and an app in this process on the same database."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from sqlalchemy.engine import make_url

from portal import create_app
from portal.extensions import db
from tests.conftest import base_config
from tests.support.databases import fresh_database
from tests.support.gunicorn import serve


@dataclass
class Server:
    """The portal under gunicorn, and an app in this process on the same database (to make and count rows)."""

    url: str
    app: Flask
    log: Path
    backend: str


def database_url(settings: dict) -> str:
    """DATABASE_URL for the workers: the test database, a PostgreSQL schema's search_path as a libpq option."""
    url = make_url(settings["SQLALCHEMY_DATABASE_URI"])
    options = settings.get("SQLALCHEMY_ENGINE_OPTIONS", {}).get("connect_args", {}).get("options")
    if options:
        url = url.update_query_dict({"options": options})
    return url.render_as_string(hide_password=False)


def server_env(app: Flask, settings: dict, directory: Path) -> dict[str, str]:
    """The workers' environment: this app's key, database and page cache, no rate limits, no Redis, mail to an outbox.

    No route maps either: a worker still booting when the test adds programmes would check the maps'
    slugs against them and refuse to start."""
    env = {name: value for name, value in os.environ.items() if name not in {"REDIS_URL", "MAIL_SERVER"}}
    return env | {
        "PORTAL_ENV": "testing",
        "SECRET_KEY": app.config["SECRET_KEY"],
        "DATABASE_URL": database_url(settings),
        "RATELIMIT_ENABLED": "false",
        "PORTAL_OUTBOX_DIR": str(directory / "outbox"),
        "PORTAL_CONTENT_DIR": app.config["PORTAL_CONTENT_DIR"],
        "PORTAL_PAGE_CACHE": "disk",  # shared with `app`, so its commits make the workers' pages stale
        "PORTAL_PAGE_CACHE_DIR": app.config["PORTAL_PAGE_CACHE_DIR"],
    }


@contextmanager
def database_of(server: Server) -> Iterator[None]:
    """An app context on the test database; commits and hands the connections back on leaving."""
    with server.app.app_context():
        yield
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


@contextmanager
def served_portal(backend: str, tmp_path_factory, name: str, workers: int) -> Iterator[Server]:
    """A fresh database of `backend` with the schema, served by gunicorn with `workers` workers."""
    directory = tmp_path_factory.mktemp(f"{name}-{backend}")
    settings = fresh_database(backend, directory, name)
    app = create_app(base_config(directory) | settings | {"PORTAL_CONTENT_DIR": str(directory / "no-content")})
    with app.app_context():
        db.create_all()
        db.session.remove()
        db.engine.dispose()
    log = directory / "gunicorn.log"
    with serve(server_env(app, settings, directory), home=directory, workers=workers, log=log) as url:
        yield Server(url, app, log, backend)
