"""Issue 10, the data half: real exports of the systems shops leave, read row
by row (RowParser, read_upload), with those systems' own column headers.

Headers as those systems write them:
- Square (customer directory export; its birthday is MM-DD without a year),
- Shopify (customers export and import template; cells protected with `'`),
- Open Source POS (its import_customers.csv template),
- Lightspeed eCom (Firstname, LastnamePreposition, Streetname, Number, Extension, Zipcode),
- Lightspeed Retail (R-Series customer export, with Archived).
"""
from datetime import date

import pytest

from core import birthdays
from blueprints.customers import importing
from blueprints.customers.importing.cells import unprotect
from blueprints.customers.importing.sources import protects_cells
from tests.support_customers_data import csv_bytes, in_request  # noqa: F401

pytestmark = pytest.mark.usefixtures("in_request")

EVERYTHING = list(importing.TARGETS)

SQUARE = ["Reference ID", "First Name", "Last Name", "Email Address", "Phone Number", "Nickname", "Company Name",
          "Street Address 1", "Street Address 2", "City", "State", "Postal Code", "Birthday", "Memo",
          "Square Customer ID", "Creation Source", "First Visit", "Last Visit", "Transaction Count",
          "Total Spend", "Email Subscription Status"]
SHOPIFY_EXPORT = ["Customer ID", "First Name", "Last Name", "Email", "Accepts Email Marketing",
                  "Default Address Company", "Default Address Address1", "Default Address Address2",
                  "Default Address City", "Default Address Province Code", "Default Address Country Code",
                  "Default Address Zip", "Default Address Phone", "Phone", "Accepts SMS Marketing", "Total Spent",
                  "Total Orders", "Note", "Tax Exempt", "Tags"]
SHOPIFY_TEMPLATE = ["First Name", "Last Name", "Email", "Accepts Email Marketing", "Default Address Company",
                    "Default Address Address1", "Default Address Address2", "Default Address City",
                    "Default Address Province Code", "Default Address Country Code", "Default Address Zip",
                    "Default Address Phone", "Phone", "Accepts SMS Marketing", "Tags", "Note", "Tax Exempt"]
OSPOS = ["First Name", "Last Name", "Gender", "Consent", "Email", "Phone Number", "Address 1", "Address2", "City",
         "State", "Zip", "Country", "Comments", "Company", "Account Number", "Discount", "Discount_Type", "Taxable"]
LIGHTSPEED_ECOM = ["Internal ID", "Registered", "Language", "Firstname", "LastnamePreposition", "Lastname", "E-Mail",
                   "Phone", "Mobile", "Customer type", "Company", "Coc number", "Vat number", "Attn", "Streetname",
                   "Address 2", "Number", "Extension", "Zipcode", "City", "Region", "Country"]
LIGHTSPEED_RETAIL = ["Customer ID", "First Name", "Last Name", "Title", "Company", "Birthday", "Address 1",
                     "Address 2", "City", "State", "ZIP", "Country", "Phone 1", "Mobile", "Email", "Email 2", "Note",
                     "Archived"]


def parse_file(headers, *rows, region="FR"):
    """Each row as the import reads it: the headers' automatic mapping, the
    shop's region, the file's headers (to know a cell-protecting source)."""
    mapping = importing.auto_mapping(headers, EVERYTHING)
    parser = importing.RowParser(mapping, region, headers=headers)
    return [parser.parse(line, cells) for line, cells in enumerate(rows, start=2)]


def row_of(headers, **cells):
    return [cells.get(header, "") for header in headers]


# --- 1. spreadsheet-protection apostrophes ------------------------------------

def test_shopify_protected_cells_are_read_without_their_apostrophe():
    (row,) = parse_file(SHOPIFY_EXPORT, row_of(
        SHOPIFY_EXPORT, **{"Customer ID": "'9000000000001", "First Name": "Hélène", "Last Name": "Lefèvre",
                           "Email": "helene@example.com", "Default Address Company": "'Boulangerie Lefèvre SARL",
                           "Default Address Zip": "'75002", "Default Address Country Code": "FR",
                           "Phone": "'+33612345678", "Default Address City": "Paris"}))
    assert row.errors == [] and row.warnings == []
    assert row.values["postal_code"] == "75002"
    assert row.values["company"] == "Boulangerie Lefèvre SARL"  # every cell of a protecting source
    assert row.phones == [("+33612345678", "+33612345678")]


