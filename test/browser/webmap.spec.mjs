// End-to-end test of patrimap's web map in Debian's chromium, driven by playwright-core. Run by
// cmd/patrimap/webmap_e2e_test.go (go test ./...), which imports the fixtures and starts the server:
//
//   PATRIMAP_URL=http://127.0.0.1:PORT PATRIMAP_SCREENSHOTS=/some/dir node test/browser/webmap.spec.mjs
//
// Every request that is not to PATRIMAP_URL is aborted: the page must work with no network. The script prints
// one line per check and exits 1 if any failed.
import { chromium } from "playwright-core";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const BASE = process.env.PATRIMAP_URL;
const OUT = process.env.PATRIMAP_SCREENSHOTS;
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
if (!BASE || !OUT) {
  console.error("webmap.spec.mjs: set PATRIMAP_URL (the server) and PATRIMAP_SCREENSHOTS (a folder for the screenshots)");
  process.exit(2);
}
fs.mkdirSync(OUT, { recursive: true });

let failures = 0;
function check(name, ok, detail) {
  let d = detail ? String(detail).replace(/\s*\n\s*/g, " | ") : "";
  if (d.length > 400 && ok) d = d.slice(0, 397) + "…";
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${d ? ": " + d : ""}`);
  if (!ok) failures++;
  return ok;
}
async function step(name, fn) {
  try {
    await fn();
  } catch (err) {
    check(name, false, (err && err.stack) || String(err));
  }
}

const blocked = [];
const consoleErrors = [];
const tileResponses = [];

const profile = fs.mkdtempSync(path.join(os.tmpdir(), "patrimap-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  viewport: { width: 1280, height: 800 },
  acceptDownloads: true,
  locale: "fr-FR",
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
  ],
});

// No network: only the test server answers.
await context.route("**/*", (route) => {
  const url = route.request().url();
  if (url.startsWith(BASE + "/") || url === BASE) return route.continue();
  blocked.push(url);
  return route.abort("internetdisconnected");
});

function watch(page, label) {
  page.on("console", (msg) => {
    if (msg.type() !== "error") return;
    const where = (msg.location() && msg.location().url) || "";
    // The browser's own notice that a request we blocked on purpose (the base map, off the test server) failed.
    if (/^Failed to load resource: net::ERR_INTERNET_DISCONNECTED/.test(msg.text()) && where && !where.startsWith(BASE)) return;
    consoleErrors.push(`${label}: ${msg.text()} (${where})`);
  });
  page.on("pageerror", (err) => consoleErrors.push(`${label}: uncaught ${err.message}`));
  page.on("response", (res) => {
    if (/\/tiles\/[^/]+\/\d+\/\d+\/\d+\.mvt/.test(res.url())) tileResponses.push({ url: res.url(), status: res.status() });
  });
  return page;
}

async function ready(pageOrFrame) {
  await pageOrFrame.waitForFunction(() => document.body.dataset.ready, null, { timeout: 30000 });
  const state = await pageOrFrame.evaluate(() => document.body.dataset.ready);
  if (state !== "true") throw new Error("the page says it failed: " + (await pageOrFrame.evaluate(() => (document.getElementById("map-status") || {}).textContent)));
  await idle(pageOrFrame);
}
async function idle(pageOrFrame) {
  await pageOrFrame.evaluate(() => window.patrimap.idle());
}
async function shot(page, name, locator) {
  const file = path.join(OUT, name + ".png");
  const buf = locator ? await locator.screenshot({ path: file }) : await page.screenshot({ path: file });
  return buf;
}

// Pixel comparison in a helper page (no PNG decoder needed in node): the share of pixels that differ.
const helper = await context.newPage();
async function diff(a, b) {
  return helper.evaluate(async ([a, b]) => {
    async function load(b64) {
      const img = new Image();
      img.src = "data:image/png;base64," + b64;
      await img.decode();
      const c = document.createElement("canvas");
      c.width = img.width; c.height = img.height;
      const g = c.getContext("2d");
      g.drawImage(img, 0, 0);
      return g.getImageData(0, 0, c.width, c.height);
    }
    const [x, y] = [await load(a), await load(b)];
    if (x.width !== y.width || x.height !== y.height) return 1;
    let n = 0;
    for (let i = 0; i < x.data.length; i += 4) {
      if (Math.abs(x.data[i] - y.data[i]) + Math.abs(x.data[i + 1] - y.data[i + 1]) + Math.abs(x.data[i + 2] - y.data[i + 2]) > 30) n++;
    }
    return n / (x.width * x.height);
  }, [a.toString("base64"), b.toString("base64")]);
}
async function colours(b64) { // how many distinct colours an image has (a blank export has one or two)
  return helper.evaluate(async (b64) => {
    const img = new Image();
    img.src = "data:image/png;base64," + b64;
    await img.decode();
    const c = document.createElement("canvas");
    c.width = img.width; c.height = img.height;
    const g = c.getContext("2d");
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set();
    for (let i = 0; i < d.length; i += 4 * 97) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    return { width: img.width, height: img.height, colours: seen.size };
  }, b64);
}

// Every control has an accessible name, as chromium computes it (the accessibility tree, not our guess).
const CONTROL_ROLES = new Set(["button", "checkbox", "slider", "combobox", "textbox", "searchbox", "spinbutton",
  "link", "radio", "switch", "menuitem", "tab", "listbox", "option"]);
async function unlabelled(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Accessibility.enable");
  const { nodes } = await cdp.send("Accessibility.getFullAXTree");
  await cdp.detach();
  const bad = [];
  let n = 0;
  for (const node of nodes) {
    const role = node.role && node.role.value;
    if (node.ignored || !CONTROL_ROLES.has(role)) continue;
    n++;
    const name = (node.name && node.name.value || "").trim();
    if (!name) bad.push(role + (node.backendDOMNodeId ? " #" + node.backendDOMNodeId : ""));
  }
  return { n, bad };
}
async function checkLabels(page, label) {
  const { n, bad } = await unlabelled(page);
  check(`${label}: all ${n} controls have an accessible name`, n > 0 && bad.length === 0, bad.join(", "));
}

const TITLES = ["Réserves naturelles nationales", "Arrêtés de protection de biotope", "Monuments historiques (Mérimée) (Isère)"];
const page = watch(await context.newPage(), "map");

await step("map page", async () => {
  await page.goto(BASE + "/", { waitUntil: "domcontentloaded" });
  await ready(page);
  await shot(page, "01-map-page");
  const panel = await page.locator("#layers").innerText();
  for (const t of TITLES) check(`the panel lists “${t}”`, panel.includes(t));
  const themes = await page.locator("#layers .theme h2").allInnerTexts();
  check("layers are grouped by theme with counts", themes.some((t) => /Patrimoine naturel.*7 couches/.test(t)) &&
    themes.some((t) => /Patrimoine culturel.*2 couches.*353 objets/.test(t)), themes.join(" | "));
  await page.waitForFunction(() => /non localisés/.test(document.querySelector('[data-dataset="merimee-isere"]').textContent), null, { timeout: 10000 });
  check("the unplaced Mérimée rows are counted", /4 non localisés/.test(await page.locator('[data-dataset="merimee-isere"]').innerText()));
  const ok = tileResponses.filter((r) => r.status === 200);
  check("the map reads patrimap's vector tiles", ok.length > 0, `${ok.length} tiles with content, ${tileResponses.length} requested`);
  const swatch = await page.evaluate(() => getComputedStyle(document.querySelector('[data-dataset="rnn-isere"] .swatch')).borderTopColor);
  const layerColour = await page.evaluate(() => window.patrimap.map.getPaintProperty("rnn-isere:line", "line-color"));
  check("the legend colour is the map's colour", swatch.replace(/\s/g, "") === hexToRGB(layerColour), `${swatch} vs ${layerColour}`);
  const sources = await page.locator("#sources").innerText();
  check("the visible layers' attribution and licence are shown", sources.includes("Licence Ouverte 2.0") && sources.includes("Ministère de la Culture"), sources);
  const attribution = await page.locator(".maplibregl-ctrl-attrib").innerText();
  check("the map's attribution names the layer sources", attribution.includes("Ministère de la Culture"), attribution);
  const base = await page.locator("#base-status").innerText();
  check("offline, the base map is replaced by a plain background (and says so)", /injoignable/.test(base), base);
  await checkLabels(page, "map page");
});

const canvas = page.locator("#map canvas.maplibregl-canvas");

// The attribution, as MapLibre's own control shows it (compact): the demo's nine layers come from three
// producers under one licence, so three lines, not nine; shown small when the map opens, folded into its button
// at the first move, unfolded by the button.
await step("the attribution: one line per producer and licence, compact", async () => {
  const attrib = page.locator(".maplibregl-ctrl-attrib");
  const entries = async () => (await page.locator(".maplibregl-ctrl-attrib-inner").innerText()).split("|").map((e) => e.trim()).filter(Boolean);
  const shown = await page.evaluate(() => window.patrimap.state.datasets.filter((d) => d.visible).map((d) => d.producer + " / " + (d.licence || "")));
  const groups = new Set(shown);
  const lines = await entries();
  check(`the demo's ${shown.length} layers make ${lines.length} attribution lines, one per producer and licence (${groups.size})`,
    shown.length === 9 && lines.length === groups.size && groups.size === 3, lines.join(" | "));
  check("each line names its licence", lines.every((l) => /– Licence Ouverte 2\.0$/.test(l)), lines.join(" | "));
  check("the INPN is credited once, with its full name", lines.filter((l) => l.includes("INPN")).length === 1 &&
    lines.some((l) => l.startsWith("Source : INPN – MNHN/PatriNat (OFB-MNHN-CNRS-IRD) – ")), lines.join(" | "));
  const map = await canvas.boundingBox();
  let box = await attrib.boundingBox();
  const share = (box.width * box.height) / (map.width * map.height);
  check("at opening it covers little of the map (nine lines took 16 % of it before they were grouped)", share < 0.06 && box.height / map.height < 0.08,
    `${Math.round(box.width)}×${Math.round(box.height)} px on a ${Math.round(map.width)}×${Math.round(map.height)} px map: ${(share * 100).toFixed(1)} % of its area, ${(box.height / map.height * 100).toFixed(1)} % of its height`);
  await shot(page, "01b-attribution-at-opening", page.locator(".maplibregl-ctrl-bottom-right"));
  check("it is MapLibre's compact attribution", await attrib.evaluate((e) => e.classList.contains("maplibregl-compact")));
  // A drag, as a user pans: MapLibre folds it.
  await page.mouse.move(map.x + map.width / 2, map.y + map.height / 2);
  await page.mouse.down();
  await page.mouse.move(map.x + map.width / 2 - 60, map.y + map.height / 2 - 30, { steps: 5 });
  await page.mouse.up();
  await page.waitForFunction(() => !document.querySelector(".maplibregl-ctrl-attrib").classList.contains("maplibregl-compact-show"), null, { timeout: 5000 });
  box = await attrib.boundingBox();
  check("the first move folds it into its button", box.height <= 32 && box.width <= 40, `${Math.round(box.width)}×${Math.round(box.height)} px`);
  await shot(page, "01c-attribution-folded", page.locator(".maplibregl-ctrl-bottom-right"));
  const button = page.locator(".maplibregl-ctrl-attrib-button");
  check("its button is named in French", (await button.getAttribute("aria-label")) === "Afficher ou masquer les sources");
  await button.click();
  await page.waitForFunction(() => document.querySelector(".maplibregl-ctrl-attrib").classList.contains("maplibregl-compact-show"), null, { timeout: 5000 });
  box = await attrib.boundingBox();
  check("its button unfolds it again, with the same lines", box.height > 10 && (await entries()).join("|") === lines.join("|"), (await entries()).join(" | "));
  await idle(page);
});

