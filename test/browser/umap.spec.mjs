// uMap 3.8.1's own front end importing patrimap's maps, in Debian's chromium driven by playwright-core. Run by
// cmd/patrimap/umap_e2e_test.go (go test ./...), which builds the demo's store, exports its maps, serves
// patrimap (PATRIMAP_URL) and uMap's front end with stubs of its backend (UMAP_URL), and reads back what uMap
// saved:
//
//   UMAP_URL=… PATRIMAP_URL=… UMAP_CASES=cases.json UMAP_RESULTS=results.json UMAP_SCREENSHOTS=dir node test/browser/umap.spec.mjs
//
// For each map of UMAP_CASES: a new uMap map, the file through uMap's import panel ("Importer des données",
// format umap), then the checks (name, view, layers, feature counts, every popup as uMap renders it, the
// caption's counts, thematic legends and colours, no alert, no console error); for those marked "save", a move
// of the map and Save, and the saved map opened again. Only the two test servers answer: the base map's tiles are refused. One line per check; exit 1 if any
// failed.
import { chromium } from "playwright-core";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const UMAP = process.env.UMAP_URL;
const PATRIMAP = process.env.PATRIMAP_URL;
const OUT = process.env.UMAP_SCREENSHOTS;
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
if (!UMAP || !PATRIMAP || !OUT || !process.env.UMAP_CASES || !process.env.UMAP_RESULTS) {
  console.error("umap.spec.mjs: set UMAP_URL, PATRIMAP_URL, UMAP_CASES, UMAP_RESULTS and UMAP_SCREENSHOTS");
  process.exit(2);
}
const CASES = JSON.parse(fs.readFileSync(process.env.UMAP_CASES, "utf8"));
fs.mkdirSync(OUT, { recursive: true });

let failures = 0;
function check(name, ok, detail) {
  let d = detail ? String(detail).replace(/\s*\n\s*/g, " | ") : "";
  if (d.length > 600) d = d.slice(0, 597) + "…";
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${d ? ": " + d : ""}`);
  if (!ok) failures++;
  return ok;
}
async function step(name, fn) {
  const start = Date.now();
  try {
    return await fn();
  } catch (err) {
    check(name, false, (err && err.stack) || String(err));
  } finally {
    console.log(`info ${name}: ${((Date.now() - start) / 1000).toFixed(1)} s`);
  }
}

const profile = fs.mkdtempSync(path.join(os.tmpdir(), "patrimap-umap-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  viewport: { width: 1400, height: 900 },
  locale: "fr-FR",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
context.setDefaultTimeout(20000);
// Every alert uMap raises (components/alerts: "umap:alert" events), whatever the DOM keeps of them.
await context.addInitScript(() => {
  window.__alerts = [];
  for (const type of ["umap:alert", "umap:alertConflict", "umap:alertCreation"]) {
    document.addEventListener(type, (e) => window.__alerts.push({ level: e.detail.level, message: String(e.detail.message) }));
  }
});
const blocked = new Set();
await context.route("**/*", (route) => {
  const url = route.request().url();
  if (url.startsWith(UMAP + "/") || url.startsWith(PATRIMAP + "/")) return route.continue();
  blocked.add(new URL(url).origin);
  return route.abort("internetdisconnected");
});

function watch(page, label) {
  page.consoleErrors = [];
  page.on("console", (msg) => {
    if (msg.type() !== "error") return;
    const where = (msg.location() && msg.location().url) || "";
    // The base map's tiles, refused on purpose (no network in tests).
    if (/net::ERR_INTERNET_DISCONNECTED/.test(msg.text()) && !where.startsWith(UMAP) && !where.startsWith(PATRIMAP)) return;
    page.consoleErrors.push(`${label}: ${msg.text()} (${where})`);
  });
  page.on("pageerror", (err) => page.consoleErrors.push(`${label}: uncaught ${err.message}`));
  return page;
}

// uMap's panels and bars slide in (map.css: .with-transition, 300 ms, and later and longer on a loaded
// machine). A click during the slide can press the button and be released over the map once the button has
// moved on: the click event then goes to their common ancestor, and uMap never sees it (about one import in
// ten never started, without alert nor error, until this wait). Playwright's checks before a click do not
// catch it. So a click waits until the element is in place and its slide is over: no animation left on it,
// the condition uMap's own Panel.open waits for (getAnimations() updates styles first: a slide about to
// start counts).
async function slidIn(page, selector) {
  await page.waitForFunction((sel) => {
    const el = document.querySelector(sel);
    return el !== null && (!el.classList.contains("panel") || el.classList.contains("on")) && el.getAnimations().length === 0;
  }, selector, { polling: "raf" });
}

// The layers as uMap holds them, in the order of its layer list (rank).
async function layers(page) {
  return page.evaluate(() => U.MAP.layers.tree.root().reverse().map((dl) => ({
    name: dl.properties.name, type: dl.properties.type || "Default", features: dl.features.count(),
    remote: dl.isRemoteLayer(), loaded: dl.isLoaded(), visible: dl.isVisible(),
  })));
}

async function waitForLayers(page, c, timeout = 120000) {
  const want = c.layers.map((l) => l.features);
  try {
    await page.waitForFunction((want) => {
      if (!window.U || !U.MAP || !U.MAP.layers) return false;
      const got = U.MAP.layers.tree.root().reverse().map((dl) => dl.features.count());
      return got.length === want.length && got.every((n, i) => n === want[i]);
    }, want, { timeout, polling: 200 });
  } catch {
    /* the check below says what is missing */
  }
  return layers(page);
}

function compareLayers(label, got, c) {
  check(`${label}: ${c.layers.length} layers, in the file's order`, got.length === c.layers.length &&
    got.every((l, i) => l.name === c.layers[i].name), got.map((l) => l.name).join(" | "));
  const counts = got.map((l, i) => `${l.name}: ${l.features}/${c.layers[i] ? c.layers[i].features : "?"}`);
  check(`${label}: every layer holds the features patrimap sent (${c.layers.reduce((n, l) => n + l.features, 0)})`,
    got.length === c.layers.length && got.every((l, i) => l.features === c.layers[i].features && l.features > 0), counts.join(", "));
  check(`${label}: layer types`, got.every((l, i) => c.layers[i] && l.type === c.layers[i].type), got.map((l) => l.type).join(" "));
}

