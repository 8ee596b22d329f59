"""What QGIS (PyQGIS, headless) makes of patrimap: run by cmd/patrimap's TestQGIS with Debian's /usr/bin/python3.

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 test/qgis/load.py CASES.json RESULTS.json

CASES.json names the server, the collections, the store file, a downloaded GeoPackage, an MBTiles file and
where to write PNGs. The script loads each the way a user does (OGC API Features provider, vector tiles, the
GeoPackage and the store through OGR as the browser lists them) and writes, for the Go test to compare with the
server's own GeoJSON, every layer's validity, feature count, field types, every feature's values (dates in ISO
form, NULL as null) and bounding box, the sublayers QGIS offers, and the non-background pixels of renders. It
checks nothing itself: the assertions are the Go test's.
"""
import json
import os
import sys

from qgis.core import (Qgis, QgsApplication, QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsDirectoryItem,
                       QgsMapRendererSequentialJob, QgsMapSettings, QgsProject, QgsProviderRegistry, QgsRectangle,
                       QgsVectorLayer, QgsVectorTileLayer)
from qgis.PyQt.QtCore import QDate, QDateTime, QSize, QTime, QVariant
from qgis.PyQt.QtGui import QColor, QImage


def value(v):
    """A QGIS attribute as JSON: dates in ISO form, NULL as null."""
    if v is None or (isinstance(v, QVariant) and v.isNull()):
        return None
    if isinstance(v, QDate):
        return v.toString("yyyy-MM-dd") if v.isValid() else None
    if isinstance(v, QDateTime):
        return v.toString("yyyy-MM-ddTHH:mm:ss") if v.isValid() else None
    if isinstance(v, QTime):
        return v.toString("HH:mm:ss")
    if isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, list):
        return [value(e) for e in v]
    if isinstance(v, dict):
        return {k: value(e) for k, e in v.items()}
    return str(v)


def describe(layer, with_features=True):
    """A vector layer as the Go test reads it."""
    print("loaded", layer.name(), layer.source(), file=sys.stderr, flush=True)
    out = {"valid": layer.isValid(), "name": layer.name()}
    if not layer.isValid():
        provider = layer.dataProvider()
        out["error"] = layer.error().summary() or (provider.error().summary() if provider else "")
        return out
    out["count"] = layer.featureCount()
    out["fields"] = [[f.name(), f.typeName()] for f in layer.fields()]
    if with_features:
        names = layer.fields().names()
        feats = []
        for f in layer.getFeatures():
            b = f.geometry().boundingBox() if f.hasGeometry() else None
            feats.append({"attrs": {n: value(f[n]) for n in names},
                          "bbox": [b.xMinimum(), b.yMinimum(), b.xMaximum(), b.yMaximum()] if b else None})
        out["features"] = feats
    return out


def render(layer, extent84, png):
    """Renders layer over extent84 (lon/lat) in Web Mercator on white to png; returns the painted pixels."""
    print("rendering", layer.name(), file=sys.stderr, flush=True)
    settings = QgsMapSettings()
    merc = QgsCoordinateReferenceSystem("EPSG:3857")
    settings.setDestinationCrs(merc)
    tr = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4326"), merc, QgsProject.instance())
    settings.setExtent(tr.transformBoundingBox(QgsRectangle(*extent84)))
    settings.setOutputSize(QSize(512, 512))
    settings.setBackgroundColor(QColor(255, 255, 255))
    settings.setLayers([layer])
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    img = job.renderedImage().convertToFormat(QImage.Format_RGB32)
    img.save(png)
    white = QColor(255, 255, 255).rgb()
    painted = 0
    for y in range(img.height()):
        for x in range(0, img.width(), 2):
            if img.pixel(x, y) != white:
                painted += 1
    return {"png": png, "painted": painted, "sampled": img.height() * ((img.width() + 1) // 2),
            "errors": [e.message for e in job.errors()]}


def tiles(layer):
    print("loaded", layer.name(), layer.source(), file=sys.stderr, flush=True)
    out = {"valid": layer.isValid(), "name": layer.name()}
    if layer.isValid():
        out["minzoom"], out["maxzoom"] = layer.sourceMinZoom(), layer.sourceMaxZoom()
    return out


def main(cases_path, results_path):
    with open(cases_path, encoding="utf-8") as f:
        cases = json.load(f)
    app = QgsApplication([], False)
    app.initQgis()
    res = {"qgis": Qgis.QGIS_VERSION}

    # OGC API Features, as Layer > Add WFS / OGC API - Features Layer does.
    res["oapif"] = {}
    for cid in cases["collections"]:
        layer = QgsVectorLayer("url='%s' typename='%s'" % (cases["url"], cid), cid, "OAPIF")
        res["oapif"][cid] = describe(layer)
        if cid == cases["render"]:
            res["oapif_render"] = render(layer, cases["extent"], cases["png_dir"] + "/oapif-%s.png" % cid)

    # The store file: what the browser shows under it and what Add Vector Layer offers (the same OGR list).
    res["store"] = {"sublayers": [d.name() for d in QgsProviderRegistry.instance().querySublayers(cases["store"])],
                    "browser": [], "layers": {}}
    folder = QgsDirectoryItem(None, "folder", cases["store_dir"])
    for item in folder.createChildren():
        if item.path().endswith(cases["store_name"]) or item.name() == cases["store_name"]:
            res["store"]["browser"] = [c.name() for c in item.createChildren()]
    for d in QgsProviderRegistry.instance().querySublayers(cases["store"]):
        res["store"]["layers"][d.name()] = describe(QgsVectorLayer(d.uri(), d.name(), d.providerKey()))

    # A downloaded GeoPackage.
    gpkg = QgsVectorLayer(cases["gpkg"], "gpkg", "ogr")
    res["gpkg"] = describe(gpkg)
    res["gpkg"]["sublayers"] = [d.name() for d in QgsProviderRegistry.instance().querySublayers(cases["gpkg"])]

    # The server's vector tiles, as Vector Tiles > New Generic Connection does, and an MBTiles export.
    vt = QgsVectorTileLayer("type=xyz&url=%s&zmin=0&zmax=14" % cases["tiles"], "tiles")
    res["tiles"] = tiles(vt)
    if vt.isValid():
        res["tiles"]["render"] = render(vt, cases["extent"], cases["png_dir"] + "/tiles.png")
    mb = QgsVectorTileLayer("type=mbtiles&url=%s" % cases["mbtiles"], "mbtiles")
    res["mbtiles"] = tiles(mb)
    if mb.isValid():
        res["mbtiles"]["render"] = render(mb, cases["extent"], cases["png_dir"] + "/mbtiles.png")

    with open(results_path, "w", encoding="utf-8") as f:
        json.dump(res, f, ensure_ascii=False)
    print("results written", file=sys.stderr, flush=True)
    # QGIS 3.22's exitQgis() crashes now and then (SIGSEGV) tearing down the OAPIF and vector tile providers'
    # network threads; the results are written, so the process ends here without that teardown.
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
