"""A Square customer export of N customers (its real column headers), with
French names, phones in every usual format, emails, birthdays (some without
a year, as Square writes them) and notes: what the import benchmark uploads."""
from __future__ import annotations

import csv
import io
import random

from anyascii import anyascii

HEADERS = ["Reference ID", "First Name", "Last Name", "Email Address", "Phone Number", "Nickname",
           "Company Name", "Street Address 1", "Street Address 2", "City", "State", "Postal Code",
           "Birthday", "Memo", "Square Customer ID", "Creation Source", "First Visit", "Last Visit",
           "Transaction Count", "Lifetime Spend", "Email Subscription Status", "Instant Profile"]
FIRST = ["Élodie", "Jean", "Marie", "François", "Hélène", "Léa", "Noël", "Zoé", "Thomas", "Camille", "Inès",
         "Chloé", "Mathéo", "Anaïs", "Benoît", "Gaëlle", "Jérôme", "Maëlys", "Sébastien", "Océane"]
LAST = ["Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Laurent", "Garçon", "Œuvray", "Rousseau",
        "Fontaine", "Chevalier", "Bérubé", "Girard", "Mercier", "Dupont", "Lambert", "Bonnet", "François"]
DOMAINS = ["gmail.com", "orange.fr", "free.fr", "laposte.net", "hotmail.fr", "wanadoo.fr", "sfr.fr"]
CITIES = [("Paris", "75002"), ("Lyon", "69003"), ("Marseille", "13001"), ("Lille", "59000"), ("Nantes", "44000")]


def square_rows(count: int, seed: int = 7):
    rng = random.Random(seed)
    yield HEADERS
    for i in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        city, postcode = rng.choice(CITIES)
        number = f"6{rng.randrange(10**8):08d}"
        phone = rng.choice([f"0{number}", f"+33 {number[0]} {number[1:3]} {number[3:5]} {number[5:7]} {number[7:]}",
                            f"0{number[0]}.{number[1:3]}.{number[3:5]}.{number[5:7]}.{number[7:]}", f"+33{number}"])
        birthday = rng.choice(["", f"{rng.randint(1950, 2005)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                               f"{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"])
        email = anyascii(f"{first}.{last}{i}").lower().replace(" ", "")
        yield [str(i), first, last, f"{email}@{rng.choice(DOMAINS)}",
               phone, "", "", f"{rng.randint(1, 200)} rue de la République", "", city, "", postcode, birthday,
               rng.choice(["", "Allergie aux noix", "Préfère la terrasse", "Client fidèle depuis 2015"]),
               f"SQ{i:010d}", "Directory", "2024-01-05", "2026-11-20", str(rng.randint(0, 40)),
               f"€{rng.randint(0, 4000)}.00", rng.choice(["subscribed", "unsubscribed", ""]), "false"]


def square_csv(count: int, seed: int = 7) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(square_rows(count, seed))
    return out.getvalue().encode("utf-8")
