"""The leak test: what a permission set may not view is ABSENT from every
customer page, htmx fragment, search, sort, filter and export — not hidden with
CSS — and what it may view is there.

A small shop holds customers with distinctive values. For each default set and
two custom ones, a signed-in client crawls the customer rooms: every GET route
of the URL map under /customers, /loyalty, /sales and /team (path arguments
filled with the shop's ids), then every link, hx-get and GET form found in the
answers (each form's filters tried one by one, search boxes tried with the
customers' own values), plus the POST forms that export. Each URL is asked for
as a full page and as an htmx fragment. The routes are discovered, not listed,
so pages added later are covered as they appear. A 403 or 404 is fine (nothing
shown); every 200 answer is searched for the values the set may not view.
"""
from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urljoin, urlsplit

import pytest

from core import purchase_index
from tests.conftest import CSRFClient, sign_in

PREFIXES = ("/customers", "/loyalty", "/sales", "/team")
SKIP_PATHS = ("/logout", "/static/")
MAX_REQUESTS = 900  # per set, both modes counted; the crawl of this small shop needs far fewer
MAX_VARIANTS_PER_FIELD = 6

# --- the shop -------------------------------------------------------------------

# Zéphyrine: an ordinary customer with every field filled, distinctive values.
SECRET = dict(first_name="Zéphyrine", last_name="Quokkabelle", email="pangolin.violet@fuite-exemple.fr",
              phone="06 47 29 83 15", old_phone="07 58 36 91 24", address_line1="17 impasse des Girafes",
              postal_code="41600", city="Lamotte-Beuvron", comments="Note confidentielle ornithorynque",
              tax_id="FR99123456789")
# Marius: came only through a marketing sign-up (seed 004), never visited.
MARKETING = dict(first_name="Marius", last_name="Marmottin", email="marmotte.secrete@inscription-exemple.fr",
                 phone="06 38 52 74 96", address_line1="5 allée des Hérissons", postal_code="18100",
                 city="Vierzon-les-Bains", comments="Inscrit au jeu concours tamanoir")


def _digits_pattern(digits: str) -> re.Pattern:
    """The digits in any usual spelling: spaces, dots, dashes, non-breaking spaces between them."""
    return re.compile(r"[\s.\-/()\u00a0\u202f]{0,2}".join(re.escape(d) for d in digits))


# What each field looks like when shown in full; the middle digits of a phone
# (the masked form shows only the last two) in any format, E.164 included.
FULL = {
    "secret": {
        "email": [re.compile(r"pangolin\.violet", re.I)],
        "phone": [_digits_pattern("472983"), _digits_pattern("583691")],
        "old_phone": [_digits_pattern("583691")],
        "address": [re.compile("Girafes"), re.compile("41600")],
        "city": [re.compile("Lamotte-Beuvron")],
        "comments": [re.compile("ornithorynque")],
    },
    "marketing": {
        "email": [re.compile(r"marmotte\.secrete", re.I)],
        "phone": [_digits_pattern("385274")],
        "address": [re.compile("Hérissons|H&eacute;rissons"), re.compile("18100")],
        "city": [re.compile("Vierzon-les-Bains")],
        "comments": [re.compile("tamanoir")],
    },
}
MASKED = {
    "secret": {"email": "p•••@fuite-exemple.fr", "phone": "•• •• •• •• 15"},
    "marketing": {"email": "m•••@inscription-exemple.fr", "phone": "•• •• •• •• 96"},
}
NAMES = {"secret": "Quokkabelle", "marketing": "Marmottin"}

# Search terms made of a field's value: searching by a value one may not view
# in full must find nothing.
SEARCH_TERMS = {
    "secret": {
        "email": ["pangolin.violet@fuite-exemple.fr", "pangolin", "fuite-exemple"],
        "phone": ["0647298315", "06 47 29 83 15", "+33647298315", "472983", "0758369124"],
        "address": ["Girafes", "41600"],
        "comments": ["ornithorynque"],
    },
    "marketing": {
        "email": ["marmotte.secrete@inscription-exemple.fr", "marmotte"],
        "phone": ["0638527496", "385274"],
    },
}


