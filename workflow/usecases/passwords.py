"""Passwords: argon2id hashes (argon2-cffi's defaults, RFC 9106's second recommended
profile) and the policy a new password must meet. A password is never logged, audited, or
taken from a command-line argument; only its hash is stored."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from workflow.domain.errors import BadInput
from workflow.text.vntext import fold

MIN_LENGTH = 10
MAX_LENGTH = 200


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def password_matches(stored: str | None, password: str) -> bool:
    """True when ``password`` is the one ``stored`` was made from (False for no hash)."""
    if not stored:
        return False
    try:
        return _hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy() -> str:
    import secrets

    return hash_password(secrets.token_urlsafe(16))


def spend_a_verification(password: str) -> None:
    """Verify against a hash nobody has, when the user does not exist: the answer takes as
    long as for a real user, so timing does not tell which usernames exist."""
    password_matches(_dummy(), password)


def check_policy(password: str, username: str, full_name: str = "") -> None:
    """A new password: long enough, without the username, not the person's name, not a few
    characters repeated; BadInput naming the field otherwise (the value is never echoed)."""
    field = "Mật khẩu"
    if len(password) < MIN_LENGTH:
        raise BadInput.one(field, f"phải có ít nhất {MIN_LENGTH} ký tự")
    if len(password) > MAX_LENGTH:
        raise BadInput.one(field, f"dài quá {MAX_LENGTH} ký tự")
    folded = fold(password).replace(" ", "")
    if len(username) >= 3 and fold(username) in folded:
        raise BadInput.one(field, "không được chứa tên đăng nhập")
    if full_name and folded == fold(full_name).replace(" ", ""):
        raise BadInput.one(field, "không được là họ tên")
    if len(set(password)) < 4:
        raise BadInput.one(field, "quá đơn giản (cần ít nhất 4 ký tự khác nhau)")
