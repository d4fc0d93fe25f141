"""The import flow in Chromium at tablet size (768x1024), and the directory's
Exporter button following the search."""
import re

from playwright.sync_api import expect

from tests.support_customers_data import csv_bytes


def test_import_flow_preview_all_or_nothing_then_valid_rows_and_report(
        signed_in_page, live_server, shop, tmp_path):
    square = tmp_path / "square-clients.csv"
    square.write_bytes(csv_bytes([
        ["First Name", "Surname", "Email Address", "Phone Number", "City"],
        ["Hélène", "Lefèvre", "helene@example.com", "06 12 34 56 78", "Rennes"],
        ["", "", "bad@@example", "", "Brest"],
        ["Marc", "Roy", "marc@example.com", "", "Nantes"],
    ], delimiter=";", encoding="cp1252"))
    page = signed_in_page("owner")
    page.goto(f"{live_server}/customers")
    page.get_by_role("button", name="Importer", exact=True).click()
    page.locator("#file").set_input_files(str(square))
    page.get_by_role("button", name="Continuer").click()
    expect(page.locator("#map-1")).to_have_value("last_name")
    preview = page.locator("#import-preview")
    expect(preview).to_contain_text("Hélène")
    # A row that identifies nobody (its email unreadable, no name, no phone) is refused.
    expect(preview.locator("tr.row-error")).to_contain_text("Ni nom, ni courriel, ni téléphone")
    # Mapping the city column to the company refreshes the preview in place
    # (htmx): the company identifies the customer.
    page.locator("#map-4").select_option("company")
    expect(preview).not_to_contain_text("Ni nom, ni courriel, ni téléphone")
    page.locator("#map-4").select_option("city")
    expect(preview).to_contain_text("Ni nom, ni courriel, ni téléphone")
    page.locator("#import-run").click()
    expect(page.locator("#import-report")).to_contain_text("rien n’a été importé")
    page.get_by_label("Importer uniquement les lignes valides").check()
    page.locator("#import-run").click()
    report = page.locator("#import-report")
    expect(report).to_contain_text("Import terminé")
    expect(report.locator('[data-count="created"]')).to_have_text("2")
    expect(report.locator('[data-count="rejected"]')).to_have_text("1")
    with page.expect_download() as download:
        page.locator("#report-download").click()
    assert download.value.suggested_filename.endswith("rapport.csv")
    page.get_by_role("button", name="Retourner à la liste des clients").click()
    expect(page.locator("#results")).to_contain_text("Hélène Lefèvre")


def test_exporter_takes_the_search_typed_in_the_directory(signed_in_page, live_server, make_customer):
    make_customer(first_name="Élodie", last_name="Dupont")
    make_customer(first_name="Marc", last_name="Roy")
    page = signed_in_page("owner")
    page.goto(f"{live_server}/customers")
    page.locator("#q").press_sequentially("dupont", delay=30)
    expect(page).to_have_url(re.compile(r"q=dupont"))
    with page.expect_download() as download:
        page.get_by_role("button", name="Exporter").click()
    assert "q=dupont" in download.value.url
    text = open(download.value.path(), encoding="utf-8-sig").read()
    assert "Élodie" in text and "Marc" not in text