def test_shopify_import_template_is_a_protecting_source_too():
    assert protects_cells(SHOPIFY_TEMPLATE) and protects_cells(SHOPIFY_EXPORT)
    assert not protects_cells(SQUARE) and not protects_cells(LIGHTSPEED_RETAIL)


@pytest.mark.parametrize("cell, expected", [
    ("'75002", "75002"), ("'+33612345678", "+33612345678"), ("'9000000000001", "9000000000001"),
    ("'06 12 34 56 78", "06 12 34 56 78"), ("'SW1A 1AA", "SW1A 1AA"), ("'=SUM(A1)", "=SUM(A1)"),
    ("'Connor", "'Connor"), ("'Boulangerie", "'Boulangerie"), ("75002", "75002"), ("'", "'"),
])
def test_one_apostrophe_goes_before_a_number_a_phone_or_a_postcode_from_any_source(cell, expected):
    assert unprotect(cell) == expected


def test_only_one_apostrophe_is_removed():
    assert unprotect("''75002", every_cell=True) == "'75002"


# --- 2. broken lines ------------------------------------------------------------

def test_a_final_line_with_an_unclosed_quote_is_refused_with_its_line_number():
    data = ("First Name,Last Name,Email,Note\r\n"
            "Jean,Dupont,jean@example.com,ok\r\n"
            '"Jean-Noël,Bérubé,jean-noel.berube@@example,peut-être\r\n').encode()
    text, info = importing.read_upload(data)
    import csv
    import io
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=info.delimiter)
    headers = next(reader)
    rows = list(reader)
    parser = importing.RowParser(importing.auto_mapping(headers, EVERYTHING), "FR", headers=headers)
    first, last = parser.parse(2, rows[0]), parser.parse(3, rows[1])
    assert first.errors == [] and first.values["first_name"] == "Jean"
    assert (last.line, last.errors, last.values) == (3, ["broken_line"], {})


def test_an_unclosed_quote_that_swallows_the_following_lines_is_refused():
    mapping = ["first_name", "last_name", "comments"]
    swallowed = ["Ana", "Roy", "note\r\nBob,Lee,autre note\r\nCyd,Fox,encore\r\n"]
    assert importing.RowParser(mapping, "FR").parse(2, swallowed).errors == ["broken_line"]
    multi_line_note = ["Ana", "Roy", "première ligne\nseconde ligne"]
    assert importing.RowParser(mapping, "FR").parse(2, multi_line_note).errors == []


@pytest.mark.parametrize("cells", [["Ana"], ["Ana", "Roy", "note", "de trop"]])
def test_a_line_with_another_field_count_than_the_header_is_refused(cells):
    assert importing.RowParser(["first_name", "last_name", "comments"], "FR").parse(5, cells).errors == ["broken_line"]


# --- 3. phones in the row's own country -------------------------------------------

def test_phones_are_read_in_the_rows_country_code_or_name():
    rows = parse_file(SHOPIFY_EXPORT,
                      row_of(SHOPIFY_EXPORT, **{"First Name": "Minh", "Default Address Country Code": "VN",
                                                "Phone": "0912 345 678"}),
                      row_of(SHOPIFY_EXPORT, **{"First Name": "Luc", "Default Address Country Code": "CA",
                                                "Phone": "(514) 555-0199"}),
                      row_of(SHOPIFY_EXPORT, **{"First Name": "Zoé", "Phone": "06 12 34 56 78"}))
    assert [row.phones for row in rows] == [[("0912 345 678", "+84912345678")],
                                            [("(514) 555-0199", "+15145550199")],
                                            [("06 12 34 56 78", "+33612345678")]]
    assert all(row.warnings == [] for row in rows)


@pytest.mark.parametrize("country", ["Canada", "canada", "CA", "Canada (CA)"[:6]])
def test_a_country_name_in_english_or_french_sets_the_phone_region(country):
    (row,) = parse_file(OSPOS, row_of(OSPOS, **{"First Name": "Luc", "Country": country,
                                                "Phone Number": "(514) 555-0199"}))
    assert row.values["country"] == "CA" and row.phones == [("(514) 555-0199", "+15145550199")]