function hexToRGB(h) {
  const n = parseInt(h.slice(1), 16);
  return `rgb(${n >> 16},${(n >> 8) & 255},${n & 255})`;
}

await step("toggling a layer changes the rendered pixels", async () => {
  const before = await shot(page, "02-all-layers", canvas);
  await page.focus("#layer-merimee-isere");
  await page.keyboard.press("Space"); // keyboard, as a keyboard user would
  check("the checkbox is unchecked by the keyboard", !(await page.locator("#layer-merimee-isere").isChecked()));
  await idle(page);
  const without = await shot(page, "03-without-merimee", canvas);
  const d1 = await diff(before, without);
  check("hiding Mérimée changes the rendered pixels", d1 > 0.001, `${(d1 * 100).toFixed(2)} % of the pixels changed`);
  await page.waitForFunction(() => /layers=[^&]*/.test(location.hash) && !/merimee/.test(location.hash.match(/layers=[^&]*/)[0]), null, { timeout: 5000 });
  check("the URL (permalink) drops the hidden layer", true, await page.evaluate(() => location.hash));
  await page.locator("#layer-merimee-isere").check();
  await idle(page);
  const again = await shot(page, "04-merimee-again", canvas);
  const d2 = await diff(before, again);
  check("showing it again restores the map", d2 < d1 / 10, `${(d2 * 100).toFixed(3)} % differ from the first view`);
});

