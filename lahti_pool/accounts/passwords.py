"""Password hashing with Argon2id."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# Argon2id with m=19 MiB, t=2, p=1, the first of the equivalent configurations in OWASP's
# Password Storage Cheat Sheet. argon2-cffi's default (m=64 MiB) made every login take
# 64 MiB in the web worker. Hashes store their parameters, so older hashes still verify.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verified against when the e-mail is unknown, so both answers take the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


MIN_LENGTH = 10
MAX_LENGTH = 128


def password_problem(password: str, user_inputs: list[str] = ()) -> str | None:
    """Why the password cannot be used, or None.

    Current guidance (NIST SP 800-63B): a minimum length, long passphrases allowed,
    no composition rules, and a check against common and easily guessed passwords
    (zxcvbn's lists, including the person's own name and address).
    """
    from zxcvbn import zxcvbn

    from lahti_pool.core.errors import N_

    if len(password) < MIN_LENGTH:
        return N_("Use at least 10 characters; a few unusual words make a good password.")
    if len(password) > MAX_LENGTH:
        return N_("Use at most 128 characters.")
    if zxcvbn(password[:100], user_inputs=[i for i in user_inputs if i])["score"] < 3:
        return N_("This password is too common or too easy to guess. Add a word or two.")
    return None