@dataclass
class Shop:
    secret_id: int
    marketing_id: int
    ids: dict = field(default_factory=dict)  # path argument name -> value


def build_leak_shop(app, shop, make_customer) -> Shop:
    from datetime import timedelta

    from extensions import db
    from models import Customer, Group, Invoice, PointsEntry, Reward, Sale, SaleItem
    from models.base import utcnow

    secret_id = make_customer(first_name=SECRET["first_name"], last_name=SECRET["last_name"], email=SECRET["email"],
                              phones=[SECRET["phone"], SECRET["old_phone"]], address_line1=SECRET["address_line1"],
                              postal_code=SECRET["postal_code"], city=SECRET["city"], country="FR",
                              comments=SECRET["comments"], tax_id=SECRET["tax_id"], origin="card")
    marketing_id = make_customer(first_name=MARKETING["first_name"], last_name=MARKETING["last_name"],
                                 email=MARKETING["email"], phones=[MARKETING["phone"]],
                                 address_line1=MARKETING["address_line1"], postal_code=MARKETING["postal_code"],
                                 city=MARKETING["city"], country="FR", comments=MARKETING["comments"],
                                 origin="marketing")
    plain_id = make_customer(first_name="Paul", last_name="Ordinaire", email="paul@exemple.fr")
    with app.app_context():
        now = utcnow()
        secret = db.session.get(Customer, secret_id)
        secret.phones[1].linked = False  # an old number: kept in the history, no longer linked
        secret.phones[1].unlinked_at = now
        group = Group(name="Habitués")
        db.session.add(group)
        secret.groups.append(group)
        marketing = db.session.get(Customer, marketing_id)
        marketing.groups.append(group)
        # Subscribed through the sign-up: what seed 004's masking follows.
        from blueprints.customers.consent import record_consent
        record_consent(marketing, "email_marketing", "yes", method="legacy")
        for customer, points in ((secret, 120), (marketing, 0)):
            customer.loyalty_member = True
            customer.loyalty_enrolled_at = now - timedelta(days=30)
            customer.points_balance = points
        entry = PointsEntry(customer_id=secret_id, delta=120, kind="add", reason="bienvenue")
        reward = Reward(name="Café offert", customer_id=secret_id, earned_at=now - timedelta(days=2),
                        expires_at=now + timedelta(days=60))
        sale = Sale(location_id=shop["location_id"], customer_id=secret_id, customer_link="card_matched",
                    created_at=now - timedelta(days=3), total_cents=4250, payment_method="card",
                    card_brand="visa", card_last4="4242", card_holder_name="Z QUOKKABELLE", points_earned=42)
        sale.items.append(SaleItem(name="Thé vert", name_key="the vert", quantity=2, unit_price_cents=2125))
        db.session.add_all([entry, reward, sale])
        db.session.flush()
        purchase_index.index_sales(db.session.connection(), [sale.id])
        invoice = Invoice(number="F-LEAK-1", sale_id=sale.id, customer_id=secret_id, amount_cents=4250)
        db.session.add(invoice)
        secret.visit_count = 1
        secret.total_spent_cents = 4250
        secret.first_visit_at = secret.last_visit_at = sale.created_at
        db.session.commit()
        ids = {"sale_id": sale.id, "invoice_id": invoice.id, "reward_id": reward.id,
               "phone_id": secret.phones[0].id, "group_id": group.id, "entry_id": entry.id,
               "location_id": shop["location_id"], "other_id": plain_id}
    return Shop(secret_id, marketing_id, ids)


# --- the sets --------------------------------------------------------------------

RESTRICTIVE = {"access.register", "access.backoffice", "customers.basic", "customers.email.masked",
               "customers.address.masked", "customers.export", "loyalty.points", "loyalty.groups",
               "loyalty.rewards", "sales.invoices"}
VIEW_ONLY = {"access.register", "access.backoffice", "customers.basic", "customers.email.view",
             "customers.phone.view", "customers.address.view", "customers.history.view", "customers.export"}

