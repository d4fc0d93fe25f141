"""What a contact field shows at each level (permissions.field_level: none,
masked, view, edit), and the masks themselves. permissions builds the
customer's view and a list's rows from these helpers only, so a masked or
hidden value reads the same on every page."""
from __future__ import annotations

from core.customer_views import AddressView, PhoneView

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


# --- a field at a level ------------------------------------------------------------

def email_at(level: str, email: str | None) -> str | None:
    if level in ("view", "edit"):
        return email
    if level == "masked":
        return mask_email(email)
    return None


def phone_text(phone, phone_region: str) -> str:
    """A number's text in full: its stored display form (Phone.display,
    written with the number) rather than formatted per row."""
    text = getattr(phone, "display", None)
    if text is None:  # a row written before the display column, or a light record
        from core.phones import display_form  # local: phones loads phonenumbers' data
        text = display_form(phone.e164, phone.raw, phone_region)
    return text


def phones_at(level: str, phones, phone_region: str) -> list[PhoneView]:
    """The numbers shown at a level: none; masked, the linked ones only (the
    history of old numbers is for full view); or all of them in full."""
    shown: list[PhoneView] = []
    if level == "none":
        return shown
    for phone in phones:
        if level == "masked" and not phone.linked:
            continue
        text = phone_text(phone, phone_region)
        shown.append(PhoneView(phone.id, mask_phone(text) if level == "masked" else text, phone.linked, phone.label))
    return shown


def first_phone_at(level: str, phones, phone_region: str) -> str | None:
    """What a list's phone column shows: the first linked number, at a level."""
    if level == "none":
        return None
    for phone in phones:
        if phone.linked:
            text = phone_text(phone, phone_region)
            return mask_phone(text) if level == "masked" else text
    return None


def address_at(level: str, customer) -> AddressView | None:
    if level in ("view", "edit"):
        return AddressView(customer.address_line1, customer.address_line2,
                           customer.postal_code, customer.city, customer.country, False)
    if level == "masked":
        # The city without the street: enough to confirm who is at the counter.
        return AddressView(None, None, None, customer.city, customer.country, True)
    return None
