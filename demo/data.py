"""The word lists the demo shop is made of: names, streets, comments (read by
demo/customers.py), the catalogue (demo/sales.py), the rewards (demo/loyalty.py).
Data, not interface text: nothing here is translated."""

# French first names, with the accents, diaereses and hyphens people really type.
FIRST_NAMES_FR = (
    "Élodie", "Zoë", "Jean-Baptiste", "Hélène", "François", "Noémie", "Anaïs", "Loïc", "Gaël",
    "Maëlle", "Céline", "Stéphane", "Benoît", "Chloé", "Inès", "Léa", "Théo", "Raphaël",
    "Maïwenn", "Marie-Claire", "Anne-Sophie", "Jérôme", "Agnès", "Bérénice", "Clémence",
    "Cécile", "Joël", "Frédéric", "Amélie", "Aurélien", "Margaux", "Camille", "Louise", "Jules",
    "Hugo", "Lucas", "Manon", "Emma", "Jade", "Arthur", "Louis", "Gabriel", "Nathan", "Sarah",
    "Juliette", "Pauline", "Julie", "Thomas", "Nicolas", "Pierre", "Marie", "Sophie", "Isabelle",
    "Nathalie", "Sylvie", "Catherine", "Christophe", "Philippe", "Laurent", "Olivier", "Vincent",
    "Guillaume", "Antoine", "Mathilde", "Capucine", "Apolline", "Timothée", "Bastien", "Rémi",
    "Gwénaëlle", "Yannick", "Solène", "Océane", "Ève", "Noé", "Aimé", "Andréa", "Anne-Laure",
    "Jean-Pierre", "Marie-Hélène", "Pierre-Yves", "Jean-Luc", "Geneviève", "Thérèse", "Honoré",
    "Eugénie", "Léon", "Adèle", "Constance", "Baptiste", "Mélanie", "Sébastien", "Valérie",
    "Dominique", "Michèle", "Josée", "René", "Renée", "Françoise", "Gisèle", "Mylène", "Lénaïg",
)
FIRST_NAMES_INTL = (
    "Siobhán", "Seán", "Aoife", "Liam", "Oliver", "Emily", "Charlotte", "James", "Mohamed",
    "Aïcha", "Fatou", "Yasmine", "Karim", "Samir", "Leïla", "Mamadou", "Awa", "Ousmane", "José",
    "João", "Ángela", "Lucía", "Martín", "Giulia", "Matteo", "Francesca", "Łukasz", "Agnieszka",
    "Søren", "Åsa", "Björn", "Jürgen", "Anneliese", "Dmitri", "Anastasia", "Olena", "Kenji",
    "Yuki", "Mei", "Wei", "Minh", "Thảo", "Huy", "Ji-woo", "Priya", "Arjun", "Zeynep", "Emre",
    "Nikos", "Eleni", "Chiara", "Noa", "Tomás", "Ngozi", "Chidi", "Amara",
)
LAST_NAMES_FR = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefèbvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Lefèvre", "Mercier", "Dupont", "Lambert",
    "Bonnet", "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc",
    "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu", "Clément",
    "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "Masson", "Sanchez",
    "Gérard", "Nguyen", "Boyer", "Denis", "Lemaire", "Duval", "Joly", "Gautier", "Roger",
    "Roche", "Roy", "Noël", "Meyer", "Lucas", "Meunier", "Jean", "Pérez", "Marchand", "Dufour",
    "Blanchard", "Barbier", "Brun", "Dumas", "Brunet", "Schmitt", "Leroux", "Colin", "Fernandez",
    "Pierre", "Renard", "Arnaud", "Rolland", "Caron", "Aubert", "Giraud", "Leclerc", "Vidal",
    "Bourgeois", "Renaud", "Lemoine", "Picard", "Gaillard", "Philippe", "Leclercq", "Lacroix",
    "Fabre", "Dupuis", "Olivier", "Rodriguez", "Da Silva", "Hubert", "Louis", "Charles",
    "Guillot", "Rivière", "Le Gall", "Le Goff", "Le Bihan", "Kerouédan", "Guéguen", "Hervé",
    "Lévêque", "Ménard", "Bénard", "Hébert", "Côté", "Pelletier", "Œuvray", "Cœurderoy",
    "D'Artagnan", "D'Amato", "De La Fontaine", "de Saint-Exupéry", "Saint-Martin", "Béranger",
    "Château", "Prévost", "Thibault", "Deschamps", "Régnier", "Besançon", "Carrère", "Daguerre",
    "Etchegaray", "Lagardère", "Mégret", "Vallée", "Jouvet", "Sénéchal",
)
LAST_NAMES_INTL = (
    "O'Brien", "O'Connor", "McCarthy", "Smith", "Johnson", "Williams", "Brown", "Taylor",
    "Nguyễn", "Trần", "Lê", "Phạm", "Müller", "Schäfer", "Schröder", "Weiß", "Größer", "Kowalski",
    "Łukasiewicz", "Wójcik", "Ørsted", "Sørensen", "Åkesson", "Rossi", "Bianchi", "Esposito",
    "Ferreira", "Silva", "Gonçalves", "Rodríguez", "Muñoz", "Peña", "Papadopoulos", "Öztürk",
    "Yılmaz", "Diallo", "Traoré", "Ndiaye", "Koné", "Ben Ali", "Haddad", "El Amrani",
    "Benali", "Cohen", "Lévy", "Yamamoto", "Tanaka", "Kim", "Park", "Wang", "Zhang", "Chen",
    "Ivanov", "Kuznetsova", "Shevchenko", "Novák", "Dvořák", "Horváth", "Van der Berg",
    "Van Damme", "De Vries", "Okafor", "Adeyemi", "Mensah", "Patel", "Singh",
)