SETS = {
    "owner": dict(role="owner"),
    "manager": dict(role="manager"),
    "cashier": dict(role="cashier"),
    "restrictive": dict(role="restrictive", capabilities=RESTRICTIVE, set_name="Masqué sans téléphone"),
    "view_only": dict(role="viewer", capabilities=VIEW_ONLY, set_name="Consultation seule"),
}


def _levels(employee, customer) -> dict[str, str]:
    """What this employee may see of each field of this customer, per permissions."""
    from core.permissions import can, field_level
    levels = {name: field_level(employee, name, customer) for name in ("email", "phone", "address")}
    levels["comments"] = "view" if can(employee, "customers.history.view") else "none"
    return levels


# --- crawling --------------------------------------------------------------------

@dataclass(frozen=True)
class Request:
    method: str
    url: str
    data: tuple = ()
    # (customer key, field, parameter, term) when a parameter holds a value of that field
    search: tuple | None = None
    depth: int = 0


class PageParser(HTMLParser):
    """Links, hx-get URLs and forms of an answer."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("href", "hx-get", "data-url"):
            if attrs.get(name):
                self.links.append(attrs[name])
        if tag == "form":
            method = (attrs.get("method") or ("post" if attrs.get("hx-post") else "get")).lower()
            action = attrs.get("action") or attrs.get("hx-get") or attrs.get("hx-post") or ""
            self._form = {"method": method, "action": action, "fields": []}
            self.forms.append(self._form)
        elif self._form is None and tag in ("input", "select") and attrs.get("name") and attrs.get("hx-get"):
            # An active search box outside any form: a one-field GET form of its own.
            entry = {"name": attrs["name"], "tag": tag, "type": (attrs.get("type") or "text").lower(),
                     "value": attrs.get("value", ""), "checked": "checked" in attrs, "options": []}
            self.forms.append({"method": "get", "action": attrs["hx-get"], "fields": [entry]})
            if tag == "select":
                self._select = entry
        elif self._form is not None and tag in ("input", "select", "textarea") and attrs.get("name"):
            entry = {"name": attrs["name"], "tag": tag, "type": (attrs.get("type") or "text").lower(),
                     "value": attrs.get("value", ""), "checked": "checked" in attrs, "options": []}
            self._form["fields"].append(entry)
            if tag == "select":
                self._select = entry
        elif tag == "option" and self._select is not None:
            self._select["options"].append((attrs.get("value", ""), "selected" in attrs))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _allowed(url: str) -> bool:
    path = urlsplit(url).path
    return path.startswith(PREFIXES) and not any(skip in path for skip in SKIP_PATHS)


def _form_requests(form: dict, base: str, depth: int) -> list[Request]:
    """A GET form's defaults, then each filter in turn, then each search box
    with the customers' own values. A POST form only if it exports."""
    action = urljoin(base, form["action"] or base)
    if not _allowed(action):
        return []
    method = form["method"]
    if method != "get" and "export" not in action:
        return []
    defaults: list[tuple[str, str]] = []
    for f in form["fields"]:
        if f["tag"] == "select":
            chosen = [v for v, selected in f["options"] if selected] or [v for v, _ in f["options"][:1]]
            defaults += [(f["name"], v) for v in chosen]
        elif f["type"] in ("checkbox", "radio"):
            if f["checked"]:
                defaults.append((f["name"], f["value"] or "on"))
        elif f["type"] not in ("submit", "button", "file", "password"):
            defaults.append((f["name"], f["value"]))
    variants: list[tuple[list, tuple | None]] = [(defaults, None)]

    def replaced(name, value):
        return [(k, v) for k, v in defaults if k != name] + [(name, value)]

    for f in form["fields"]:
        name = f["name"]
        if name == "csrf_token":
            continue
        if f["tag"] == "select":
            for value, _ in f["options"][:MAX_VARIANTS_PER_FIELD]:
                variants.append((replaced(name, value), None))
        elif f["type"] in ("checkbox", "radio"):
            variants.append((replaced(name, f["value"] or "on"), None))
        elif f["type"] == "date":
            variants.append((replaced(name, "2000-01-01"), None))
        elif f["type"] in ("text", "search", "email", "tel") and method == "get":
            variants.append((replaced(name, NAMES["secret"]), None))
            for key, fields in SEARCH_TERMS.items():
                for field_name, terms in fields.items():
                    for term in terms:
                        variants.append((replaced(name, term), (key, field_name, name, term)))
    requests = []
    for data, search in variants:
        data = [(k, v) for k, v in data if v is not None]
        if method == "get":
            query = urlencode([(k, v) for k, v in data if v != ""])
            url = action.split("?")[0] + ("?" + query if query else "")
            requests.append(Request("GET", url, (), search, depth))
        else:
            requests.append(Request("POST", action, tuple(data), None, depth))
    return requests


