"""Writes N random points over mainland France as one GeoJSON FeatureCollection (fixed seed: the same file
every time), each with an id, a name and a kind, for bench/*.sh.

    python3 bench/points.py OUT.geojson N
"""
import json
import random
import sys

random.seed(1)
with open(sys.argv[1], "w") as out:
    out.write('{"type":"FeatureCollection","features":[')
    for i in range(int(sys.argv[2])):
        f = {"type": "Feature", "properties": {"id": str(i), "name": "point %d" % i, "kind": "test"},
             "geometry": {"type": "Point", "coordinates": [round(random.uniform(-4.5, 8), 6), round(random.uniform(42.5, 51), 6)]}}
        out.write(("," if i else "") + json.dumps(f))
    out.write("]}")
