"""Phone numbers: the quick path for plain numbers gives exactly what
phonenumbers.parse() gives, on generated numbers of many countries."""
import phonenumbers
from hypothesis import given, settings
from hypothesis import strategies as st

from core import phones

REGIONS = ["FR", "RE", "GP", "GB", "DE", "IT", "ES", "BE", "CH", "VN", "CA", "US", "MA", "SN", "JP", "BR", "AU"]
SEPARATORS = st.sampled_from(["", " ", ".", "-"])


@st.composite
def typed_numbers(draw):
    """A number as people type it: national with a trunk prefix, international
    with a country code, grouped by spaces, dots or dashes (or not)."""
    region = draw(st.sampled_from(REGIONS))
    example = phonenumbers.example_number_for_type(region, draw(st.sampled_from(
        [phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE])))
    national = str(example.national_number) if example else "612345678"
    # Change a few digits: valid, invalid and other-region numbers alike.
    digits = list(national)
    for _ in range(draw(st.integers(0, 3))):
        digits[draw(st.integers(0, len(digits) - 1))] = str(draw(st.integers(0, 9)))
    digits = "".join(digits)[:draw(st.integers(len(digits) - 2, len(digits)))] + draw(st.text("0123456789", max_size=2))
    form = draw(st.sampled_from(["national", "international", "bare"]))
    if form == "national":
        body = "0" + digits
    elif form == "international":
        body = f"+{example.country_code if example else 33}" + draw(SEPARATORS) + digits
    else:
        body = digits
    separator = draw(SEPARATORS)
    step = draw(st.integers(2, 4))
    grouped = separator.join(body[i:i + step] for i in range(0, len(body), step)) if separator else body
    return draw(st.sampled_from(REGIONS + [region])), grouped.replace(separator + "+", "+") if separator else grouped


@settings(max_examples=600, deadline=None)
@given(typed_numbers())
def test_the_quick_path_gives_what_parse_gives(case):
    region, raw = case
    assert phones.normalise(raw, region) == phones._normalise_parsed(raw, region)


def test_common_french_forms():
    for raw in ("06 12 34 56 78", "06.12.34.56.78", "0612345678", "+33 6 12 34 56 78", "+33612345678"):
        assert phones.normalise(raw) == "+33612345678"
    assert phones.normalise("0692 12 34 56") == "+262692123456"  # an overseas mobile typed in mainland form
    assert phones.normalise("0912 345 678", "VN") == "+84912345678"
    assert phones.normalise("(514) 555-0199", "CA") == "+15145550199"
    assert phones.normalise("06 12") is None