// Every feature's popup, as uMap renders it (rendering/template.js, the Default popup with the layer's
// popupContentTemplate): no line that is a label without a value, no empty title, italics or item.
async function checkPopups(page, label) {
  const res = await page.evaluate(async () => {
    const { default: loadTemplate } = await import("/static/umap/js/modules/rendering/template.js");
    const bad = [];
    let n = 0;
    const samples = {};
    // Laid out as in a popup (innerText splits lines only in the document), out of sight.
    const host = document.createElement("div");
    host.className = "leaflet-popup-content";
    host.style.cssText = "position:absolute;left:-5000px;top:0;width:300px";
    document.body.appendChild(host);
    for (const dl of U.MAP.layers.tree.root()) {
      for (const f of dl.features.all()) {
        const box = document.createElement("div");
        host.replaceChildren(box);
        await loadTemplate(f.getOption("popupTemplate"), f, box);
        n++;
        const lines = box.innerText.split("\n").map((s) => s.trim());
        const empty = lines.filter((s) => /:\s*$/.test(s) || /\b(undefined|null|NaN)\b/.test(s));
        const blank = [...box.querySelectorAll("h3,h4,h5,h6,em,strong,li,a")].filter((e) => !e.textContent.trim());
        if (empty.length || blank.length) bad.push(`${dl.properties.name} / ${f.properties.name}: ${JSON.stringify(empty)} ${blank.map((e) => "<" + e.tagName + ">").join("")}`);
        if (!samples[dl.properties.name]) samples[dl.properties.name] = lines.filter(Boolean).join(" ¦ ");
      }
    }
    host.remove();
    return { n, bad, samples };
  });
  check(`${label}: none of the ${res.n} popups has an empty line`, res.n > 0 && res.bad.length === 0, res.bad.slice(0, 5).join(" || "));
  return res.samples;
}

// The alerts uMap raised on page that are not good news (levels error, warning), and then the others.
async function alerts(page) {
  const all = await page.evaluate(() => window.__alerts || []);
  return {
    bad: all.filter((a) => a.level === "error" || a.level === "warning").map((a) => `${a.level}: ${a.message}`),
    other: all.filter((a) => a.level !== "error" && a.level !== "warning").map((a) => `${a.level}: ${a.message}`),
  };
}

async function view(page) {
  return page.evaluate(() => {
    const m = U.MAP.mapProxy.map;
    const c = m.getCenter();
    return { center: [c.lng, c.lat], zoom: m.getZoom(), bounds: m.getBounds().toBBoxString() };
  });
}