@pytest.mark.parametrize("country, code", [("Viêt Nam", "VN"), ("Vietnam", "VN"), ("États-Unis", "US"),
                                           ("Royaume-Uni", "GB"), ("Allemagne", "DE")])
def test_country_names_in_french_and_english(country, code):
    (row,) = parse_file(OSPOS, row_of(OSPOS, **{"First Name": "A", "Country": country}))
    assert row.values["country"] == code


def test_without_a_country_column_the_shop_region_reads_the_phones():
    (row,) = parse_file(["Name", "Phone"], ["Luc Roy", "(514) 555-0199"], region="CA")
    assert row.phones == [("(514) 555-0199", "+15145550199")]


# --- 4. year-less birthdays ------------------------------------------------------

def test_square_year_less_birthdays_are_kept_as_day_and_month():
    rows = parse_file(SQUARE,
                      row_of(SQUARE, **{"First Name": "Ana", "Birthday": "04-17"}),
                      row_of(SQUARE, **{"First Name": "Bob", "Birthday": "1985-04-17"}))
    assert rows[0].errors == [] and rows[0].warnings == []
    assert {k: rows[0].values[k] for k in ("birthday", "birthday_month", "birthday_day")} == \
        {"birthday": None, "birthday_month": 4, "birthday_day": 17}
    assert rows[1].values["birthday"] == date(1985, 4, 17) and rows[1].values["birthday_month"] is None


@pytest.mark.parametrize("text, expected", [
    ("04-17", birthdays.Birthday(4, 17)), ("--04-17", birthdays.Birthday(4, 17)),
    ("17/04", birthdays.Birthday(4, 17)), ("29/02", birthdays.Birthday(2, 29)),
    ("0000-09-21", birthdays.Birthday(9, 21)), ("1990-04-17", birthdays.Birthday(4, 17, 1990)),
    ("17/04/1990", birthdays.Birthday(4, 17, 1990)), ("04/17/1990", birthdays.Birthday(4, 17, 1990)),
])
def test_birthday_forms(text, expected):
    assert birthdays.parse(text) == expected


def test_an_impossible_date_is_a_warning_and_goes_to_the_comments():
    (row,) = parse_file(LIGHTSPEED_RETAIL, row_of(LIGHTSPEED_RETAIL, **{
        "First Name": "Paul", "Last Name": "Roy", "Birthday": "1969-02-29", "Note": "Client fidèle"}))
    assert row.errors == [] and row.warnings == [("birthday", "invalid_birthday")]
    assert "birthday" not in row.values and row.values["needs_review"] is True
    assert row.values["comments"].startswith("Client fidèle\n") and "1969-02-29" in row.values["comments"]


# --- 5. Lightspeed eCom's address and name parts ------------------------------------

def test_lightspeed_ecom_street_number_extension_zipcode_and_particle():
    (row,) = parse_file(LIGHTSPEED_ECOM, row_of(LIGHTSPEED_ECOM, **{
        "Firstname": "Jan", "LastnamePreposition": "van der", "Lastname": "Berg", "E-Mail": "jan@example.nl",
        "Company": "Berg Bakkerij B.V.", "Streetname": "Keizersgracht", "Number": "123", "Extension": "A",
        "Zipcode": "1015 CJ", "City": "Amsterdam", "Country": "NL", "Mobile": "06 12345678"}))
    assert row.errors == [] and row.warnings == []
    values = row.values
    assert (values["first_name"], values["last_name"]) == ("Jan", "van der Berg")
    assert values["address_line1"] == "Keizersgracht 123A"
    assert (values["postal_code"], values["city"], values["country"]) == ("1015 CJ", "Amsterdam", "NL")
    assert values["company"] == "Berg Bakkerij B.V."
    assert row.phones == [("06 12345678", "+31612345678")]


def test_lightspeed_ecom_long_extension_is_separated_by_a_space():
    (row,) = parse_file(LIGHTSPEED_ECOM, row_of(LIGHTSPEED_ECOM, **{
        "Firstname": "Eva", "Lastname": "Smit", "Streetname": "Dorpsstraat", "Number": "4", "Extension": "bis-2"}))
    assert row.values["address_line1"] == "Dorpsstraat 4 bis-2"


