"""Argon2id hashes made once per password and test process: the demo's four accounts cost a second a load.

Every Argon2id hash costs about 0.25 s of CPU by design (3 passes over 64 MiB). The demo loads in many tests and
hashes its one public password for each of its four accounts, and registration and invitation tests hash theirs.
In the tests, the portal's hasher keeps the first hash of each password it makes (a real Argon2id hash with
the portal's parameters and a random salt) and gives it again for the same password. Checking a password stays
a real Argon2id check, and hashes with other parameters are still seen as needing a new hash.
"""

from __future__ import annotations

from argon2 import PasswordHasher

from portal.services.accounts import passwords


class MemoHasher(PasswordHasher):
    """The portal's PasswordHasher, which hashes each password once (when no salt is given)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._hashes: dict[str | bytes, str] = {}

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        """PasswordHasher.hash; the same password gets the hash made for it the first time."""
        if salt is not None:
            return super().hash(password, salt=salt)
        if password not in self._hashes:
            self._hashes[password] = super().hash(password)
        return self._hashes[password]


def install() -> None:
    """Give the portal's password module a MemoHasher with the same parameters (the tests' conftest calls this)."""
    if not isinstance(passwords._hasher, MemoHasher):
        passwords._hasher = MemoHasher.from_parameters(passwords._hasher._parameters)
