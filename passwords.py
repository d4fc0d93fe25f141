"""Password hashing with argon2id (OWASP parameters; about 70 ms here)."""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

_hashers: dict[bool, PasswordHasher] = {}


def _hasher() -> PasswordHasher:
    # Tests ask for cheap parameters so that hundreds of sign-ins stay quick;
    # the algorithm is the same.
    fast = bool(current_app.config.get("FAST_PASSWORD_HASH"))
    if fast not in _hashers:
        _hashers[fast] = (PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1) if fast
                          else PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1))
    return _hashers[fast]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def check_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


_dummy_hashes: dict[bool, str] = {}


def dummy_check(password: str) -> None:
    """Verify against a hash made once, when the email is unknown, so that the
    answer costs one verification, as for a known email (hashing anew each
    time cost twice that), and does not reveal who works here."""
    fast = bool(current_app.config.get("FAST_PASSWORD_HASH"))
    if fast not in _dummy_hashes:
        _dummy_hashes[fast] = hash_password("not-a-password")
    check_password(_dummy_hashes[fast], password)
