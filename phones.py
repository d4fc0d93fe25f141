"""Phone numbers: what was typed is kept, the E.164 form is what we match on."""
import phonenumbers

# A French overseas mobile (0692..., 0696...) is invalid as a mainland number;
# with the default region FR we retry the overseas regions that share the
# national prefix.
_FALLBACK_REGIONS = {"FR": ["RE", "YT", "GP", "MQ", "GF", "PM", "BL", "MF", "NC", "PF", "WF"]}


def normalise(raw: str | None, region: str = "FR") -> str | None:
    """E.164 form of a typed number, or None when it is not a valid number."""
    if not raw or not raw.strip():
        return None
    for candidate in [region, *_FALLBACK_REGIONS.get(region, [])]:
        try:
            number = phonenumbers.parse(raw, candidate)
        except phonenumbers.NumberParseException:
            return None
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if raw.strip().startswith("+"):
            return None  # an international number has no region to retry
    return None


def display(e164: str | None, region: str = "FR") -> str:
    """National format for numbers of the shop's region, international otherwise."""
    if not e164:
        return ""
    number = phonenumbers.parse(e164, None)
    if phonenumbers.region_code_for_number(number) == region:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def search_digits(term: str, region: str = "FR") -> str | None:
    """Digits to look for in stored E.164 numbers when a search term looks like a phone.

    "06 12 34 56 78", "0612345678" and "+33 6 12 34 56 78" all give "33612345678";
    a partial "56 78" gives "5678" (a part of a number matches too).
    """
    stripped = term.strip()
    digit_count = sum(ch.isdigit() for ch in stripped)
    if digit_count < 3 or any(ch.isalpha() for ch in stripped):
        return None
    # Only a term long enough to be a whole number is normalised: a short part
    # such as "55 12 98" would otherwise "succeed" in an overseas region.
    full = normalise(stripped, region) if digit_count >= 9 else None
    if full:
        return full.lstrip("+")
    only_digits = "".join(ch for ch in stripped if ch.isdigit())
    if stripped.startswith("+"):
        return only_digits
    # A national prefix "0" is not stored in E.164: drop it so "0612" matches "+33612...".
    if only_digits.startswith("0") and not only_digits.startswith("00"):
        return only_digits[1:]
    return only_digits