# --- 6. company -----------------------------------------------------------------------

@pytest.mark.parametrize("headers, column", [
    (SQUARE, "Company Name"), (SHOPIFY_EXPORT, "Default Address Company"), (OSPOS, "Company"),
    (LIGHTSPEED_ECOM, "Company"), (LIGHTSPEED_RETAIL, "Company"), (["Prénom", "Société"], "Société"),
    (["First name", "Company"], "Company"),
])
def test_every_systems_company_column_is_recognised(headers, column):
    cells = [""] * len(headers)
    cells[0] = "Hélène"
    cells[headers.index(column)] = "Boulangerie Lefèvre SARL"
    (row,) = parse_file(headers, cells)
    assert row.values["company"] == "Boulangerie Lefèvre SARL"


def test_a_company_alone_identifies_a_customer():
    (row,) = parse_file(["Company", "City"], ["Boulangerie Lefèvre SARL", "Lyon"])
    assert row.errors == []


# --- 7. archived ------------------------------------------------------------------------

@pytest.mark.parametrize("text, archived", [("true", True), ("false", False), ("1", True), ("Oui", True),
                                            ("Non", False)])
def test_lightspeed_archived_arrives_archived(text, archived):
    (row,) = parse_file(LIGHTSPEED_RETAIL, row_of(LIGHTSPEED_RETAIL, **{"First Name": "Ana", "Archived": text}))
    assert row.values["archived"] is archived


# --- 8. refusals and warnings ----------------------------------------------------------

def test_a_row_is_refused_only_when_it_identifies_nobody():
    rows = parse_file(SQUARE, row_of(SQUARE, **{"Memo": "rien d'autre", "Birthday": "04-17"}),
                      row_of(SQUARE, **{"Phone Number": "06 12 34 56 78"}),
                      row_of(SQUARE, **{"Email Address": "ana@example.com"}))
    assert [row.errors for row in rows] == [["no_identity"], [], []]


def test_unreadable_values_are_kept_with_warnings_and_flag_the_customer():
    (row,) = parse_file(OSPOS, row_of(OSPOS, **{
        "First Name": "Jean-Noël", "Last Name": "Bérubé", "Email": "jean-noel.berube@@example",
        "Phone Number": "12", "Country": "Atlantide", "Comments": "Aime le pain"}))
    assert row.errors == []
    assert row.warnings == [("email", "invalid_email"), ("country", "invalid_country"), ("phone", "invalid_phone")]
    assert row.phones == [("12", None)]  # kept as typed, unverified
    assert "email" not in row.values and "country" not in row.values
    comments = row.values["comments"]
    assert comments.startswith("Aime le pain\n")
    assert "jean-noel.berube@@example" in comments and "Atlantide" in comments
    assert row.values["needs_review"] is True


def test_an_unverified_phone_alone_flags_the_customer_for_review():
    (row,) = parse_file(["Name", "Phone"], ["Ana Roy", "12 ext. 4"])
    assert row.phones == [("12 ext. 4", None)] and row.values["needs_review"] is True
    assert "comments" not in row.values


def test_a_clean_row_is_not_flagged():
    (row,) = parse_file(["Name", "Phone"], ["Ana Roy", "06 12 34 56 78"])
    assert row.warnings == [] and "needs_review" not in row.values


# --- 9. our own export's columns ---------------------------------------------------------

COMPTOIR_FR = ["ID", "Prénom", "Nom de famille", "Société", "Courriel", "Téléphone", "Autres téléphones",
               "Adresse ligne 1", "Adresse ligne 2", "Code postal", "Ville", "Pays", "Date de naissance",
               "Identifiant fiscal", "Groupes", "Membre du programme de fidélité", "Points", "Visites",
               "Total dépensé", "Première visite", "Dernière visite", "Profil", "Réduction",
               "Marketing par courriel", "Marketing par courriel – date", "Marketing par SMS",
               "Marketing par SMS – date", "Autoriser les notifications par courriel",
               "Autoriser les notifications par courriel – date", "Origine", "Archivé",
               "Commentaires", "Créé le"]
