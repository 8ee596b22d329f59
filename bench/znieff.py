"""Writes a national ZNIEFF-1-like layer over mainland France as one GeoJSON FeatureCollection (WGS84), for
bench/dense.sh: the dense polygon layer of issue 16 ("about 15,000 polygons and millions of vertices"), which
cannot be measured from the real file (its .shp is in Git LFS, not at hand). A fixed seed gives the same file.

    python3 bench/znieff.py OUT.geojson [--count N] [--seed S]

What is real, and what is drawn:
- One polygon per record of the real national file's index, testdata/inpn/znieff1/znieff1.shx (17,176
  records). A record's length gives its number of vertices exactly for one ring, (bytes - 48) / 16 (a few more
  parts would take 4 bytes each): 4.24 million in all, median 97, 90th percentile 524, largest 26,849. Each
  polygon has its record's number of vertices (the holes and parts of its shape included).
- The shapes are the 180 real ZNIEFF 1 of testdata/inpn-geojson (164 of the Oise, 16 of the Pas-de-Calais;
  41 of several parts, 30 parts with holes), picked by rank: a record with many vertices takes a shape
  with many (the real layer's larger sites have the longer outlines), kept at its real size within a factor
  of e^±0.3, turned by a random angle and set at a random place in mainland France. Each ring gets its share of the
  vertices (by length): with fewer than it has, every k-th of its own; with more, new ones along its edges,
  moved across them by a smooth noise (the detail of a finer survey), so that shapes stay as the real ones.
- The attributes are those of the national delivery (ID_MNHN, ID_ORG, NOM, GENERATION, as in
  testdata/inpn/znieff2/znieff2.dbf of the same release); names are the real national ZNIEFF 2 names of that
  .dbf (2,156, each used about eight times), ID_MNHN a real regional prefix and a sequence.

Not real: where the sites are (uniform over the mainland, where the real ones gather in mountains, wetlands
and along coasts) and how much they overlap (the real ones seldom do). --count N keeps N records taken at an
even stride (same distribution, a smaller layer).
"""
import argparse
import bisect
import json
import math
import os
import random
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
TESTDATA = os.path.join(HERE, "..", "testdata")
SHX = os.path.join(TESTDATA, "inpn", "znieff1", "znieff1.shx")
SHAPES = [os.path.join(TESTDATA, "inpn-geojson", "znieff1", "oise60_znieff1.geojson"),
          os.path.join(TESTDATA, "inpn-geojson", "znieff-pas-de-calais", "ZNIEFF1.geojson")]
NAMES = os.path.join(TESTDATA, "inpn", "znieff2", "znieff2.dbf")

# Mainland France, coarsely (lon, lat): where the sites' centres are drawn.
MAINLAND = [(-1.79, 43.37), (-1.25, 44.6), (-1.2, 46.0), (-2.2, 47.1), (-4.4, 47.8), (-4.75, 48.4), (-3.5, 48.8),
            (-1.9, 48.7), (-1.6, 49.65), (0.1, 49.5), (1.5, 50.2), (2.55, 51.08), (4.2, 49.95), (5.8, 49.5),
            (8.2, 48.97), (7.6, 47.6), (6.0, 46.2), (7.0, 45.9), (6.7, 45.1), (7.0, 44.2), (7.5, 43.78),
            (6.2, 43.1), (4.7, 43.4), (3.1, 43.1), (3.1, 42.45), (1.7, 42.5), (-0.3, 42.85)]
M_PER_DEG_LAT = 110574.0