def _seed_requests(app, leak_shop: Shop) -> list[Request]:
    """Every GET route of the customer rooms, arguments filled with the shop's ids."""
    from werkzeug.routing import AnyConverter

    requests = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIXES) or "GET" not in rule.methods:
            continue
        choices: list[dict] = [{}]
        possible = True
        for argument in rule.arguments:
            converter = rule._converters.get(argument)
            if "customer" in argument or argument in ("id", "member_id"):
                values = [leak_shop.secret_id, leak_shop.marketing_id]
            elif argument in leak_shop.ids:
                values = [leak_shop.ids[argument]]
            elif isinstance(converter, AnyConverter):
                values = sorted(converter.items)
            elif converter is not None and converter.__class__.__name__ == "UnicodeConverter":
                values = ["contact", "email", "phone", "address", "comments", "name", "first_name", "last_name",
                          "profile", "discount", "tax", "notes", "history", "csv"]
            else:
                possible = False
                break
            choices = [dict(choice, **{argument: value}) for choice in choices for value in values]
        if not possible:
            continue
        for values in choices:
            try:
                with app.test_request_context():
                    from flask import url_for
                    url = url_for(rule.endpoint, **values)
            except Exception:  # noqa: BLE001 (a value a converter refuses)
                continue
            requests.append(Request("GET", url))
            if not rule.arguments and not rule.rule.startswith("/team"):
                # Maybe a list: sorted and searched too, in case no form on a
                # page leads there (the forms found add every filter and term).
                for extra in ("sort=-name", "sort=-points", "sort=-last_visit", "archived=1", "format=csv"):
                    requests.append(Request("GET", f"{url}?{extra}"))
                for key, fields in SEARCH_TERMS.items():
                    for field_name, terms in fields.items():
                        requests.append(Request("GET", f"{url}?{urlencode({'q': terms[0]})}", (), (key, field_name,
                                                                                            "q", terms[0])))
    return requests


def _echoes(request: Request) -> list[str]:
    """What the page may legitimately repeat: the terms the user typed."""
    values = [v for _, v in parse_qsl(urlsplit(request.url).query)] + [v for _, v in request.data]
    echoes = []
    for value in values:
        if len(value) >= 3:
            echoes += [value, quote_plus(value), quote(value), quote(value, safe=""),
                       value.replace("+", "&#43;"), quote_plus(value).replace("+", "%20")]
    return sorted(set(echoes), key=len, reverse=True)


@dataclass
class Findings:
    leaks: list = field(default_factory=list)
    server_errors: list = field(default_factory=list)
    seen: dict = field(default_factory=dict)  # url -> body of the full page answer (200 only)
    requests: int = 0