await step("clicking a feature opens its popup", async () => {
  const target = await page.evaluate(() => {
    const m = window.patrimap.map;
    const c = m.getCanvas();
    const w = c.clientWidth, h = c.clientHeight;
    for (const f of m.queryRenderedFeatures({ layers: ["merimee-isere:point"] })) {
      const p = m.project(f.geometry.coordinates);
      if (p.x < 80 || p.y < 80 || p.x > w - 80 || p.y > h - 80) continue;
      const here = m.queryRenderedFeatures([[p.x - 4, p.y - 4], [p.x + 4, p.y + 4]], { layers: ["merimee-isere:point"] });
      if (here.length === 1 && f.properties.name) return { x: p.x, y: p.y, name: f.properties.name };
    }
    return null;
  });
  if (!check("a Mérimée point is on screen", !!target)) return;
  const box = await canvas.boundingBox();
  await page.mouse.click(box.x + target.x, box.y + target.y);
  const popup = page.locator(".maplibregl-popup");
  await popup.waitFor({ timeout: 5000 });
  const text = await popup.innerText();
  check(`the popup names “${target.name}”`, text.includes(target.name), text.slice(0, 200));
  check("the popup links to the source sheet (POP)", (await popup.locator('a:text("Fiche source")').count()) > 0);
  check("the popup shows the kind", /Nature : monument historique/.test(text));
  await shot(page, "05-popup");
  await checkLabels(page, "map page with a popup");
  await page.keyboard.press("Escape");
  check("Escape closes the popup", (await page.locator(".maplibregl-popup").count()) === 0);
});

