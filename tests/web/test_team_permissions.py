"""Permission sets and the matrix through HTTP: a toggle saves at once (htmx),
applies and shows the dependencies, the owner column is locked, a refusal
comes back as 4xx with a message."""
from sqlalchemy import select

from core.permissions import closure


def _caps(app, set_id):
    from extensions import db
    from models import PermissionSet
    with app.app_context():
        return closure(db.session.get(PermissionSet, set_id).capabilities)


def test_matrix_lists_sets_as_columns_and_groups_as_rows(signed_in, shop):
    client = signed_in("owner")
    html = client.get("/team/permissions").get_data(as_text=True)
    for text in ("Points d’accès", "Données des clients", "Ressources du profil", "Actions clients", "Fidélité",
                 "Ventes", "Équipe", "Propriétaire", "Gérant", "Employé", "Clients – Base",
                 "Clients – Suppression de clients", "aucun", "masqué", "consulter", "modifier"):
        assert text in html or text.replace("'", "&#39;") in html, text
    # Email is one row with a four-way choice per editable set.
    assert html.count('name="level"') == 3 * 2


def test_owner_column_is_locked(signed_in, shop):
    client = signed_in("owner")
    html = client.get("/team/permissions").get_data(as_text=True)
    owner_id = shop["sets"]["Propriétaire"]
    assert f"/team/permissions/{owner_id}/" not in html
    assert "Verrouillé" in html
    response = client.htmx("post", f"/team/permissions/{owner_id}/capability",
                           data={"capability": "customers.delete"})
    assert response.status_code == 422
    assert "ne peut pas être modifié" in response.get_data(as_text=True)


