"""Likely typos of the email domains French customers use (gmial.com,
hotmial.fr, orange.fe), each with the domain meant.

Built once from the common domains by the slips a thumb makes on a phone or a
counter tablet: a letter dropped, doubled, swapped with the next one, or
replaced by a key beside it (AZERTY and QWERTY), and a mistyped ending (.fe,
.con). A variant that is itself a real domain of the list is never a typo.
"""
from __future__ import annotations

from functools import lru_cache

COMMON_DOMAINS = (
    "gmail.com", "hotmail.fr", "hotmail.com", "yahoo.fr", "yahoo.com", "orange.fr", "wanadoo.fr",
    "free.fr", "sfr.fr", "laposte.net", "outlook.fr", "outlook.com", "live.fr", "icloud.com",
    "neuf.fr", "bbox.fr", "aol.com", "gmx.fr", "msn.com", "me.com", "club-internet.fr", "numericable.fr",
)
# Whole domains written for another (not one slip away).
KNOWN = {"gmail.fr": "gmail.com", "gmai.com": "gmail.com", "gamil.com": "gmail.com",
         "gmial.fr": "gmail.com", "hotmail.fe": "hotmail.fr", "hotmial.com": "hotmail.com",
         "yahou.fr": "yahoo.fr", "yaho.fr": "yahoo.fr", "orange.com": "orange.fr",
         "wanado.fr": "wanadoo.fr", "lapost.net": "laposte.net", "laposte.fr": "laposte.net",
         "iclould.com": "icloud.com", "icoud.com": "icloud.com"}
_ROWS = ("azertyuiop", "qsdfghjklm", "wxcvbn", "qwertyuiop", "asdfghjkl", "zxcvbnm")


def _neighbours() -> dict[str, set[str]]:
    near: dict[str, set[str]] = {}
    for row in _ROWS:
        for index, key in enumerate(row):
            near.setdefault(key, set()).update(row[max(0, index - 1):index] + row[index + 1:index + 2])
    return near


def _slips(domain: str) -> set[str]:
    near = _neighbours()
    name, _dot, ending = domain.rpartition(".")
    if len(name) < 4:
        return set()  # sfr.fr, me.com: one slip away lie real domains (sf.fr, m.com)
    out = set()
    for i in range(len(name)):
        out.add(name[:i] + name[i + 1:])  # dropped
        out.add(name[:i] + name[i] + name[i:])  # doubled
        if i + 1 < len(name):
            out.add(name[:i] + name[i + 1] + name[i] + name[i + 2:])  # swapped
        for other in near.get(name[i], ()):
            out.add(name[:i] + other + name[i + 1:])  # the key beside
    variants = {f"{variant}.{ending}" for variant in out if variant and "." not in variant[-1:]}
    endings = {"fr": ("fe", "ft", "rf", "frr", "fr.", "f", "r", "dr", "gr"),
               "com": ("con", "cm", "om", "co", "comm", "cmo", "ocm", "vom", "xom", "coml"),
               "net": ("ner", "nte", "ne", "et", "nett", "bet")}.get(ending, ())
    variants |= {f"{name}.{other}" for other in endings}
    return variants


@lru_cache(maxsize=1)
def typo_map() -> dict[str, str]:
    """{mistyped domain: the domain meant}."""
    real = set(COMMON_DOMAINS)
    found: dict[str, str] = {}
    for domain in COMMON_DOMAINS:
        for variant in _slips(domain):
            if variant not in real and variant not in found:
                found[variant] = domain
    found.update(KNOWN)
    return found


def suggestion(email: str | None) -> str | None:
    """The address with its domain corrected, or None when it looks right."""
    if not email or "@" not in email:
        return None
    local, _at, domain = email.rpartition("@")
    meant = typo_map().get(domain.strip().lower())
    return f"{local}@{meant}" if meant and local else None