await step("at low zoom, a group of nearby sites says how many it holds", async () => {
  const view = await page.evaluate(() => { const m = window.patrimap.map; return { c: m.getCenter(), z: m.getZoom() }; });
  await page.evaluate(() => window.patrimap.map.jumpTo({ center: [5.6, 45.3], zoom: 7 }));
  await idle(page);
  const target = await page.evaluate(() => {
    const m = window.patrimap.map;
    const c = m.getCanvas();
    const w = c.clientWidth, h = c.clientHeight;
    for (const f of m.queryRenderedFeatures({ layers: ["merimee-isere:point"] })) {
      if (f.properties.point_count === undefined) continue;
      const p = m.project(f.geometry.coordinates);
      if (p.x < 80 || p.y < 80 || p.x > w - 80 || p.y > h - 80) continue;
      const here = m.queryRenderedFeatures([[p.x - 4, p.y - 4], [p.x + 4, p.y + 4]], { layers: ["merimee-isere:point"] });
      if (here.length === 1) return { x: p.x, y: p.y, n: Number(f.properties.point_count) };
    }
    return null;
  });
  if (check("a group of Mérimée sites is on screen at z7", !!target)) {
    const box = await canvas.boundingBox();
    await page.mouse.click(box.x + target.x, box.y + target.y);
    const popup = page.locator(".maplibregl-popup");
    await popup.waitFor({ timeout: 5000 });
    const text = await popup.innerText();
    check(`the popup says the group holds ${target.n} sites`, text.includes(`${target.n.toLocaleString("fr-FR")} sites ici`), text.slice(0, 200));
    await page.keyboard.press("Escape");
  }
  await page.evaluate((v) => window.patrimap.map.jumpTo({ center: v.c, zoom: v.z }), view);
  await idle(page);
});

await step("search by name", async () => {
  await page.fill("#search-input", "chateau");
  await page.locator("#search-results button").first().waitFor({ timeout: 10000 });
  const first = await page.locator("#search-results button .result-name").first().innerText();
  check("searching “chateau” finds a Château (accents ignored)", /ch[âa]teau/i.test(first), first);
  await page.locator("#search-results button").first().focus();
  await page.keyboard.press("Enter");
  const popup = page.locator(".maplibregl-popup", { hasText: first });
  await popup.waitFor({ timeout: 10000 });
  check("choosing a result opens its popup", (await popup.innerText()).includes(first));
  await idle(page);
  await shot(page, "06-search");
});