def _check(body: str, request: Request, htmx: bool, levels: dict, findings: Findings, set_key: str) -> None:
    for echo in _echoes(request):
        body = body.replace(echo, "")
    where = f"{set_key}: {request.method} {request.url}{' (htmx)' if htmx else ''}"
    for key in ("secret", "marketing"):
        lv = levels[key]
        full = FULL[key]
        for name in ("email", "phone", "comments"):
            if lv[name] not in ("view", "edit"):
                for pattern in full[name]:
                    if pattern.search(body):
                        findings.leaks.append(f"{where}: {key} {name} in full ({pattern.pattern})")
        if lv["phone"] != "none" and lv["phone"] not in ("view", "edit") and "old_phone" in full:
            # Unlinked numbers are history, for full view only.
            for pattern in full["old_phone"]:
                if pattern.search(body):
                    findings.leaks.append(f"{where}: {key} unlinked phone shown to a masked view")
        if lv["address"] not in ("view", "edit"):
            for pattern in full["address"]:
                if pattern.search(body):
                    findings.leaks.append(f"{where}: {key} street or postcode ({pattern.pattern})")
        if lv["address"] == "none":
            for pattern in full["city"]:
                if pattern.search(body):
                    findings.leaks.append(f"{where}: {key} city")
        for name in ("email", "phone"):
            if lv[name] == "none" and MASKED[key][name] in body:
                findings.leaks.append(f"{where}: {key} masked {name} shown to a set without it")


NO_MATCH = "zqxjvwk"  # a term that matches nothing


def _search_found(body: str, request: Request, levels: dict) -> bool:
    """The customer is listed in an answer to a search by a value the set may
    not view in full (the control request tells whether the parameter filters at all)."""
    if request.search is None:
        return False
    from core.permissions import complete_value
    key, field_name, _parameter, term = request.search
    if field_name in ("email", "phone") and complete_value(field_name, term):
        return False  # the full-value lookup rule: a complete value may find them (_check: never show it)
    return levels[key][field_name] not in ("view", "edit") and NAMES[key] in body


def _control_url(request: Request) -> str:
    """The same URL with the searched value replaced by one that matches nothing."""
    _key, _field, parameter, term = request.search
    parts = urlsplit(request.url)
    query = [(k, NO_MATCH if (k == parameter and v == term) else v) for k, v in parse_qsl(parts.query)]
    return parts.path + "?" + urlencode(query)


def _canonical(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + "?" + urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))


def crawl(client: CSRFClient, seeds: list[Request], levels: dict, set_key: str) -> Findings:
    findings = Findings()
    queue = deque(seeds)
    done: set = set()
    forms_done: set = set()
    while queue and findings.requests < MAX_REQUESTS:
        request = queue.popleft()
        key = (request.method, _canonical(request.url), request.data, request.search)
        if key in done:
            continue
        done.add(key)
        for htmx in (False, True):
            headers = {"HX-Request": "true"} if htmx else {}
            findings.requests += 1
            try:
                if request.method == "GET":
                    response = client.get(request.url, headers=headers)
                else:
                    response = client.post(request.url, data=list(request.data), headers=headers)
                body = response.get_data().decode("utf-8", errors="replace")  # a streamed body fails here
            except Exception as error:  # noqa: BLE001 (reported below, the crawl goes on)
                findings.server_errors.append(f"{set_key}: {request.method} {request.url} raised {error!r:.200}")
                continue
            if response.status_code >= 500:
                findings.server_errors.append(f"{set_key}: {request.method} {request.url} -> {response.status_code}")
                continue
            header_text = " ".join(f"{k}: {v}" for k, v in response.headers.items()
                                   if k.lower() not in ("set-cookie", "location", "content-security-policy"))
            if response.status_code == 200:
                _check(body + "\n" + header_text, request, htmx, levels, findings, set_key)
                if _search_found(body, request, levels):
                    # Found, unless the parameter filters nothing (an ignored or refused filter lists everyone).
                    control = client.get(_control_url(request), headers=headers).get_data(as_text=True)
                    findings.requests += 1
                    if NAMES[request.search[0]] not in control:
                        findings.leaks.append(f"{set_key}: GET {request.url}{' (htmx)' if htmx else ''}: searching "
                                              f"by {request.search[0]} {request.search[1]} found the customer")
                if not htmx and request.method == "GET":
                    findings.seen[request.url] = body
            else:
                _check(header_text, request, htmx, levels, findings, set_key)
            if response.status_code != 200 or "html" not in (response.mimetype or "") or request.depth >= 3:
                continue
            parser = PageParser()
            parser.feed(body)
            for link in parser.links:
                url = urljoin(request.url, link.split("#")[0])
                if url and _allowed(url):
                    url = url.replace("http://localhost", "")
                    queue.append(Request("GET", url, (), None, request.depth + 1))
            for form in parser.forms:
                # A form met on many pages (the search bar) is tried once.
                signature = (form["method"], urlsplit(urljoin(request.url, form["action"] or request.url)).path,
                             tuple(sorted(f["name"] for f in form["fields"] if f["name"] != "csrf_token")))
                if signature in forms_done:
                    continue
                forms_done.add(signature)
                for extra in _form_requests(form, request.url, request.depth + 1):
                    queue.append(Request(extra.method, extra.url.replace("http://localhost", ""), extra.data,
                                         extra.search, extra.depth))
    return findings