EMAIL_DOMAINS = (("gmail.com", 30), ("orange.fr", 14), ("free.fr", 10), ("hotmail.fr", 8),
                 ("yahoo.fr", 6), ("laposte.net", 6), ("outlook.fr", 5), ("sfr.fr", 5),
                 ("wanadoo.fr", 4), ("icloud.com", 4), ("outlook.com", 3), ("proton.me", 2),
                 ("hotmail.com", 2), ("live.fr", 1))

# (street, postal code, city, country, the location they shop at)
PARIS_STREETS = ("rue de la Roquette", "rue de Charonne", "boulevard Richard-Lenoir", "rue Oberkampf",
                 "rue du Faubourg-Saint-Antoine", "avenue Ledru-Rollin", "rue Saint-Maur",
                 "passage Thiéré", "rue Keller", "rue de Lappe", "rue Sedaine", "rue Amelot",
                 "rue de Montreuil", "boulevard Voltaire", "rue des Taillandiers", "cité Griset",
                 "rue Crozatier", "rue d'Aligre", "place des Vosges", "rue de Bretagne")
PARIS_CITIES = (("75011", "Paris"), ("75011", "Paris"), ("75011", "Paris"), ("75012", "Paris"),
                ("75004", "Paris"), ("75003", "Paris"), ("75020", "Paris"), ("93100", "Montreuil"),
                ("94300", "Vincennes"))
LYON_STREETS = ("boulevard de la Croix-Rousse", "rue d'Austerlitz", "montée de la Grande-Côte",
                "rue Dumenge", "place de la Croix-Rousse", "rue Hénon", "rue Jacquard", "rue du Mail",
                "rue Pailleron", "rue d'Ivry", "rue Belfort", "montée Saint-Sébastien",
                "rue des Tables-Claudiennes", "rue Chazière", "impasse Gigodot")
LYON_CITIES = (("69004", "Lyon"), ("69004", "Lyon"), ("69004", "Lyon"), ("69001", "Lyon"),
               ("69300", "Caluire-et-Cuire"), ("69100", "Villeurbanne"))
OTHER_FR = (("rue de la République", "13001", "Marseille"), ("cours de l'Intendance", "33000", "Bordeaux"),
            ("rue Crébillon", "44000", "Nantes"), ("rue de Béthune", "59000", "Lille"),
            ("quai des Bateliers", "67000", "Strasbourg"), ("rue d'Alsace-Lorraine", "31000", "Toulouse"),
            ("rue Saint-Guillaume", "35000", "Rennes"), ("avenue Jean-Médecin", "06000", "Nice"),
            ("rue des Halles", "37000", "Tours"), ("place Plumereau", "37000", "Tours"))
ABROAD = (("Rue Neuve 14", "1000", "Bruxelles", "BE"), ("Rue du Rhône 42", "1204", "Genève", "CH"),
          ("Rue Saint-Denis 1234", "H2X 3K8", "Montréal", "CA"), ("Torstraße 12", "10119", "Berlin", "DE"),
          ("Calle Mayor 5", "28013", "Madrid", "ES"), ("Via Roma 10", "10121", "Torino", "IT"),
          ("12 Camden High Street", "NW1 0JH", "London", "GB"), ("Grand-Rue 8", "1009", "Luxembourg", "LU"))
