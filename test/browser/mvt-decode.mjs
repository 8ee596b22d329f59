// Decodes vector tiles with @mapbox/vector-tile, the decoder MapLibre GL JS uses, and prints them as JSON:
//   node test/browser/mvt-decode.mjs FILE.mvt...
// prints {"FILE.mvt": {"layer": {"extent": 4096, "features": [{"id", "type", "properties", "rings"}]}}}.
// Called by the Go tests (server/tiles_test.go); exits non-zero on a tile it cannot decode.
import { readFileSync } from 'node:fs';
import { VectorTile } from '@mapbox/vector-tile';
import Pbf from 'pbf';

const out = {};
for (const file of process.argv.slice(2)) {
  const tile = new VectorTile(new Pbf(readFileSync(file)));
  const layers = {};
  for (const [name, layer] of Object.entries(tile.layers)) {
    const features = [];
    for (let i = 0; i < layer.length; i++) {
      const f = layer.feature(i);
      features.push({
        id: f.id,
        type: ['Unknown', 'Point', 'LineString', 'Polygon'][f.type],
        properties: f.properties,
        rings: f.loadGeometry().map((ring) => ring.map((p) => [p.x, p.y])),
      });
    }
    layers[name] = { extent: layer.extent, version: layer.version, features };
  }
  out[file] = layers;
}
process.stdout.write(JSON.stringify(out));
