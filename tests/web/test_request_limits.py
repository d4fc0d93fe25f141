"""Request limits are answered by the app, in the user's language, never by
the server in front in English (issue 12)."""
from __future__ import annotations

import re

import pytest


def test_a_very_long_search_gets_a_french_414(signed_in):
    client = signed_in("owner")
    response = client.get("/customers?q=" + "a" * 100_000)
    assert response.status_code == 414
    assert "L’adresse demandée est trop longue" in response.get_data(as_text=True).replace("&#39;", "'")


def test_a_long_url_under_htmx_gets_the_message_fragment_in_english(signed_in):
    client = signed_in("owner", language="en")
    response = client.get("/loyalty?q=" + "a" * 5000, headers={"HX-Request": "true"})
    assert response.status_code == 414
    assert response.get_data(as_text=True).strip().startswith('<p class="error-message">The address requested')


def test_a_search_of_a_usual_length_is_answered(signed_in):
    assert signed_in("owner").get("/customers?q=" + "a" * 100).status_code == 200


@pytest.mark.parametrize("url", ["/customers", "/loyalty", "/sales", "/sales/new"])
def test_every_search_box_caps_its_length(signed_in, url):
    html = signed_in("owner").get(url).get_data(as_text=True)
    boxes = re.findall(r'<input type="search"[^>]*>', html)
    assert boxes
    for box in boxes:
        assert 'maxlength="100"' in box, box


def test_an_oversized_form_gets_a_french_413(app, signed_in, make_customer):
    customer_id = make_customer()
    client = signed_in("owner")
    response = client.post(f"/customers/{customer_id}/comments", data={"comments": "x" * 2_000_000, "version": "1"})
    assert response.status_code == 413
    body = response.get_data(as_text=True)
    assert "Requête trop volumineuse" in body and "Request Entity Too Large" not in body


def test_an_oversized_text_field_of_a_multipart_form_gets_a_french_413(signed_in, make_customer):
    import io
    customer_id = make_customer()
    response = signed_in("owner").post(f"/customers/{customer_id}/comments", content_type="multipart/form-data",
                                       data={"comments": "x" * 600_000, "version": "1",
                                             "file": (io.BytesIO(b"x"), "x.csv")})
    assert response.status_code == 413


@pytest.mark.parametrize("hx, expected", [(False, "<h1>Requête invalide</h1>"),
                                          (True, '<p class="error-message">La requête envoyée est illisible')])
def test_a_bad_request_is_answered_in_french(app, hx, expected):
    from werkzeug.exceptions import BadRequest
    headers = {"HX-Request": "true"} if hx else {}
    with app.test_request_context("/customers", headers=headers):
        response = app.make_response(app.handle_http_exception(BadRequest()))
    assert response.status_code == 400
    assert expected in response.get_data(as_text=True)


def test_a_wrong_method_gets_a_french_405(signed_in, make_customer):
    customer_id = make_customer()
    response = signed_in("owner").get(f"/customers/{customer_id}/archive")
    assert response.status_code == 405
    assert "Cette adresse ne permet pas cette action" in response.get_data(as_text=True)
