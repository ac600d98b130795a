"""The scale-out setup on one machine: a fresh PostgreSQL database, one Redis database, two gunicorn app servers
(each its own HOME and outbox, as separate machines) and nginx balancing over them; an app in this process on the
same database and Redis to make and count rows."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import redis
from cryptography.fernet import Fernet
from flask import Flask
from sqlalchemy.engine import make_url

from bench.scale_out_nginx import Nginx, run_nginx
from portal import create_app
from portal.config import load_config
from portal.extensions import db
from tests.support.gunicorn import free_port, serve

ROOT = Path(__file__).resolve().parent.parent
DATABASE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
SERVER_NAMES = ("a", "b")
START_TIMEOUT = 120  # seconds for an app server's workers to come up (four boot at once on a busy machine)
# Settings the caller's environment must not leak into the servers: each server gets exactly the shared ones below.
PRIVATE_PREFIXES = ("PORTAL_", "MAIL_", "RATELIMIT_", "FLASK_", "CACHE_")
PRIVATE_NAMES = frozenset({"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "TEST_DATABASE_URL"})


@dataclass
class Cluster:
    """Two app servers (base URLs of A and B), nginx in front of both, and an app in this process on the same data."""

    servers: list[str]
    proxy: Nginx
    app: Flask
    env: dict[str, str]
    logs: list[Path]
    timings: dict[str, float] = field(default_factory=dict)

    def log_tails(self, lines: int = 30) -> str:
        """The last lines of each app server's log, for a failing check's message."""
        tails = []
        for log in self.logs:
            text = log.read_text(errors="replace").splitlines()[-lines:] if log.exists() else ["(no log)"]
            tails.append(f"--- {log.parent.name}: {log}\n" + "\n".join(text))
        return "\n".join(tails)


def database_url(server_url: str, name: str) -> str:
    """The URL of database `name` on the PostgreSQL server that `server_url` points at (any database on it)."""
    if not DATABASE_NAME.fullmatch(name):
        raise ValueError(f"not a plain database name: {name!r}")
    url = make_url(server_url).set(drivername="postgresql", database=name)
    return url.render_as_string(hide_password=False)


def _admin(server_url: str) -> psycopg.Connection:
    """An autocommit connection to the server's maintenance database `postgres`."""
    url = make_url(server_url).set(drivername="postgresql", database="postgres")
    return psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)


@contextmanager
def fresh_database(server_url: str, name: str) -> Iterator[str]:
    """Create database `name` anew (dropping a left-over one), yield its URL, drop it afterwards."""
    url = database_url(server_url, name)  # checks the name before it is quoted into SQL
    with _admin(server_url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url
    finally:
        with _admin(server_url) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def empty_redis(url: str) -> None:
    """Empty the one Redis database of `url` (FLUSHDB, never FLUSHALL); raises when Redis does not answer."""
    with redis.Redis.from_url(url, socket_timeout=5) as client:
        client.flushdb()


def shared_env(database: str, redis_url: str, work: Path) -> dict[str, str]:
    """The settings every app server shares: key, message keys, database, Redis, proxy hops, attachment folder."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(PRIVATE_PREFIXES) and name not in PRIVATE_NAMES
    }
    return inherited | {
        # development, not production: production's Secure cookies need HTTPS, which this plain-HTTP run lacks.
        "PORTAL_ENV": "development",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "PORTAL_MESSAGE_KEYS": Fernet.generate_key().decode(),
        "DATABASE_URL": database,
        "REDIS_URL": redis_url,
        "PORTAL_TRUSTED_PROXIES": "1",  # nginx sets X-Forwarded-For
        "PORTAL_ATTACHMENT_DIR": str(work / "shared-attachments"),  # a shared mount in a real deployment
    }


def own_env(shared: dict[str, str], work: Path, name: str) -> dict[str, str]:
    """One machine's environment: the shared settings, and its own outbox folder."""
    (work / name).mkdir(exist_ok=True)
    return shared | {"PORTAL_OUTBOX_DIR": str(work / name / "outbox")}


def flask_command(env: dict[str, str], *args: str) -> None:
    """Run `flask --app app ARGS` with `env`; raises with the command's output when it fails."""
    command = [sys.executable, "-m", "flask", "--app", "app", *args]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stdout}{result.stderr}")


def local_app(env: dict[str, str]) -> Flask:
    """A portal app in this process with the servers' settings (it reads no other environment)."""
    return create_app(load_config(ROOT / "instance", env))


@contextmanager
def started(server_url: str, name: str, redis_url: str, workers: int = 2) -> Iterator[Cluster]:
    """Fresh database `name` (migrated, demo loaded), emptied Redis, servers A and B with `workers` workers each,
    nginx round robin in front; everything stopped and dropped afterwards."""
    work = Path(tempfile.mkdtemp(prefix="wijkportaal-scale-out-"))
    timings: dict[str, float] = {}
    empty_redis(redis_url)
    with ExitStack() as stack:
        stack.callback(shutil.rmtree, work, True)
        database = stack.enter_context(fresh_database(server_url, name))
        shared = shared_env(database, redis_url, work)
        for step, args in (("flask db upgrade", ("db", "upgrade")), ("flask seed-demo", ("seed-demo",))):
            began = time.perf_counter()
            flask_command(own_env(shared, work, "setup"), *args)
            timings[f"{step} s"] = round(time.perf_counter() - began, 1)
        began = time.perf_counter()
        logs = [work / server / "gunicorn.log" for server in SERVER_NAMES]
        managers = [
            serve(own_env(shared, work, server), work / server, workers, log, START_TIMEOUT)
            for server, log in zip(SERVER_NAMES, logs, strict=True)
        ]
        servers = _enter_together(stack, managers)
        timings["start 2 app servers s"] = round(time.perf_counter() - began, 1)
        upstreams = [url.removeprefix("http://") for url in servers]
        proxy = stack.enter_context(run_nginx(free_port(), upstreams))
        app = local_app(own_env(shared, work, "checks"))
        stack.callback(_dispose, app)
        stack.callback(empty_redis, redis_url)
        yield Cluster(servers, proxy, app, shared, logs, timings)


def _enter_together(stack: ExitStack, managers: list) -> list:
    """Enter the context managers at the same time (app servers start in parallel); the ones that came up are
    exited together when `stack` closes. Returns what they yielded; raises the first start-up error."""
    with ThreadPoolExecutor(max_workers=len(managers)) as pool:
        futures = [pool.submit(manager.__enter__) for manager in managers]
    entered = [manager for manager, future in zip(managers, futures, strict=True) if future.exception() is None]
    stack.callback(_exit_together, entered)
    for future in futures:
        if future.exception() is not None:
            raise future.exception()
    return [future.result() for future in futures]


def _exit_together(managers: list) -> None:
    """Exit the context managers at the same time (each gunicorn takes seconds to shut down)."""
    with ThreadPoolExecutor(max_workers=max(len(managers), 1)) as pool:
        list(pool.map(lambda manager: manager.__exit__(None, None, None), managers))


def _dispose(app: Flask) -> None:
    """Hand back the local app's database connections (before the database is dropped)."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
