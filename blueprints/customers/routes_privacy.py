"""Privacy requests: deleting a customer's data (anonymisation, seeds 000/001)
and exporting customers to CSV. Rules in deletion.py, export_list.py and export_customer.py."""
from flask import Response, abort, redirect, render_template, request, stream_with_context, url_for
from flask_babel import get_locale
from flask_login import current_user

from core.audit import record
from blueprints.customers import bp, deletion, export_cells
from blueprints.customers.export_customer import customer_file
from blueprints.customers.export_list import count_rows, list_csv, snapshot
from blueprints.customers.routes_shared import customer_or_404
from core.changes import commit_or_refusal
from blueprints.customers.search import customer_select
from blueprints.customers.search_query import CustomerQuery
from extensions import db
from models import Customer, ShopSettings
from models.base import utcnow
from core.permissions import customer_view, requires


# --- delete -------------------------------------------------------------------

@bp.route("/<int:customer_id>/delete")
@requires("customers.basic", "customers.delete")
def delete_form(customer_id: int):
    """The seed's warning and the checkbox to tick."""
    customer = customer_or_404(customer_id)
    view = customer_view(current_user, customer, ShopSettings.get().phone_region)
    return render_template("customers/delete.html", customer=view, record=customer, error=None)


@bp.post("/<int:customer_id>/delete")
@requires("customers.basic", "customers.delete")
def delete(customer_id: int):
    """*Supprimer ce client*: anonymise, then the confirmation page."""
    customer = customer_or_404(customer_id)
    _deleted, refused = commit_or_refusal(
        lambda: deletion.delete_customer(customer.id, employee_id=current_user.id,
                                         confirmed=request.form.get("confirm") == "1"),
        deletion.DeletionError)
    if refused is not None:
        customer = customer_or_404(customer_id)
        view = customer_view(current_user, customer, ShopSettings.get().phone_region)
        return render_template("customers/delete.html", customer=view, record=customer, error=refused), 422
    deletion.purge_freed_pages()
    return redirect(url_for("customers.deleted", customer_id=customer_id), 303)


@bp.route("/<int:customer_id>/deleted")
@requires("customers.basic", "customers.delete")
def deleted(customer_id: int):
    """*Retourner à la liste des clients*: only the anonymised identifier is left."""
    customer = db.session.get(Customer, customer_id)
    if customer is None or not customer.anonymised:
        abort(404)
    return render_template("customers/deleted.html", label=deletion.anonymised_label(customer_id))


# --- export -------------------------------------------------------------------

def _csv_format() -> tuple[str, str]:
    """(delimiter, decimal separator): ?format=fr|intl, else the interface's language."""
    return export_cells.CSV_FORMATS[export_cells.csv_format(request.args.get("format"), str(get_locale()))]


def _csv_response(lines, filename: str) -> Response:
    response = Response(stream_with_context(lines), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/export")
@requires("customers.export")
def export_list():
    """The list's own query (q, archived, filters, sort) as CSV; no query: every
    customer in the list (Avancé > Archivé adds the archived ones)."""
    query = CustomerQuery.from_args(request.args)
    region = ShopSettings.get().phone_region
    stmt = customer_select(current_user, query, region)
    count = count_rows(stmt)
    record("customers_exported", "customer", None, count=count,
           details={"filters": sorted(query.filters), "search": bool(query.q), "archived": query.archived})
    db.session.commit()
    stamp = utcnow().strftime("%Y%m%d-%H%M")
    viewer = snapshot(current_user)
    delimiter, decimal = _csv_format()
    return _csv_response(list_csv(viewer, stmt, delimiter, decimal), f"clients-{stamp}.csv")


@bp.route("/<int:customer_id>/export")
@requires("customers.export")
def export_customer(customer_id: int):
    """One customer's whole file: the answer to an access request."""
    customer = customer_or_404(customer_id, related=True)
    record("customers_exported", "customer", customer.id, count=1, details={"scope": "customer"})
    db.session.commit()
    region = ShopSettings.get().phone_region
    customer = customer_or_404(customer_id, related=True)
    delimiter, decimal = _csv_format()
    rows = list(customer_file(current_user, customer, region, decimal))
    return _csv_response(export_cells.csv_lines(rows, delimiter), f"client-{customer.id}.csv")