def test_a_toggle_saves_at_once_and_shows_what_followed(signed_in, shop, app):
    client = signed_in("owner")
    cashier_set = shop["sets"]["Employé"]
    response = client.htmx("post", f"/team/permissions/{cashier_set}/capability",
                           data={"capability": "customers.delete", "granted": "1"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="matrix">')  # the fragment, not the page
    assert "Également accordé : Clients – Archivage." in html
    assert {"customers.delete", "customers.archive"} <= _caps(app, cashier_set)
    # The cell now reads checked after a reload.
    page = client.get("/team/permissions").get_data(as_text=True)
    cell = page.split(f'id="cell-{cashier_set}-customers-delete"')[1].split(">")[0]
    assert "checked" in cell


def test_removing_basic_removes_its_dependents_and_says_so(signed_in, shop, app):
    client = signed_in("owner")
    manager_set = shop["sets"]["Gérant"]
    response = client.htmx("post", f"/team/permissions/{manager_set}/capability",
                           data={"capability": "customers.basic"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Également retiré :" in html and "Clients – Fusion" in html
    caps = _caps(app, manager_set)
    assert "customers.basic" not in caps and "customers.merge" not in caps and "customers.email.view" not in caps


def test_contact_field_level_modifier_grants_consulter(signed_in, shop, app):
    client = signed_in("owner")
    cashier_set = shop["sets"]["Employé"]
    response = client.htmx("post", f"/team/permissions/{cashier_set}/field/email", data={"level": "edit"})
    assert response.status_code == 200
    assert "Adresse courriel (consulter)" in response.get_data(as_text=True)
    assert {"customers.email.edit", "customers.email.view", "customers.email.masked"} <= _caps(app, cashier_set)


def test_a_toggle_is_audited_with_set_and_capability(signed_in, shop, app):
    client = signed_in("owner")
    client.htmx("post", f"/team/permissions/{shop['sets']['Employé']}/field/phone", data={"level": "masked"})
    from extensions import db
    from models import AuditEvent
    with app.app_context():
        event, = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "permission_changed"))
        assert event.employee_id == client.employee_id
        assert event.details["set"] == shop["sets"]["Employé"]
        assert event.details["capability"] == "customers.phone.masked"


def test_an_unknown_level_or_capability_is_refused_with_a_message(signed_in, shop):
    client = signed_in("owner")
    response = client.htmx("post", f"/team/permissions/{shop['sets']['Gérant']}/field/email",
                           data={"level": "tout"})
    assert response.status_code == 422 and "flash-error" in response.get_data(as_text=True)
    response = client.htmx("post", f"/team/permissions/{shop['sets']['Gérant']}/capability",
                           data={"capability": "root", "granted": "1"})
    assert response.status_code == 422
    assert client.htmx("post", "/team/permissions/9999/capability", data={"capability": "customers.basic"}
                       ).status_code == 404
    assert client.htmx("post", f"/team/permissions/{shop['sets']['Gérant']}/field/birthday",
                       data={"level": "edit"}).status_code == 404


def test_removing_team_manage_from_ones_own_set_is_refused(signed_in, app):
    client = signed_in(capabilities={"team.manage", "customers.basic"}, set_name="Administration")
    from extensions import db
    from models import Employee
    with app.app_context():
        set_id = db.session.get(Employee, client.employee_id).permission_set_id
    response = client.htmx("post", f"/team/permissions/{set_id}/capability", data={"capability": "team.manage"})
    assert response.status_code == 422
    assert "perdriez" in response.get_data(as_text=True)
    assert "team.manage" in _caps(app, set_id)


def test_the_matrix_works_without_javascript(signed_in, shop, app):
    client = signed_in("owner")
    response = client.post(f"/team/permissions/{shop['sets']['Employé']}/capability",
                           data={"capability": "customers.export", "granted": "1"})
    assert response.status_code == 302
    assert "customers.export" in _caps(app, shop["sets"]["Employé"])
    page = client.get("/team/permissions").get_data(as_text=True)
    assert "Clients – Exportation accordé" in page  # the flash
    assert "<noscript>" in page


def test_matrix_needs_team_manage(signed_in, shop):
    client = signed_in("manager")
    assert client.get("/team/permissions").status_code == 403
    assert client.htmx("post", f"/team/permissions/{shop['sets']['Gérant']}/capability",
                       data={"capability": "team.manage", "granted": "1"}).status_code == 403


# --- the sets page ---------------------------------------------------------------

def test_create_a_set_from_a_copy_then_rename_then_delete(signed_in, shop, app):
    client = signed_in("owner")
    response = client.post("/team/sets", data={"source": shop["sets"]["Gérant"], "name": "Gérant adjoint"})
    assert response.status_code == 302
    from extensions import db
    from models import PermissionSet
    with app.app_context():
        copy = db.session.scalar(select(PermissionSet).where(PermissionSet.name == "Gérant adjoint"))
        copy_id = copy.id
    assert _caps(app, copy_id) == _caps(app, shop["sets"]["Gérant"])
    assert client.post(f"/team/sets/{copy_id}/edit", data={"name": "Adjoint"}).status_code == 302
    assert "Adjoint" in client.get("/team/sets").get_data(as_text=True)
    assert client.post(f"/team/sets/{copy_id}/delete").status_code == 302
    with app.app_context():
        assert db.session.get(PermissionSet, copy_id) is None


def test_duplicate_set_name_is_shown_beside_the_field(signed_in, shop):
    client = signed_in("owner")
    response = client.post("/team/sets", data={"source": shop["sets"]["Gérant"], "name": "Employé"})
    assert response.status_code == 422
    assert "Un ensemble porte déjà ce nom." in response.get_data(as_text=True)


def test_a_set_in_use_is_not_deleted_and_the_count_is_given(signed_in, make_employee, shop, app):
    client = signed_in("owner")
    make_employee("manager", email="m@test.example")
    response = client.post(f"/team/sets/{shop['sets']['Gérant']}/delete", follow_redirects=True)
    assert "1 employé utilise cet ensemble" in response.get_data(as_text=True)
    from extensions import db
    from models import PermissionSet
    with app.app_context():
        assert db.session.get(PermissionSet, shop["sets"]["Gérant"]) is not None


def test_sets_page_shows_the_employee_count_and_the_locked_owner_set(signed_in, shop):
    client = signed_in("owner")
    html = client.get("/team/sets").get_data(as_text=True)
    assert "Verrouillé : toutes les autorisations" in html and "Par défaut" in html
    assert f"/team/sets/{shop['sets']['Propriétaire']}/edit" not in html
