"""Password hashing with Argon2id and the password rules."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from parkops.config import get_settings
from parkops.core.i18n import N_, Message

MIN_LENGTH = 10


@lru_cache
def _hasher(time_cost: int, memory_kib: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1, type=Type.ID)


def hasher() -> PasswordHasher:
    s = get_settings()
    return _hasher(s.argon2_time_cost, s.argon2_memory_kib)


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# A fixed hash to verify against when the username does not exist, so that a wrong username
# costs as much time as a wrong password and does not reveal which accounts exist.
@lru_cache
def dummy_hash() -> str:
    return hash_password("not-a-real-password-just-timing")


def password_problem(password: str, username: str | None = None) -> str | None:
    if len(password) < MIN_LENGTH:
        return Message(N_("Use at least %(n)s characters"), n=MIN_LENGTH)
    if username and username.lower() in password.lower():
        return N_("The password must not contain the username")
    return None