// Open one feature's popup per layer on the map (uMap's own view(): zoom to it, open its popup) and screenshot it.
async function openPopup(page, layerName, file) {
  const ok = await page.evaluate((name) => {
    const dl = U.MAP.layers.tree.root().find((d) => d.properties.name === name);
    const f = dl && dl.features.all().find((x) => x.properties.protection || x.properties.name);
    if (!f) return false;
    f.view();
    return true;
  }, layerName);
  if (!ok) return null;
  // A loaded machine can take tens of seconds to draw a big snapshot: the waits are generous, never the checks.
  const popup = page.locator(".leaflet-popup-content");
  await popup.waitFor({ timeout: 60000 });
  await page.waitForTimeout(500);
  await page.screenshot({ path: path.join(OUT, file) });
  return popup.innerText();
}

let last = Date.now();
function lap(what) { // timing of the parts of a step (the machine may be shared: the figures vary)
  const now = Date.now();
  if (process.env.UMAP_SPEC_TIMING) console.log(`info   ${what}: ${((now - last) / 1000).toFixed(1)} s`);
  last = now;
}

const results = [];
for (const [i, c] of CASES.entries()) {
  const slug = String(i + 1).padStart(2, "0");
  const label = c.label;
  const page = watch(await context.newPage(), label);
  const result = { label, mapURL: "", center: [0, 0], zoom: 0, checked: false };
  results.push(result);
  await step(`${label}: import`, async () => {
    await page.goto(UMAP + "/fr/map/new/");
    await page.waitForFunction(() => window.U && U.MAP && U.MAP.editEnabled && U.MAP.editBar);
    await slidIn(page, ".umap-edit-bar");
    await page.locator(".umap-edit-bar [data-ref=import]").click();
    await page.locator(".umap-import input[type=file]").setInputFiles(c.file);
    const format = await page.locator(".umap-import select[name=format]").inputValue();
    check(`${label}: uMap recognises a full map backup`, format === "umap", format);
    await page.locator(".umap-import select[name=format]").selectOption("umap");
    await slidIn(page, ".panel:has(.umap-import)");
    await page.locator(".umap-import input[name=submit]").click();
    // uMap says so as soon as it takes the file, before reading it (importer.js, full()).
    const taken = await page.waitForFunction(() => window.__alerts.some((a) => a.level === "success"), null, { timeout: 20000 })
      .then(() => true, () => false);
    check(`${label}: uMap takes the file (its "Data successfully imported!")`, taken, JSON.stringify(await page.evaluate(() => window.__alerts)));
    lap("open and import panel");
    const got = await waitForLayers(page, c);
    lap("layers loaded");
    compareLayers(`${label}: imported`, got, c);
    const name = await page.evaluate(() => U.MAP.properties.name);
    check(`${label}: the map takes the file's name`, name === c.name, name);
    const v = await view(page);
    check(`${label}: the map shows the file's centre and zoom`, v.zoom === c.zoom && Math.abs(v.center[0] - c.center[0]) < 1e-4 &&
      Math.abs(v.center[1] - c.center[1]) < 1e-4, `${JSON.stringify(v)} for ${c.center} z${c.zoom}`);
    lap("view");
    const samples = await checkPopups(page, `${label}: imported`);
    lap("popups");
    console.log(`info ${label}: popups as uMap renders them: ${Object.entries(samples).slice(0, 3).map(([k, v]) => k + " → " + v).join(" || ")}`);
    // The caption (uMap's "À propos" panel): the map's description counts what each layer holds, in French.
    await page.evaluate(() => { U.MAP.openCaption(); });
    await page.locator(".panel.on .umap-caption, .panel .umap-caption").first().waitFor({ timeout: 60000 });
    const caption = await page.locator(".panel .umap-caption").first().innerText();
    const miscount = c.layers.filter((l) => !caption.includes(`${l.name} (${l.features} objet`));
    check(`${label}: the caption counts what each layer holds`, miscount.length === 0, miscount.map((l) => `${l.name}: ${l.features}`).join(", ") || caption.split("\n").filter((l) => /objets ;/.test(l)).join(" "));
    check(`${label}: the caption and layer descriptions are in French`, !/imported from|importé de/i.test(caption) && /Importé par patrimap le/.test(caption), caption.slice(0, 300));
    await page.screenshot({ path: path.join(OUT, `${slug}-1-imported.png`) });
    await page.keyboard.press("Escape");
    lap("screenshot");
    const text = await openPopup(page, c.layers[c.layers.length - 2].name, `${slug}-2-popup.png`);
    lap("popup on the map");
    check(`${label}: a popup opened on the map`, text && text.length > 10, text);
    const a = await alerts(page);
    check(`${label}: uMap raises no error or warning alert`, a.bad.length === 0, a.bad.concat(a.other).join(" | "));
    result.checked = true;
  });
  if (c.layers.some((l) => l.type === "Categorized" || l.type === "Choropleth")) {
    await step(`${label}: thematic layers`, () => checkThematic(page, label, slug));
  }
  if (!c.save) {
    check(`${label}: no console error`, page.consoleErrors.length === 0, page.consoleErrors.join("\n"));
    await page.close();
    continue;
  }
  await step(`${label}: save`, async () => {
    // Move the map first: uMap's Save of a new map records the view on screen as the map's centre and zoom.
    lap("before the move");
    // A pan (not a zoom: no redraw of every outline); the evaluate returns nothing (a Leaflet map would be serialised).
    await page.evaluate(() => { U.MAP.mapProxy.map.panBy([400, -250], { animate: false }); });
    await page.waitForTimeout(300);
    const before = await view(page);
    lap("save: map moved");
    result.center = before.center;
    result.zoom = before.zoom;
    await Promise.all([
      page.waitForResponse((r) => r.url().endsWith("/fr/map/create/") && r.request().method() === "POST").then(() => lap("save: map created")),
      page.locator(".umap-main-edit-toolbox button.edit-save").click().then(() => lap("save: clicked")),
    ]);
    await page.waitForFunction(() => !U.MAP.isDirty, null, { timeout: 60000, polling: 200 });
    lap("save: layers saved");
    result.mapURL = await page.evaluate(() => location.pathname);
    check(`${label}: Save gives the map its page`, /^\/fr\/map\/carte_\d+$/.test(result.mapURL), result.mapURL);
    const a = await alerts(page);
    check(`${label}: Save raises no error or warning alert`, a.bad.length === 0, a.bad.concat(a.other).join(" | "));
  });
  await step(`${label}: reopen the saved map`, async () => {
    const again = watch(await context.newPage(), label + " (saved)");
    await again.goto(UMAP + result.mapURL);
    const got = await waitForLayers(again, c);
    compareLayers(`${label}: saved and opened again`, got, c);
    await checkPopups(again, `${label}: saved and opened again`);
    if (c.layers.some((l) => l.type === "Categorized" || l.type === "Choropleth")) await checkThematic(again, `${label}: saved and opened again`, slug + "-5");
    // The file's default view: "data" fits the layers whatever view was saved.
    await again.waitForTimeout(500);
    const v = await view(again);
    if (c.defaultView === "data") {
      const fits = await again.evaluate(() => {
        const m = U.MAP.mapProxy.map;
        let b = null;
        for (const dl of U.MAP.layers.tree.root()) {
          const x = dl.isVisible() && dl.features.count() ? dl.bounds : null; // [west, south, east, north]
          if (x) b = b ? [Math.min(b[0], x[0]), Math.min(b[1], x[1]), Math.max(b[2], x[2]), Math.max(b[3], x[3])] : x;
        }
        return b ? m.getBounds().pad(0.01).contains([[b[1], b[0]], [b[3], b[2]]]) : null;
      });
      check(`${label}: the saved map opens on its data (default view "data"), not on the view saved`,
        fits === true && (Math.abs(v.center[0] - result.center[0]) > 0.05 || v.zoom !== result.zoom), `${JSON.stringify(v)}, saved ${result.center} z${result.zoom}`);
    } else {
      check(`${label}: the saved map opens on the saved view`, Math.abs(v.center[0] - result.center[0]) < 1e-3 && v.zoom === result.zoom, JSON.stringify(v));
    }
    await again.screenshot({ path: path.join(OUT, `${slug}-4-saved-and-reopened.png`) });
    const a = await alerts(again);
    check(`${label}: the saved map raises no error or warning alert`, a.bad.length === 0, a.bad.concat(a.other).join(" | "));
    check(`${label}: no console error`, page.consoleErrors.length + again.consoleErrors.length === 0, page.consoleErrors.concat(again.consoleErrors).join("\n"));
    await again.close();
  });
  await page.close();
}