ADDRESS_LINE2 = ("Bâtiment B", "Escalier C, 3e étage", "Appartement 12", "4e étage gauche",
                 "Chez Mme Lefèvre", "Code 4B17", "Résidence Les Tilleuls", "Au fond de la cour")

COMMENTS = (
    "Allergique aux fruits à coque.", "Préfère le pain bien cuit.", "Commande une bûche chaque Noël.",
    "Vient le samedi matin avec son chien.", "Cliente fidèle depuis l'ouverture.",
    "Ne pas appeler avant 10 h.", "Intolérant au lactose : proposer le lait d'avoine.",
    "Réserve ses croissants la veille par téléphone.", "Aime goûter les nouveaux cafés.",
    "Paie souvent pour ses collègues du bureau.", "Demande toujours un sac en papier.",
    "Habite au-dessus de la boutique.", "A oublié son parapluie le 12/03 (rangé en réserve).",
    "Commande des paniers garnis pour son entreprise en décembre.", "Parle anglais et italien.",
    "Végétarien.", "Préfère être contacté par courriel.", "Livraison possible le mardi.",
)

REWARDS = ("Café offert", "Croissant offert", "Baguette offerte", "−10 % sur le prochain achat",
           "Pâtisserie au choix", "Panier découverte", "Boisson chaude offerte")

# (name, unit price in cents, weight, largest usual quantity)
CATALOGUE = (
    ("Café expresso",                     180,  90, 2),
    ("Café crème",                        320,  50, 2),
    ("Cappuccino",                        380,  30, 2),
    ("Chocolat chaud",                    390,  20, 2),
    ("Thé vert sencha",                   350,  12, 1),
    ("Croissant",                         120,  90, 6),
    ("Pain au chocolat",                  135,  80, 6),
    ("Pain aux raisins",                  160,  25, 3),
    ("Chausson aux pommes",               170,  20, 3),
    ("Baguette tradition",                130, 100, 3),
    ("Pain de campagne",                  420,  35, 1),
    ("Pain complet",                      380,  20, 1),
    ("Brioche Nanterre",                  650,  12, 1),
    ("Fougasse aux olives",               450,  12, 1),
    ("Quiche lorraine (part)",            480,  18, 2),
    ("Sandwich jambon-beurre",            550,  35, 2),
    ("Salade de saison",                  890,  15, 1),
    ("Tarte aux pommes",                 1800,   6, 1),
    ("Huile d'olive vierge extra 50 cl", 1290,   8, 1),
    ("Vinaigre de Xérès",                 690,   4, 1),
    ("Moutarde de Dijon",                 350,   8, 1),
    ("Miel de lavande 250 g",             890,   6, 1),
    ("Confiture d'abricots",              590,   8, 1),
    ("Pâtes fraîches 500 g",              420,  12, 2),
    ("Riz de Camargue 1 kg",              490,   6, 1),
    ("Lentilles vertes du Puy 500 g",     450,   6, 1),
    ("Sel de Guérande",                   390,   4, 1),
    ("Poivre de Kampot",                 1250,   3, 1),
    ("Comté 18 mois 200 g",               680,  14, 1),
    ("Camembert de Normandie",            490,  12, 1),
    ("Beurre demi-sel 250 g",             360,  14, 1),
    ("Œufs fermiers (×6)",                380,  16, 2),
    ("Yaourt nature (×4)",                290,  10, 2),
    ("Jus de pomme artisanal 1 L",        450,  12, 2),
    ("Limonade bio",                      290,  12, 3),
    ("Côtes-du-Rhône rouge",             1190,   8, 2),
    ("Crémant d'Alsace",                 1490,   5, 2),
    ("Bière blonde artisanale",           390,  10, 4),
    ("Chocolat noir 70 %",                420,  12, 2),
    ("Madeleines pur beurre",             490,  10, 1),
    ("Sablés bretons",                    450,   8, 1),
    ("Café en grains 250 g",              890,  10, 1),
    ("Thé Earl Grey (boîte)",             790,   4, 1),
    ("Panier garni",                     3900,   2, 1),
    ("Clémentines de Corse (kg)",         450,   8, 2),
)
