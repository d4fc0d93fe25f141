"""Phone numbers: what was typed is kept, the E.164 form is what we match on."""
import re
from functools import lru_cache

import phonenumbers
from phonenumbers.phonemetadata import PhoneMetadata

# A French overseas mobile (0692..., 0696...) is invalid as a mainland number;
# with the default region FR we retry the overseas regions that share the
# national prefix.
_FALLBACK_REGIONS = {"FR": ["RE", "YT", "GP", "MQ", "GF", "PM", "BL", "MF", "NC", "PF", "WF"]}


def normalise(raw: str | None, region: str = "FR") -> str | None:
    """E.164 form of a typed number, or None when it is not a valid number."""
    if not raw or not raw.strip():
        return None
    return _normalise_plain(raw, region) or _normalise_parsed(raw, region)


# Separators a plain number may carry; anything else goes through parse().
_PLAIN = re.compile(r"(\+?)([0-9][0-9 .\-]*[0-9])\Z")
_SEPARATORS = re.compile(r"[ .\-]")


@lru_cache(maxsize=512)
def _region_rules(region: str):
    metadata = PhoneMetadata.metadata_for_region(region)
    if metadata is None or metadata.national_prefix_transform_rule:
        return None
    prefix = metadata.national_prefix_for_parsing
    return (metadata.country_code, re.compile(prefix) if prefix else None,
            re.compile(metadata.general_desc.national_number_pattern))


@lru_cache(maxsize=512)
def _calling_code_rules(code: int):
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(code)
    return _region_rules(regions[0]) if regions and regions[0] != "001" else None


def _normalise_plain(raw: str, region: str) -> str | None:
    """The common cases without phonenumbers.parse() (two thirds of the time
    of an import of 100,000 rows): digits with spaces, dots or dashes, in the
    national form with the region's trunk prefix ("06 12 34 56 78") or in the
    international form ("+33 6 12 34 56 78"). The number is built as parse()
    builds it and checked by phonenumbers itself; when anything is unusual
    (another prefix, a national prefix after the country code, an invalid
    number) the answer is left to _normalise_parsed, so the result is the same
    (tests/unit/test_phones.py checks this on generated numbers)."""
    match = _PLAIN.match(raw.strip())
    if match is None:
        return None
    digits = _SEPARATORS.sub("", match.group(2))
    if match.group(1):  # +CC NSN: the country code is the shortest known prefix
        for length in (1, 2, 3):
            code = int(digits[:length])
            if code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
                break
        else:
            return None
        rules = _calling_code_rules(code)
        national = digits[length:]
        if rules is None or (rules[1] is not None and rules[1].match(national)):
            return None
    else:
        rules = _region_rules(region)
        if rules is None or rules[1] is None or rules[1].pattern != "0" or not digits.startswith("0"):
            return None
        code, national = rules[0], digits[1:]
        if not rules[2].fullmatch(national):
            return None  # parse() would keep the trunk prefix: its own rules apply
    if not national or national[0] == "0" or not 2 <= len(national) <= 17:
        return None
    number = phonenumbers.PhoneNumber(country_code=code, national_number=int(national))
    return f"+{code}{national}" if phonenumbers.is_valid_number(number) else None


def _normalise_parsed(raw: str, region: str) -> str | None:
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


def display_form(e164: str | None, raw: str | None, region: str = "FR") -> str:
    """What a page shows for a stored number: display() of its E.164 form, or
    the number as typed when it could not be read. Stored in Phone.display by
    every code that writes a phone (formatting it per row cost a page of 50
    customers a third of its time)."""
    return display(e164, region) if e164 else (raw or "")