// Categorized: the legend lists the column's values with uMap's palette, and each marker wears its category's
// colour. Choropleth: a legend of numbers (never "NaN - NaN"), and every polygon filled with one of its colours.
async function checkThematic(page, label, slug) {
  await page.evaluate(() => { U.MAP.openCaption(); });
  await page.waitForTimeout(800);
  const legends = await page.evaluate(() => {
    const out = {};
    for (const dl of U.MAP.layers.tree.root()) {
      if (!["Categorized", "Choropleth"].includes(dl.properties.type)) continue;
      // The legend of the caption panel (uMap builds it in computed.caption and shows that node).
      const legend = dl.computed && dl.computed.caption && dl.computed.caption.isConnected ? [...dl.computed.caption.querySelectorAll("li")] : [];
      const entries = legend.map((li) => ({ label: li.textContent.trim(), colour: li.querySelector(".datalayer-color").style.backgroundColor }));
      const key = dl.properties.type === "Categorized" ? dl.properties.categorized.property : dl.properties.choropleth.property;
      // What Leaflet drew: each marker's icon colour, each outline's fill (rendering/ui.js keeps the feature's id).
      const drawn = [];
      for (const l of Object.values(U.MAP.mapProxy.map._layers)) {
        const f = l.geojson && dl.features.has(l.geojson.id) ? dl.features.get(l.geojson.id) : null;
        if (!f) continue;
        const colour = l._icon ? l._icon.querySelector(".icon-container").style.backgroundColor : l._path ? l._path.getAttribute("fill") : null;
        drawn.push({ value: f.properties[key], colour });
      }
      out[dl.properties.name] = { type: dl.properties.type, key, entries, drawn, features: dl.features.count() };
    }
    return out;
  });
  console.log("info legends " + JSON.stringify(Object.fromEntries(Object.entries(legends).map(([k, v]) => [k, v.entries]))));
  for (const [name, lg] of Object.entries(legends)) {
    if (lg.type === "Categorized") {
      const labels = lg.entries.map((e) => e.label);
      const values = [...new Set(lg.drawn.map((d) => d.value).filter((v) => v !== undefined))].sort((a, b) => a.localeCompare(b, "fr"));
      check(`${label}: ${name}: the legend lists the ${values.length} categories of ${lg.key}`, JSON.stringify(labels) === JSON.stringify(values), labels.join(" | "));
      const colourOf = Object.fromEntries(lg.entries.map((e) => [e.label, e.colour]));
      const wrong = lg.drawn.filter((d) => d.value !== undefined && norm(d.colour) !== norm(colourOf[d.value]));
      const valued = lg.drawn.filter((d) => d.value !== undefined).length;
      check(`${label}: ${name}: each of the ${valued} markers drawn with a ${lg.key} wears its category's colour (${lg.drawn.length} of ${lg.features} features drawn)`,
        lg.drawn.length === lg.features && wrong.length === 0 && new Set(lg.entries.map((e) => e.colour)).size === lg.entries.length,
        wrong.slice(0, 3).map((w) => `${w.value}: ${w.colour} vs ${colourOf[w.value]}`).join(", "));
    } else {
      const labels = lg.entries.map((e) => e.label);
      check(`${label}: ${name}: the choropleth legend reads numbers, never NaN`, labels.length >= 3 && labels.every((l) => /^[\d.]+ - [\d.]+$/.test(l)), labels.join(" | "));
      const colours = new Set(lg.entries.map((e) => norm(e.colour)));
      const off = lg.drawn.filter((d) => !colours.has(norm(d.colour)));
      check(`${label}: ${name}: each of the ${lg.drawn.length} outlines drawn is filled with a colour of the legend (${lg.features} features)`, lg.drawn.length === lg.features && off.length === 0, off.slice(0, 3).map((w) => `${w.value}: ${w.colour}`).join(", "));
    }
  }
  await page.screenshot({ path: path.join(OUT, `${slug}-3-legend.png`) });
}

function norm(c) {
  if (!c) return String(c);
  const m = /^rgb\((\d+),\s*(\d+),\s*(\d+)\)$/.exec(c);
  if (m) return "#" + m.slice(1).map((x) => Number(x).toString(16).padStart(2, "0")).join("");
  return c.toLowerCase();
}

fs.writeFileSync(process.env.UMAP_RESULTS, JSON.stringify(results));
console.log(`info requests refused (no network): ${[...blocked].join(", ") || "none"}`);
console.log(`info screenshots in ${OUT}`);
await context.close();
fs.rmSync(profile, { recursive: true, force: true });
process.exit(failures ? 1 : 0);