def vertex_counts(path):
    """The number of vertices of each record of a polygon .shx (as for one ring: 48 bytes of header)."""
    with open(path, "rb") as f:
        b = f.read()
    if len(b) < 100 or struct.unpack(">i", b[:4])[0] != 9994 or struct.unpack("<i", b[32:36])[0] != 5:
        raise SystemExit("%s: not the .shx of a polygon shapefile" % path)
    out = []
    for i in range((len(b) - 100) // 8):
        words = struct.unpack(">i", b[104 + 8 * i:108 + 8 * i])[0]
        out.append(max(4, (words * 2 - 48) // 16))
    return out


def dbf_column(path, name):
    """The values of one text column of a .dbf (UTF-8)."""
    with open(path, "rb") as f:
        b = f.read()
    n, hlen, rlen = struct.unpack("<IHH", b[4:12])
    fields, at, off = [], 32, 1
    while b[at] != 0x0D:
        fname = b[at:at + 11].split(b"\0")[0].decode()
        flen = b[at + 16]
        fields.append((fname, off, flen))
        off += flen
        at += 32
    _, foff, flen = next(f for f in fields if f[0] == name)
    return [b[hlen + r * rlen + foff:hlen + r * rlen + foff + flen].decode("utf-8").strip() for r in range(n)]


def local_shapes(paths):
    """The real shapes, each as a list of polygons of rings in metres about its box's centre."""
    out = []
    for p in paths:
        with open(p, encoding="utf-8") as f:
            for feat in json.load(f)["features"]:
                g = feat["geometry"]
                polys = g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
                xs = [c[0] for poly in polys for c in poly[0]]
                ys = [c[1] for poly in polys for c in poly[0]]
                lon0, lat0 = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
                kx = M_PER_DEG_LAT * math.cos(math.radians(lat0))
                shape = [[[((c[0] - lon0) * kx, (c[1] - lat0) * M_PER_DEG_LAT) for c in ring] for ring in poly]
                         for poly in polys]
                out.append((sum(len(r) for poly in polys for r in poly), shape))
    out.sort(key=lambda s: s[0])
    return out


def inside(pt, ring):
    x, y = pt
    c = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            c = not c
    return c


def perimeter(ring):
    return sum(math.dist(a, b) for a, b in zip(ring, ring[1:]))


def resample(rng, ring, m):
    """A closed ring with m vertices (closing vertex added). Fewer than it has: every k-th of its own, as a
    coarse simplification. More: all its own, and the others set along its edges (the longer an edge, the
    more), each moved across the edge by a smooth noise of at most a fifth of the gap between them and a metre,
    none at the edge's ends (the detail of a finer survey). Rings seldom cross themselves: 3.5 % of the
    polygons are invalid for GEOS, where a thin part is thinned or detailed until it touches itself, as real
    deliveries have some, which patrimap repairs."""
    own = ring[:-1]
    if m <= len(own):
        out = [own[i * len(own) // m] for i in range(m)]
        return out + out[:1]
    lengths = [math.dist(a, b) for a, b in zip(ring, ring[1:])]
    total = sum(lengths) or 1
    extra = m - len(own)
    share = [extra * l / total for l in lengths]
    adds = [int(x) for x in share]
    for i in sorted(range(len(share)), key=lambda i: adds[i] - share[i])[:extra - sum(adds)]:
        adds[i] += 1
    waves = [(rng.uniform(-1, 1), rng.randint(1, max(1, m // k)), rng.uniform(0, 2 * math.pi)) for k in (3, 9, 27)]
    norm = sum(abs(a) for a, _, _ in waves) or 1
    out = []
    for (x1, y1), (x2, y2), c in zip(ring, ring[1:], adds):
        out.append((x1, y1))
        if c == 0:
            continue
        nx, ny = (y1 - y2), (x2 - x1)
        nl = math.hypot(nx, ny) or 1
        # at most a metre: the real outlines have slivers a few metres wide (clipped at a boundary, along rivers)
        gap = min(1.0, 0.2 * nl / (c + 1))
        for j in range(1, c + 1):
            k, f = len(out), j / (c + 1)
            wave = sum(a * math.sin(2 * math.pi * w * k / m + ph) for a, w, ph in waves) / norm
            d = gap * math.sin(math.pi * f) * wave
            out.append((x1 + f * (x2 - x1) + d * nx / nl, y1 + f * (y2 - y1) + d * ny / nl))
    return out + out[:1]


def polygon(rng, shape, n):
    """The shape with about n vertices in all, its rings sharing them by length (4 at least each); when n is
    too small for every ring, the largest part's outer ring alone."""
    rings = [r for poly in shape for r in poly]
    if n < 8 * len(rings):
        shape = [[max((poly[0] for poly in shape), key=perimeter)]]
        rings = shape[0]
    total = sum(perimeter(r) for r in rings) or 1
    free = n - len(rings)  # the closing vertices
    return [[resample(rng, r, max(3, round(free * perimeter(r) / total))) for r in poly] for poly in shape]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--count", type=int, default=0, help="records kept, at an even stride (default: all)")
    ap.add_argument("--seed", type=int, default=16)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    counts = vertex_counts(SHX)
    if args.count and args.count < len(counts):
        counts = [counts[i * len(counts) // args.count] for i in range(args.count)]
    ranked = sorted(counts)
    shapes = local_shapes(SHAPES)
    names = [n for n in dbf_column(NAMES, "NOM") if n]
    prefixes = sorted({i[:3] for i in dbf_column(NAMES, "ID_MNHN") if len(i) == 9 and i.isdigit()})
    lons, lats = [p[0] for p in MAINLAND], [p[1] for p in MAINLAND]
    box = (min(lons), min(lats), max(lons), max(lats))
    vertices = 0
    with open(args.out, "w", encoding="utf-8") as out:
        out.write('{"type": "FeatureCollection", "name": "znieff1", "features": [\n')
        for i, n in enumerate(counts):
            q = bisect.bisect_left(ranked, n) / len(ranked)
            at = min(len(shapes) - 1, max(0, round(q * (len(shapes) - 1)) + rng.randint(-3, 3)))
            shape = polygon(rng, shapes[at][1], n)
            scale, turn = math.exp(rng.uniform(-0.3, 0.3)), rng.uniform(0, 2 * math.pi)
            cos, sin = scale * math.cos(turn), scale * math.sin(turn)
            while True:
                lon0, lat0 = rng.uniform(box[0], box[2]), rng.uniform(box[1], box[3])
                if inside((lon0, lat0), MAINLAND):
                    break
            kx = M_PER_DEG_LAT * math.cos(math.radians(lat0))
            polys = []
            for poly in shape:
                rings = []
                for ring in poly:
                    rings.append("[" + ", ".join("[%.7f, %.7f]" % (lon0 + (x * cos - y * sin) / kx,
                                                                   lat0 + (x * sin + y * cos) / M_PER_DEG_LAT)
                                                 for x, y in ring) + "]")
                    vertices += len(ring)
                polys.append("[" + ", ".join(rings) + "]")
            geom = ('{"type": "Polygon", "coordinates": %s}' % polys[0] if len(polys) == 1
                    else '{"type": "MultiPolygon", "coordinates": [%s]}' % ", ".join(polys))
            props = {"ID_MNHN": "%s%06d" % (rng.choice(prefixes), i + 1), "ID_ORG": "%08d" % rng.randint(1, 99999999),
                     "NOM": names[rng.randrange(len(names))], "GENERATION": 2}
            out.write('%s{"type": "Feature", "properties": %s, "geometry": %s}\n'
                      % (", " if i else "", json.dumps(props, ensure_ascii=False), geom))
        out.write("]}\n")
    print("%s: %d polygons, %d vertices" % (args.out, len(counts), vertices))


if __name__ == "__main__":
    main()
