"""Masking contact values for an employee who may see only part of them
(permissions.field_level "masked")."""

MASK = "•"


def mask_email(email: str | None) -> str | None:
    """"élodie@gmail.com" -> "é•••@gmail.com"."""
    if not email:
        return None
    local, _, domain = email.partition("@")
    return f"{local[:1]}{MASK * 3}@{domain}" if domain else f"{local[:1]}{MASK * 3}"


_PHONE_PUNCTUATION = frozenset(" +-./()\u00a0")


def mask_phone(text: str | None) -> str | None:
    """"06 12 34 56 78" -> "•• •• •• •• 78": every digit but the last two."""
    if not text:
        return None
    total = sum(ch.isdigit() for ch in text)
    seen = 0
    out = []
    for ch in text:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen > total - 2 else MASK)
        elif ch in _PHONE_PUNCTUATION:
            out.append(ch)
        # Anything else (a note typed beside a number that could not be
        # normalised: "chez Mme Durand") is dropped: a masked view shows digits only.
    return " ".join("".join(out).split())