def _client_for(app, make_employee, spec: dict) -> tuple[CSRFClient, int]:
    role = spec["role"]
    kwargs = {k: v for k, v in spec.items() if k in ("capabilities", "set_name")}
    employee_id = make_employee("owner" if role in ("restrictive", "viewer") else role,
                                email=f"{role}@leak.example", name=f"Leak {role}", **kwargs)
    app.test_client_class = CSRFClient
    client = app.test_client()
    assert sign_in(client, f"{role}@leak.example").status_code == 302
    return client, employee_id


def _levels_for(app, employee_id: int, leak_shop: Shop) -> dict:
    from extensions import db
    from models import Customer, Employee
    with app.test_request_context():
        employee = db.session.get(Employee, employee_id)
        return {"secret": _levels(employee, db.session.get(Customer, leak_shop.secret_id)),
                "marketing": _levels(employee, db.session.get(Customer, leak_shop.marketing_id))}


# --- the tests -------------------------------------------------------------------

@pytest.mark.parametrize("set_key", list(SETS))
def test_no_page_fragment_search_or_export_shows_what_the_set_may_not_view(set_key, app, shop, make_customer,
                                                                           make_employee):
    leak_shop = build_leak_shop(app, shop, make_customer)
    client, employee_id = _client_for(app, make_employee, SETS[set_key])
    levels = _levels_for(app, employee_id, leak_shop)
    findings = crawl(client, _seed_requests(app, leak_shop), levels, set_key)

    assert findings.requests > 0
    assert findings.leaks == [], "\n".join(findings.leaks[:40])
    assert findings.server_errors == [], "server errors (not leaks):\n" + "\n".join(findings.server_errors[:40])

    # What the set may view is there, on the profile (the page every room links to).
    profile = client.get(f"/customers/{leak_shop.secret_id}").get_data(as_text=True)
    assert SECRET["last_name"] in profile
    expected = {
        "email": {"view": SECRET["email"], "edit": SECRET["email"], "masked": MASKED["secret"]["email"]},
        "phone": {"view": SECRET["phone"], "edit": SECRET["phone"], "masked": MASKED["secret"]["phone"]},
        "address": {"view": "Girafes", "edit": "Girafes", "masked": SECRET["city"]},
        "comments": {"view": "ornithorynque"},
    }
    for name, by_level in expected.items():
        wanted = by_level.get(levels["secret"][name])
        if wanted:
            assert wanted in profile, f"{set_key} may see {name} ({levels['secret'][name]}) but the profile lacks it"


def test_the_leak_crawl_reaches_the_customer_pages(app, shop, make_customer, make_employee):
    """The crawl itself is checked: it does open profiles, lists and searches,
    so an empty crawl cannot pass as 'no leak'."""
    leak_shop = build_leak_shop(app, shop, make_customer)
    client, employee_id = _client_for(app, make_employee, SETS["owner"])
    findings = crawl(client, _seed_requests(app, leak_shop), _levels_for(app, employee_id, leak_shop), "owner")
    assert f"/customers/{leak_shop.secret_id}" in findings.seen
    assert "/customers" in findings.seen
    assert any(url.startswith("/customers?") and "q=" in url for url in findings.seen)
    # The owner sees everything, so the patterns do match the pages (they would catch a leak).
    profile = findings.seen[f"/customers/{leak_shop.secret_id}"]
    assert FULL["secret"]["email"][0].search(profile) and FULL["secret"]["phone"][0].search(profile)
    assert FULL["secret"]["comments"][0].search(profile)


