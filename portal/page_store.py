"""Where cached pages and the listings version live: Redis with REDIS_URL, else files in the instance folder.

Both stores hold the same bytes (see `page_entry`) and are shared: by every worker on every machine (Redis)
or by every worker on this machine (files). Nothing lives in process memory. A store raises `StoreFault`
when it cannot answer; callers render the page instead."""

from __future__ import annotations

import contextlib
import logging
import os
import time
import uuid
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

VERSION_NAME = "listings-version"
MAX_DISK_ENTRIES = 5000  # ≈ 100 MB of compressed pages at most
PRUNE_ONE_IN = "00"  # a store whose key starts with this (1 in 256) also prunes the folder
TEMP_MAX_AGE = 60
logger = logging.getLogger(__name__)


class StoreFault(Exception):
    """The store could not answer: Redis down, a full or unreadable disk."""


def new_version() -> str:
    """A fresh, random listings version."""
    return uuid.uuid4().hex


class RedisPageStore:
    """Pages and the version in Redis: one round trip (MGET) answers a lookup."""

    def __init__(self, url: str, prefix: str):
        self.url = url
        self.version_key = f"{prefix}{VERSION_NAME}"
        self.page_prefix = f"{prefix}page:"
        self._client = None
        self._pid = None

    @property
    def client(self) -> redis.Redis:
        """This process's connection, made on first use (so a worker never shares its parent's, and a Redis that
        is down at start-up stops nothing). One connection behind the client's lock instead of a pool: half the
        work per command. No retries: when Redis does not answer at once the page is rendered instead."""
        if self._client is None or self._pid != os.getpid():
            self._client = redis.Redis.from_url(
                self.url,
                socket_timeout=0.5,
                socket_connect_timeout=0.5,
                single_connection_client=True,
                retry=Retry(NoBackoff(), 0),
            )
            self._pid = os.getpid()
        return self._client

    def lookup(self, key: str) -> tuple[str | None, bytes | None]:
        """The current version and the stored entry for `key` (None when absent); a lost version is renewed."""
        try:
            version, entry = self.client.mget(self.version_key, self.page_prefix + key)
            if version is None:  # evicted or flushed: a new version, so no older entry can come back
                self.client.set(self.version_key, new_version(), nx=True)
                return None, None
        except (RedisError, OSError) as error:
            raise StoreFault(type(error).__name__) from error
        return version.decode("ascii", "replace"), entry

    def store(self, key: str, entry: bytes, ttl: int) -> None:
        """Keep `entry` for `ttl` seconds."""
        try:
            self.client.set(self.page_prefix + key, entry, ex=ttl)
        except (RedisError, OSError) as error:
            raise StoreFault(type(error).__name__) from error

    def bump(self) -> None:
        """A new listings version: every stored page is stale at once."""
        try:
            self.client.set(self.version_key, new_version())
        except (RedisError, OSError) as error:
            raise StoreFault(type(error).__name__) from error


def _read(path: Path) -> bytes | None:
    try:
        with open(path, "rb") as file:
            return file.read()
    except FileNotFoundError:
        return None


class DiskPageStore:
    """Pages and the version as files in one folder every worker on this machine shares; written atomically."""

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)
        self.pages = self.directory / "pages"
        self.version_file = self.directory / VERSION_NAME
        try:
            self.pages.mkdir(parents=True, exist_ok=True)
        except OSError:
            logger.warning("page cache folder %s cannot be made", self.pages)

    def lookup(self, key: str) -> tuple[str | None, bytes | None]:
        """The current version and the stored entry for `key` (None when absent); a lost version is renewed."""
        try:
            version = _read(self.version_file)
            if not version:  # never made, removed, or emptied by a failed bump
                self._write(self.version_file, new_version().encode(), exclusive=True)
                return None, None
            return version.decode("ascii", "replace"), _read(self.pages / key)
        except OSError as error:
            raise StoreFault(type(error).__name__) from error

    def store(self, key: str, entry: bytes, ttl: int) -> None:
        """Write `entry` (its own expiry is inside it); now and then drop expired and surplus files."""
        try:
            try:
                self._write(self.pages / key, entry)
            except FileNotFoundError:  # the folder was removed while the portal runs
                self.pages.mkdir(parents=True, exist_ok=True)
                self._write(self.pages / key, entry)
        except OSError as error:
            raise StoreFault(type(error).__name__) from error
        if key.rsplit("-", 1)[-1].startswith(PRUNE_ONE_IN):
            self.prune(ttl)

    def bump(self) -> None:
        """A new listings version; when it cannot be written the old one is removed, so nothing stale is served."""
        try:
            self._write(self.version_file, new_version().encode())
        except OSError as error:
            with contextlib.suppress(OSError):
                self.version_file.unlink(missing_ok=True)
            raise StoreFault(type(error).__name__) from error

    def prune(self, ttl: int) -> None:
        """Remove entries older than `ttl`, stray temporary files, then the oldest beyond MAX_DISK_ENTRIES."""
        now = time.time()
        kept = []
        try:
            with os.scandir(self.pages) as found:
                for item in found:
                    age = now - item.stat().st_mtime
                    if age > ttl or (item.name.endswith(".tmp") and age > TEMP_MAX_AGE):
                        os.unlink(item.path)
                    elif not item.name.endswith(".tmp"):
                        kept.append((item.stat().st_mtime, item.path))
            for _, path in sorted(kept)[: max(len(kept) - MAX_DISK_ENTRIES, 0)]:
                os.unlink(path)
        except OSError:  # another worker pruned the same file first, or the disk fails: try again later
            logger.info("page cache prune stopped early")

    def _write(self, path: Path, data: bytes, exclusive: bool = False) -> None:
        """Write to a temporary file and rename it into place, so a reader sees the old file or the new one."""
        temporary = path.with_name(f"{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
        try:
            with open(temporary, "xb") as file:
                file.write(data)
            if exclusive:
                os.link(temporary, path)  # fails when another worker made it first: theirs stands
            else:
                os.replace(temporary, path)
        except FileExistsError:
            pass
        finally:
            if exclusive or temporary.exists():
                temporary.unlink(missing_ok=True)


def make_store(config) -> RedisPageStore | DiskPageStore | None:
    """The page store the settings ask for, or None when the page cache is off."""
    kind = config["PORTAL_PAGE_CACHE"]
    if kind == "redis":
        return RedisPageStore(config["REDIS_URL"], config.get("CACHE_KEY_PREFIX", "wijkportaal:"))
    if kind == "disk":
        return DiskPageStore(config["PORTAL_PAGE_CACHE_DIR"])
    return None