await step("zoom to a dataset, opacity and permalink", async () => {
  await page.locator('[data-dataset="rnn-isere"] button').first().click();
  await page.waitForFunction(() => !window.patrimap.map.isMoving(), null, { timeout: 5000 });
  await idle(page);
  const fit = await page.evaluate(() => {
    const d = window.patrimap.state.datasets.find((x) => x.id === "rnn-isere");
    const b = window.patrimap.map.getBounds();
    return { bbox: d.bbox, view: b.toArray(), contains: b.contains([d.bbox[0], d.bbox[1]]) && b.contains([d.bbox[2], d.bbox[3]]),
      share: Math.max((d.bbox[2] - d.bbox[0]) / (b.getEast() - b.getWest()), (d.bbox[3] - d.bbox[1]) / (b.getNorth() - b.getSouth())) };
  });
  check("“Zoomer” fits the dataset's extent", fit.contains && fit.share > 0.6, JSON.stringify(fit));
  await page.focus("#layer-apb-isere-opacity");
  await page.keyboard.press("Home");
  await page.waitForFunction(() => /opacity=[^&]*apb-isere:0/.test(location.hash), null, { timeout: 5000 });
  const link = await page.evaluate(() => location.href);
  check("the URL holds centre, zoom, layers and opacity", /map=[\d.]+\/[\d.]+\/[\d.]+/.test(link) && /layers=/.test(link) && /opacity=/.test(link), link);
  const again = watch(await context.newPage(), "permalink");
  await again.goto(link);
  await ready(again);
  const restored = await again.evaluate(() => {
    const m = window.patrimap.map;
    return { zoom: m.getZoom(), value: document.getElementById("layer-apb-isere-opacity").value };
  });
  const z = Number(/map=([\d.]+)/.exec(link)[1]);
  check("the permalink restores the view and the opacity", Math.abs(restored.zoom - z) < 0.01 && restored.value === "0", JSON.stringify(restored));
  await again.close();
  await page.focus("#layer-apb-isere-opacity");
  await page.keyboard.press("End");
});