def test_searching_by_part_of_a_value_one_may_not_view_finds_nothing(app, shop, make_customer, make_employee):
    build_leak_shop(app, shop, make_customer)
    cashier, _ = _client_for(app, make_employee, SETS["cashier"])
    manager, _ = _client_for(app, make_employee, SETS["manager"])
    for term in ("pangolin", "pangolin.violet@fuite", "06 47 29", "83 15"):
        url = f"/customers?{urlencode({'q': term})}"
        assert NAMES["secret"] not in cashier.get(url).get_data(as_text=True), term
        assert NAMES["secret"] in manager.get(url).get_data(as_text=True), term


def test_the_complete_value_finds_the_customer_without_showing_it(app, shop, make_customer, make_employee):
    """The full-value lookup rule (permissions.complete_lookups)."""
    build_leak_shop(app, shop, make_customer)
    cashier, _ = _client_for(app, make_employee, SETS["cashier"])
    for term in (SECRET["email"], "0647298315", "+33 6 47 29 83 15"):
        page = cashier.get(f"/customers?{urlencode({'q': term})}", headers={"HX-Request": "true"}).get_data(as_text=True)
        assert NAMES["secret"] in page, term
        assert "pangolin.violet" not in page.replace(term, "") and "47 29 83" not in page.replace(term, ""), term


def test_marketing_sign_up_is_masked_for_a_set_that_may_only_view(app, shop, make_customer, make_employee):
    """Seed 004: a customer who came only through a marketing sign-up has their
    contact details masked for every set without full (edit) access."""
    leak_shop = build_leak_shop(app, shop, make_customer)
    viewer, _ = _client_for(app, make_employee, SETS["view_only"])
    manager, _ = _client_for(app, make_employee, SETS["manager"])
    profile = viewer.get(f"/customers/{leak_shop.marketing_id}").get_data(as_text=True)
    assert MARKETING["last_name"] in profile
    assert MASKED["marketing"]["email"] in profile and MARKETING["email"] not in profile
    assert MASKED["marketing"]["phone"] in profile
    assert "Hérissons" not in profile and MARKETING["city"] in profile
    listing = viewer.get("/customers").get_data(as_text=True)
    assert MASKED["marketing"]["email"] in listing and MARKETING["email"] not in listing
    # The same set sees an ordinary customer in full…
    assert SECRET["email"] in viewer.get(f"/customers/{leak_shop.secret_id}").get_data(as_text=True)
    # …and a set that may edit sees the sign-up in full.
    assert MARKETING["email"] in manager.get(f"/customers/{leak_shop.marketing_id}").get_data(as_text=True)


def test_a_marketing_sign_up_becomes_visible_after_a_first_visit(app, shop, make_customer, make_employee):
    leak_shop = build_leak_shop(app, shop, make_customer)
    viewer, _ = _client_for(app, make_employee, SETS["view_only"])
    from extensions import db
    from models import Customer
    with app.app_context():
        db.session.get(Customer, leak_shop.marketing_id).visit_count = 1
        db.session.commit()
    assert MARKETING["email"] in viewer.get(f"/customers/{leak_shop.marketing_id}").get_data(as_text=True)


def test_a_forged_request_for_a_capability_not_granted_is_403_and_audited(app, shop, make_customer, make_employee):
    from sqlalchemy import select

    from extensions import db
    from models import AuditEvent
    leak_shop = build_leak_shop(app, shop, make_customer)
    cashier, cashier_id = _client_for(app, make_employee, SETS["cashier"])
    response = cashier.get(f"/sales/customer/{leak_shop.secret_id}/history", headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert "ornithorynque" not in response.get_data(as_text=True)
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "forbidden")).one()
        assert event.employee_id == cashier_id and event.details["capability"] == "customers.history.view"