COMPTOIR_EN = ["ID", "First name", "Last name", "Company", "Email", "Phone", "Other phones", "Address line 1",
               "Address line 2", "Postal code", "City", "Country", "Birthday", "Tax ID", "Groups",
               "Loyalty programme member", "Points", "Visits", "Total spent", "First visit", "Last visit",
               "Profile", "Discount", "Email marketing", "Email marketing – date", "SMS marketing",
               "SMS marketing – date", "Allow email notifications", "Allow email notifications – date",
               "Origin", "Archived",
               "Comments", "Created on"]


@pytest.mark.parametrize("headers", [COMPTOIR_FR, COMPTOIR_EN])
def test_our_export_headers_map_without_touching_the_mapping(headers):
    mapping = dict(zip(headers, importing.auto_mapping(headers, EVERYTHING)))
    assert [target for target in mapping.values() if target] == [
        "first_name", "last_name", "company", "email", "phone", "phone", "address_line1", "address_line2",
        "postal_code", "city", "country", "birthday", "tax_id", "groups", "loyalty_member", "points",
        "account_profile", "default_discount", "email_marketing", "sms_marketing", "e_receipts", "archived",
        "comments"]


@pytest.mark.parametrize("headers, values", [
    (COMPTOIR_FR, {"Profil": "Entreprise", "Réduction": "10", "Membre du programme de fidélité": "Oui",
                   "Points": "154", "Archivé": "Oui", "Date de naissance": "--04-17"}),
    (COMPTOIR_EN, {"Profile": "Business", "Discount": "10 %", "Loyalty programme member": "Yes",
                   "Points": "154", "Archived": "Yes", "Birthday": "--04-17"}),
])
def test_our_export_words_are_read_back_as_codes(headers, values):
    (row,) = parse_file(headers, row_of(headers, **{headers[1]: "Ana"}, **values))
    assert row.warnings == []
    assert {k: row.values[k] for k in ("account_profile", "default_discount", "loyalty_member", "archived",
                                       "birthday_month", "birthday_day")} == {
        "account_profile": "business", "default_discount": 10, "loyalty_member": True, "archived": True,
        "birthday_month": 4, "birthday_day": 17}
    assert row.points == 154


def test_points_without_a_membership_column_make_a_member():
    (row,) = parse_file(["Name", "Loyalty points"], ["Ana Roy", "1 250"])
    assert (row.points, row.values["loyalty_member"]) == (1250, True)


def test_points_of_an_explicit_non_member_are_not_lost():
    (row,) = parse_file(COMPTOIR_FR, row_of(COMPTOIR_FR, **{"Prénom": "Ana", "Points": "30",
                                                            "Membre du programme de fidélité": "Non"}))
    assert row.points is None and row.warnings == [("points", "points_not_member")]
    assert "30" in row.values["comments"]


def test_an_unknown_profile_or_discount_is_a_warning():
    (row,) = parse_file(COMPTOIR_FR, row_of(COMPTOIR_FR, **{"Prénom": "Ana", "Profil": "Grossiste",
                                                            "Réduction": "12"}))
    assert ("account_profile", "invalid_value") in row.warnings and ("default_discount", "invalid_value") in row.warnings
    assert "account_profile" not in row.values and "Grossiste" in row.values["comments"]


def test_read_upload_reads_our_french_semicolon_export():
    data = csv_bytes([["Prénom", "Total dépensé"], ["Ana", "12,50"]], delimiter=";", bom=True)
    _text, info = importing.read_upload(data)
    assert (info.delimiter, info.headers, info.total_rows) == (";", ["Prénom", "Total dépensé"], 1)


def test_the_preview_shows_what_each_target_will_write():
    (row,) = parse_file(LIGHTSPEED_ECOM + ["Birthday", "Points"], row_of(LIGHTSPEED_ECOM + ["Birthday", "Points"], **{
        "Firstname": "Jan", "LastnamePreposition": "van der", "Lastname": "Berg", "Streetname": "Keizersgracht",
        "Number": "123", "Birthday": "04-17", "Points": "12", "Mobile": "06 12345678", "Country": "NL"}))
    assert [row.shown(t) for t in ("last_name_prefix", "street_name", "house_number", "birthday", "points",
                                   "phone")] == ["van der Berg", "Keizersgracht 123", "Keizersgracht 123", "--04-17",
                                                 12, "06 12345678"]