await step("share dialog and embed in an iframe", async () => {
  await page.click("#share-button");
  const dlg = page.locator("#share-dialog");
  await dlg.waitFor({ state: "visible" });
  const code = await page.locator("#share-snippet").inputValue();
  check("the share dialog gives an <iframe> snippet", /^<iframe src="http[^"]+\/embed\?datasets=[^"]+&amp;bbox=/.test(code), code);
  await checkLabels(page, "share dialog");
  await shot(page, "07-share-dialog");
  await page.keyboard.press("Escape");
  check("Escape closes the dialog", !(await dlg.isVisible()));

  const host = watch(await context.newPage(), "host page");
  await host.goto(BASE + "/healthz"); // any page of the server, for an http origin
  await host.setContent(`<!doctype html><html lang="fr"><body><h1>Pays d'art et d'histoire</h1>${code}</body></html>`);
  const frame = await (await host.waitForSelector("iframe")).contentFrame();
  await frame.waitForFunction(() => location.pathname === "/embed" && document.body && document.body.dataset.mode === "embed", null, { timeout: 10000 });
  check("the snippet loads /embed in an iframe", frame.url().includes("/embed?datasets="), frame.url());
  await ready(frame);
  const n = await frame.evaluate(() => window.patrimap.map.queryRenderedFeatures().length);
  check("the embedded map renders the layers", n > 0, `${n} features rendered`);
  const legend = await frame.locator("#legend").innerText();
  check("the embedded map has its legend", TITLES.every((t) => legend.includes(t)), legend);
  await shot(host, "08-embed-iframe");
  await host.close();
  const direct = watch(await context.newPage(), "embed page");
  await direct.goto(frame.url());
  await ready(direct);
  await checkLabels(direct, "embed page");
  await direct.close();
});

await step("PNG export at print resolution", async () => {
  const css = await canvas.boundingBox();
  const [download] = await Promise.all([page.waitForEvent("download", { timeout: 30000 }), page.click("#png-button")]);
  const file = path.join(OUT, "09-export-" + download.suggestedFilename());
  await download.saveAs(file);
  const buf = fs.readFileSync(file);
  const png = buf.length > 24 && buf.toString("latin1", 1, 4) === "PNG";
  check("the PNG export downloads a PNG", png, `${buf.length} bytes in ${file}`);
  const info = await colours(buf.toString("base64"));
  check("the PNG is at print resolution (≥ 2× the view)", info.width >= 2 * Math.floor(css.width), `${info.width}×${info.height} for a ${css.width}×${css.height} view`);
  check("the PNG is not empty (many colours)", info.colours > 8, `${info.colours} colours sampled`);
  const after = await page.evaluate(() => window.patrimap.map.getPixelRatio());
  check("the map returns to screen resolution", after === 1, String(after));
});

await step("dataset sheet", async () => {
  const sheet = watch(await context.newPage(), "sheet");
  await sheet.goto(BASE + "/datasets/merimee-isere");
  await ready(sheet);
  const text = await sheet.locator("main").innerText();
  check("the sheet shows title, producer and licence", text.includes("Monuments historiques (Mérimée)") && text.includes("Ministère de la Culture") && text.includes("Licence Ouverte 2.0"));
  check("the sheet lists the fields with their types", /insee_codes\s+json/.test(text));
  check("the sheet shows the import report", /329\s+lus/.test(text) && /4\s+sans position/.test(text), text.match(/\d+ lus.*$/m)?.[0]);
  const links = await sheet.locator(".downloads a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  check("the sheet offers the downloads", ["/datasets/merimee-isere.geojson", "/datasets/merimee-isere.csv", "/umap/datasets/merimee-isere.umap"].every((h) => links.includes(h)), links.join(" "));
  const n = await sheet.evaluate(() => window.patrimap.map.queryRenderedFeatures().length);
  check("the sheet's small map shows the dataset", n > 0, `${n} features`);
  await shot(sheet, "10-dataset-sheet");
  await checkLabels(sheet, "dataset sheet");
  await sheet.close();
});

await step("English", async () => {
  const en = watch(await context.newPage(), "english");
  await en.goto(BASE + "/?lang=en");
  await ready(en);
  const themes = await en.locator("#layers .theme h2").allInnerTexts();
  check("?lang=en shows the map in English", themes.some((t) => t.startsWith("Natural heritage")) && (await en.evaluate(() => document.documentElement.lang)) === "en", themes.join(" | "));
  check("the language toggle leads back to French", (await en.locator("#lang-switch").innerText()) === "Français");
  const lines = (await en.locator(".maplibregl-ctrl-attrib-inner").innerText()).split("|").map((e) => e.trim()).filter(Boolean);
  check("the attribution reads in English, one line per producer and licence", lines.length === 3 && lines.every((l) => l.startsWith("Source: ")) &&
    (await en.locator(".maplibregl-ctrl-attrib-button").getAttribute("aria-label")) === "Show or hide the sources", lines.join(" | "));
  await checkLabels(en, "map page in English");
  await en.close();
});

await step("phone", async () => {
  const phone = watch(await context.newPage(), "phone");
  await phone.setViewportSize({ width: 390, height: 800 });
  await phone.goto(BASE + "/");
  await ready(phone);
  check("on a phone the panel starts hidden", !(await phone.locator("#layers").isVisible()));
  await shot(phone, "11-phone-map");
  await phone.click("#panel-toggle");
  await phone.locator("#layer-merimee-isere").waitFor({ state: "visible" });
  await phone.waitForTimeout(400); // the panel slides in (0.2 s)
  check("the “Couches” button opens the panel", await phone.locator("#layer-merimee-isere").isVisible());
  await shot(phone, "12-phone-panel");
  await checkLabels(phone, "phone");
  await phone.close();
});

check("no console errors", consoleErrors.length === 0, consoleErrors.join("\n  "));
const offsite = [...new Set(blocked.map((u) => new URL(u).origin))];
console.log(`info blocked ${blocked.length} request(s) off the test server: ${offsite.join(", ") || "none"}`);
console.log(`info screenshots in ${OUT}`);
await context.close();
fs.rmSync(profile, { recursive: true, force: true });
process.exit(failures ? 1 : 0);
