// Checks opening_hours values with opening_hours.js (the evaluator OpenStreetMap's tools use). Run by
// importers/culture/hours's tests:
//
//   node test/node/opening-hours-check.mjs FILE.json
//
// FILE holds [{text, osm, rules, probes: [["2024-01-03T10:45", true], ...]}]: osm (the whole value, closures
// included) must parse without warnings; rules (the value without its annual closures) must be open exactly at
// the probes marked true. One line per failure; exit status 1 if any.
import fs from "node:fs";
import OpeningHours from "opening_hours";

const file = process.argv[2];
if (!file) {
  console.error("usage: node opening-hours-check.mjs FILE.json");
  process.exit(2);
}
const rows = JSON.parse(fs.readFileSync(file, "utf8"));
// Public holidays are those of France (Isère's région for the regional ones, which mainland France shares).
const where = { lat: 45.19, lon: 5.72, address: { country_code: "fr", state: "Auvergne-Rhône-Alpes" } };
let failures = 0, probes = 0;
function fail(row, msg) {
  failures++;
  if (failures <= 50) console.log(`FAIL ${JSON.stringify(row.osm)} (${row.text.slice(0, 80)}): ${msg}`);
}
for (const row of rows) {
  try {
    const oh = new OpeningHours(row.osm, where);
    const w = oh.getWarnings();
    if (w.length) fail(row, "warnings: " + w.join(" | "));
  } catch (err) {
    fail(row, "does not parse: " + String(err).split("\n")[0]);
    continue;
  }
  const oh = new OpeningHours(row.rules, where);
  for (const [when, open] of row.probes) {
    probes++;
    const [d, t] = when.split("T");
    const [y, m, dd] = d.split("-").map(Number);
    const [hh, mm] = t.split(":").map(Number);
    const got = oh.getState(new Date(y, m - 1, dd, hh, mm));
    if (got !== open) fail(row, `${when}: opening_hours.js says ${got ? "open" : "closed"}, the text says ${open ? "open" : "closed"}`);
  }
}
console.log(`${rows.length} values, ${probes} probes, ${failures} failures`);
process.exit(failures ? 1 : 0);