def test_a_house_number_completes_an_address_column_and_alone_is_no_address():
    (row,) = parse_file(["Name", "Address", "Number"], ["Ana Roy", "Dorpsstraat", "4"])
    assert row.values["address_line1"] == "Dorpsstraat 4"
    (row,) = parse_file(["Name", "Number"], ["Ana Roy", "4"])
    assert "address_line1" not in row.values


def test_a_middle_name_is_not_a_last_name_particle():
    assert importing.auto_mapping(["First Name", "Middle Name", "Last Name"], EVERYTHING)[1] == ""


# --- 10. consent per purpose, with the file's column as the proof (issue 15) -------------

def consents_of(headers, **cells):
    (row,) = parse_file(headers, row_of(headers, **{headers[1]: "Ana"}, **cells))
    assert row.errors == [] and row.warnings == []
    return sorted((c["purpose"], c["state"], c["source_column"]) for c in row.consents)


@pytest.mark.parametrize("cell, expected", [
    ("subscribed", [("email_marketing", "yes", "Email Subscription Status")]),
    ("unsubscribed", [("email_marketing", "no", "Email Subscription Status")]),
    ("not subscribed", []),  # never asked: unknown, nothing recorded
    ("", []),
])
def test_square_email_subscription_status(cell, expected):
    assert consents_of(SQUARE, **{"Email Subscription Status": cell}) == expected


@pytest.mark.parametrize("headers", [SHOPIFY_EXPORT, SHOPIFY_TEMPLATE])
def test_shopify_accepts_email_and_sms_marketing_even_protected(headers):
    assert consents_of(headers, **{"Accepts Email Marketing": "'yes", "Accepts SMS Marketing": "'no"}) == [
        ("email_marketing", "yes", "Accepts Email Marketing"), ("sms_marketing", "no", "Accepts SMS Marketing")]


@pytest.mark.parametrize("cell, state", [("1", "yes"), ("0", "no")])
def test_ospos_consent(cell, state):
    assert consents_of(OSPOS, Consent=cell) == [("email_marketing", state, "Consent")]


@pytest.mark.parametrize("cell, expected", [
    ("true", [("email_marketing", "no", "No Email")]),  # "no email": a refusal
    ("false", []),  # says nothing about a yes
])
def test_lightspeed_no_email_is_a_refusal_only(cell, expected):
    assert consents_of(LIGHTSPEED_RETAIL + ["No Email"], **{"No Email": cell}) == expected


@pytest.mark.parametrize("headers", [COMPTOIR_FR, COMPTOIR_EN])
def test_our_export_consent_columns_are_read_back(headers):
    index = headers.index("Marketing par courriel" if headers is COMPTOIR_FR else "Email marketing")
    yes, no, unknown = ("Oui", "Non", "Inconnu") if headers is COMPTOIR_FR else ("Yes", "No", "Unknown")
    found = consents_of(headers, **{headers[index]: yes, headers[index + 2]: no, headers[index + 4]: unknown})
    assert [(purpose, state) for purpose, state, _column in found] == [
        ("email_marketing", "yes"), ("sms_marketing", "no")]


def test_our_older_export_consent_columns_still_map():
    assert importing.auto_mapping(["Prénom", "Autoriser les notifications par courriel", "Consentement marketing"],
                                  EVERYTHING) == ["first_name", "e_receipts", "email_marketing"]


def test_consent_targets_need_the_edit_right_of_their_channel(app):
    from types import SimpleNamespace

    from core.permissions import closure
    permission_set = SimpleNamespace(is_owner=False, capabilities=closure({"customers.import", "customers.phone.edit"}))
    employee = SimpleNamespace(id=1, permission_set_id=99, permission_set=permission_set, is_authenticated=True,
                               active=True)
    allowed = importing.allowed_targets(employee)
    assert "sms_marketing" in allowed
    assert not {"email_marketing", "e_receipts", "no_email"} & set(allowed)


def test_the_preview_shows_each_consent_as_the_state_it_records():
    (row,) = parse_file(SHOPIFY_EXPORT, row_of(SHOPIFY_EXPORT, **{"First Name": "Ana", "Accepts Email Marketing": "yes",
                                                                  "Accepts SMS Marketing": ""}))
    assert (row.shown("email_marketing"), row.shown("sms_marketing")) == ("Oui", None)
