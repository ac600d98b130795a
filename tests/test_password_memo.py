"""The tests' memo of Argon2id hashes (tests/support/password_memo.py): real hashes, real checks, same parameters."""

from __future__ import annotations

from argon2 import PasswordHasher

from portal.services.accounts import passwords
from tests.support.password_memo import MemoHasher


def test_the_portal_hasher_is_the_memo_with_the_portal_parameters():
    assert isinstance(passwords._hasher, MemoHasher)
    assert passwords._hasher._parameters == PasswordHasher()._parameters


def test_a_memo_hash_is_a_real_argon2id_hash_of_that_password():
    made = passwords.hash_password("a password for the memo test 1")
    assert made.startswith("$argon2id$")
    assert PasswordHasher().verify(made, "a password for the memo test 1")
    assert not passwords.verify_password(made, "another password")
    assert not passwords.needs_rehash(made)


def test_the_same_password_gets_the_same_hash_and_another_password_another():
    first = passwords.hash_password("a password for the memo test 2")
    assert passwords.hash_password("a password for the memo test 2") == first
    assert passwords.hash_password("a password for the memo test 3") != first


def test_an_old_hash_still_needs_a_new_one():
    old = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("x")
    assert passwords.needs_rehash(old)
