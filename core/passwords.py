"""Password hashing with argon2id (OWASP parameters; about 70 ms here)."""
import re

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


# --- strength -----------------------------------------------------------------

# zxcvbn's score: 0 and 1 are guessed within about a million tries (its lists of
# the most used passwords, repetitions, sequences, keyboard rows, dates).
_MIN_SCORE = 2


def weakness(password: str, user_inputs=()) -> str | None:
    """Why a new password is refused (French, translated), or None.

    zxcvbn (Dropbox's estimator, with its lists of the most common passwords
    and names) judges; the message names the pattern that makes it guessable.
    """
    from flask_babel import lazy_gettext as _l
    from zxcvbn import zxcvbn

    # zxcvbn's cost grows with the length; nobody types a 100-character pattern.
    words = {word for value in user_inputs if value
             for word in re.split(r"[\s@._+\-']+", str(value).lower()) if len(word) >= 3}
    result = zxcvbn(password[:100], user_inputs=sorted(words))
    if result["score"] >= _MIN_SCORE:
        return None
    patterns = [(match["pattern"], match.get("dictionary_name")) for match in result["sequence"]]
    if ("dictionary", "user_inputs") in patterns:
        return _l("Ce mot de passe reprend votre nom, votre adresse courriel ou celui de la boutique : "
                  "c’est ce qu’on essaie en premier.")
    if any(pattern == "repeat" for pattern, _name in patterns):
        return _l("Ce mot de passe répète les mêmes caractères (comme « aaaa » ou « abcabc ») : "
                  "il se devine en quelques essais.")
    if any(pattern == "sequence" for pattern, _name in patterns):
        return _l("Ce mot de passe suit une suite (comme « abcd » ou « 98765 ») : il se devine en quelques essais.")
    if any(pattern == "spatial" for pattern, _name in patterns):
        return _l("Ce mot de passe suit les touches du clavier (comme « azerty ») : "
                  "il se devine en quelques essais.")
    if any(name == "passwords" for _pattern, name in patterns):
        return _l("Ce mot de passe fait partie des plus utilisés : c’est l’un des premiers essayés.")
    return _l("Ce mot de passe est trop facile à deviner. Allongez-le ou ajoutez des mots peu courants.")
