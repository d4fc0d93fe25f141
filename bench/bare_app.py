"""The yardstick of bench/throughput: a bare Flask + Jinja page of 50 rows
(name, email, phone, points, date, money, a tag), no database, no session.
What the directory's fragment is measured against: the cost of Flask,
Jinja and gunicorn alone for a table of the same shape."""
from __future__ import annotations

import random

from flask import Flask

ROWS = 50
TEMPLATE = """<div class="results-head"><p class="count">{{ rows|length }} clients</p></div>
<div class="table-wrap"><table class="customers-table">
<thead><tr><th>Nom</th><th>Courriel</th><th>Téléphone</th><th class="num">Points</th>
<th>Dernière visite</th><th class="num">Total dépensé</th><th>Groupes</th></tr></thead>
<tbody>
{% for r in rows %}<tr>
<td class="name"><a href="/customers/{{ r.id }}">{{ r.name }}</a></td>
<td class="contact email" title="{{ r.email }}">{{ r.email }}</td>
<td class="contact nowrap">{{ r.phone }}</td>
<td class="num">{{ r.points }}</td>
<td class="nowrap">{{ r.last_visit }}</td>
<td class="num">{{ r.spent }}</td>
<td>{% for g in r.groups %}<span class="tag">{{ g }}</span>{% endfor %}</td>
</tr>{% endfor %}
</tbody></table></div>
"""


def _rows() -> list[dict]:
    rng = random.Random(13)
    names = ("Élodie Dupont", "Marie Martin", "Jean Bernard", "Lucas Petit", "Chloé Moreau", "Hugo Laurent")
    return [{"id": i, "name": rng.choice(names), "email": f"client{i}@exemple.fr",
             "phone": f"06 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
             "points": rng.randint(0, 2000), "last_visit": f"{rng.randint(1, 28):02d}/11/2026",
             "spent": f"{rng.randint(0, 99999) / 100:.2f} €".replace(".", ","),
             "groups": rng.sample(["VIP", "Voisins", "Étudiants"], rng.randint(0, 2))} for i in range(ROWS)]


app = Flask(__name__)
_template = app.jinja_env.from_string(TEMPLATE)
_data = _rows()


@app.route("/")
def page():
    return _template.render(rows=_data)


@app.route("/login")
def login():  # bench.harness.Server.wait_ready asks for it
    return "ok"
