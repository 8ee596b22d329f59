"""Writes N random points over mainland France as one GeoJSON FeatureCollection (fixed seed: the same file
every time), for bench/*.sh.

    python3 bench/points.py OUT.geojson N              id, name ("point 12"), kind: three properties
    python3 bench/points.py OUT.geojson N --heritage   heritage-like records for search and filters (below)

--heritage gives each point what a national inventory holds: an id, a French heritage name built from real
words ("Église Saint-Martin", "Lavoir du Bourg de Chirens", "Croix de chemin des Granges"), a kind, the
commune and its INSEE code (the 150 communes of testdata/culture/merimee-isere-camlebrun.csv, real names with
their accents), and a century (`siecle`, a field no index covers). Dedications and places follow a Zipf law,
so that a search finds common words (saint, croix), middling ones and, one point in ten thousand, a
remarkable site whose words are rare (menhir, Kerloas). The positions are drawn as without --heritage.
"""
import csv
import json
import os
import random
import sys

KINDS = [
    ("Église", "eglise"), ("Chapelle", "chapelle"), ("Croix de chemin", "croix"), ("Calvaire", "croix"),
    ("Lavoir", "lavoir"), ("Moulin", "moulin"), ("Château", "chateau"), ("Maison forte", "maison"),
    ("Manoir", "maison"), ("Ferme", "ferme"), ("Four à pain", "four"), ("Fontaine", "fontaine"),
    ("Pont", "pont"), ("Oratoire", "oratoire"), ("Tour", "tour"), ("Prieuré", "prieure"), ("Abbaye", "abbaye"),
    ("Monument aux morts", "monument"), ("Halle", "halle"), ("Pigeonnier", "pigeonnier"), ("Puits", "puits"),
    ("Maison", "maison"), ("Hôtel particulier", "maison"), ("Porte", "porte"), ("Presbytère", "presbytere"),
]
# kinds dedicated to a saint, the others named after a place
DEDICATED = {"eglise", "chapelle", "oratoire", "prieure", "abbaye"}
SAINTS = [
    "Saint-Martin", "Notre-Dame", "Saint-Pierre", "Saint-Jean-Baptiste", "Sainte-Marie", "Saint-Étienne",
    "Saint-Nicolas", "Saint-Michel", "Saint-Laurent", "Saint-Germain", "Saint-Georges", "Sainte-Anne",
    "Saint-André", "Saint-Maurice", "Saint-Jacques", "Saint-Sauveur", "Saint-Barthélemy", "Saint-Didier",
    "Saint-Vincent", "Saint-Julien", "Saint-Christophe", "Sainte-Madeleine", "Saint-Blaise", "Saint-Roch",
    "Saint-Sébastien", "Saint-Hilaire", "Saint-Rémi", "Saint-Médard", "Sainte-Foy", "Saint-Théodule",
    "Notre-Dame-de-l'Assomption", "Saint-Ferréol", "Sainte-Agathe", "Saint-Bénigne", "Saint-Grégoire",
]
PLACES = [
    "du Bourg", "de la Place", "du Village", "des Granges", "de la Roche", "du Château", "du Moulin", "de l'Église",
    "des Prés", "du Pont", "de la Fontaine", "des Combes", "du Mas", "de la Côte", "des Vignes", "du Verger",
    "de la Croix", "des Essarts", "du Plâtre", "de Bellevue", "des Chênes", "du Colombier", "de la Tuilerie",
    "des Fourneaux", "de Montfort", "de Beauregard", "du Hameau", "de la Chênaie", "de l'Étang", "des Écoles",
    "de Champagnier", "de la Bâtie", "du Crêt", "des Mûriers", "de Pré-Château", "de la Forêt", "du Gué",
]
REMARKABLE = [
    ("Menhir de Kerloas", "menhir"), ("Dolmen de la Roche-aux-Fées", "dolmen"), ("Pont du Gard", "pont"),
    ("Grotte Chauvet", "grotte"), ("Cairn de Barnenez", "cairn"), ("Oppidum de Bibracte", "oppidum"),
    ("Aqueduc de Barbegal", "aqueduc"), ("Cromlech d'Er Lannic", "cromlech"), ("Tumulus Saint-Michel", "tumulus"),
    ("Mégalithe de Locmariaquer", "menhir"), ("Trophée d'Auguste", "monument"), ("Saline royale d'Arc-et-Senans", "saline"),
    ("Viaduc de Garabit", "pont"), ("Phare de Cordouan", "phare"), ("Forteresse de Salses", "chateau"),
    ("Commanderie des Templiers d'Échebrune", "commanderie"), ("Cité de Carcassonne", "rempart"),
]
CENTURIES = ["11e siècle", "12e siècle", "13e siècle", "14e siècle", "15e siècle", "16e siècle", "17e siècle",
             "18e siècle", "19e siècle", "20e siècle", "Gallo-romain", "Néolithique"]


def zipf(items, s=1.1):
    return [1 / (r + 1) ** s for r in range(len(items))]


def communes():
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "testdata", "culture", "merimee-isere-camlebrun.csv")
    with open(path, encoding="utf-8", errors="replace") as f:
        rows = csv.DictReader(f, delimiter=";")
        seen = {(r["commune"], r["insee"]) for r in rows if "\ufffd" not in r["commune"] and r["insee"].isdigit()}
    return sorted(seen)


def heritage(rng, i, towns, weights):
    if rng.random() < 0.0001:
        name, kind = rng.choice(REMARKABLE)
    else:
        label, kind = rng.choices(KINDS, weights=zipf(KINDS, 0.8))[0]
        if kind in DEDICATED:
            name = label + " " + rng.choices(SAINTS, weights=weights["saints"])[0]
        else:
            name = label + " " + rng.choices(PLACES, weights=weights["places"])[0]
    commune, insee = rng.choice(towns)
    if rng.random() < 0.3:
        name += " de " + commune
    return {"id": "PB%07d" % i, "name": name, "kind": kind, "commune": commune, "insee": insee,
            "siecle": rng.choice(CENTURIES)}


def main():
    out_path, n = sys.argv[1], int(sys.argv[2])
    rich = "--heritage" in sys.argv[3:]
    random.seed(1)
    names = random.Random(2)  # apart, so that the positions are those of the plain file
    towns = communes() if rich else []
    weights = {"saints": zipf(SAINTS), "places": zipf(PLACES)}
    with open(out_path, "w", encoding="utf-8") as out:
        out.write('{"type":"FeatureCollection","features":[')
        for i in range(n):
            props = heritage(names, i, towns, weights) if rich else {"id": str(i), "name": "point %d" % i, "kind": "test"}
            f = {"type": "Feature", "properties": props,
                 "geometry": {"type": "Point", "coordinates": [round(random.uniform(-4.5, 8), 6), round(random.uniform(42.5, 51), 6)]}}
            out.write(("," if i else "") + json.dumps(f, ensure_ascii=False))
        out.write("]}")


main()
