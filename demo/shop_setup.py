"""The demo shop around its customers: the settings, two locations, the three
demo employees and the customer groups (a handful of rows, through the ORM).

Returns who works where, which the sales and the loyalty ledger then name.
"""
from __future__ import annotations

from datetime import timedelta

from blueprints.auth.service import ensure_default_sets
from core.passwords import hash_password
from demo.accounts import PASSWORD
from demo.loyalty import EARN_RATE, REWARD_VALIDITY_DAYS
from demo.phones import REGION
from extensions import db
from models import Employee, Group, Location, ShopSettings
from models.base import utcnow

SHOP_NAME = "Épicerie Comptoir"
GROUPS = ("VIP", "Voisins", "Entreprises", "Étudiants", "Newsletter")
LOCATIONS = (("Comptoir Bastille", "12 rue de la Roquette, 75011 Paris"),
             ("Comptoir Croix-Rousse", "8 boulevard de la Croix-Rousse, 69004 Lyon"))
EMPLOYEES = (("owner@demo.test", "Camille Rousseau", "Propriétaire", (0, 1)),
             ("manager@demo.test", "Karim Benali", "Gérant", (0, 1)),
             ("cashier@demo.test", "Léa Fontaine", "Employé", (0,)))


def set_up_shop(employees_since_days: int) -> dict:
    """Write the settings, locations, employees (there for `employees_since_days`
    days) and groups, and commit; returns the staff the generators use."""
    settings = ShopSettings.get()
    settings.name, settings.currency, settings.phone_region = SHOP_NAME, "EUR", REGION
    settings.earn_rate, settings.reward_validity_days = EARN_RATE, REWARD_VALIDITY_DAYS
    locations = [Location(name=name, address=address) for name, address in LOCATIONS]
    db.session.add_all(locations)
    sets = ensure_default_sets()
    password_hash = hash_password(PASSWORD)
    employees = []
    for email, name, set_name, where in EMPLOYEES:
        employee = Employee(email=email, name=name, password_hash=password_hash,
                            permission_set=sets[set_name], language="fr",
                            created_at=utcnow() - timedelta(days=employees_since_days))
        employee.locations = [locations[i] for i in where]
        employees.append(employee)
    db.session.add_all(employees)
    groups = [Group(name=name) for name in GROUPS]
    db.session.add_all(groups)
    db.session.commit()
    owner, manager, cashier = (e.id for e in employees)
    bastille, croix_rousse = (loc.id for loc in locations)
    return {
        "owner": owner, "manager": manager, "cashier": cashier,
        "locations": (bastille, croix_rousse),
        # Who rings up a sale at each location, and how often.
        "tills": {bastille: (cashier, cashier, cashier, owner, manager),
                  croix_rousse: (manager, manager, manager, owner, owner)},
        "groups": {g.name: g.id for g in groups},
    }
