// End-to-end test of the territory dossier's page in Debian's chromium, driven by playwright-core. Run by
// cmd/patrimap/dossier_e2e_test.go, which imports the bundled Isère data, starts the server and then compares
// every figure this script reads off the page with its own SQL on the store:
//
//   PATRIMAP_URL=http://127.0.0.1:PORT PATRIMAP_SCREENSHOTS=/dir PATRIMAP_FIGURES=/file.json \
//   PATRIMAP_DOSSIERS=dep:38,epci:200040715 node test/browser/dossier.spec.mjs
//
// Every request off PATRIMAP_URL is aborted. The script prints one line per check, writes the figures it read
// ({spec: {key: [{value, text}]}}) to PATRIMAP_FIGURES, and exits 1 if a check failed.
import { chromium } from "playwright-core";
import OpeningHours from "opening_hours";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const BASE = process.env.PATRIMAP_URL;
const OUT = process.env.PATRIMAP_SCREENSHOTS;
const FIGURES = process.env.PATRIMAP_FIGURES;
const SPECS = (process.env.PATRIMAP_DOSSIERS || "").split(",").filter(Boolean);
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
if (!BASE || !OUT || !FIGURES || !SPECS.length) {
  console.error("dossier.spec.mjs: set PATRIMAP_URL, PATRIMAP_SCREENSHOTS, PATRIMAP_FIGURES and PATRIMAP_DOSSIERS");
  process.exit(2);
}
fs.mkdirSync(OUT, { recursive: true });

let failures = 0;
function check(name, ok, detail) {
  let d = detail === undefined ? "" : String(detail).replace(/\s*\n\s*/g, " | ");
  if (d.length > 500) d = d.slice(0, 497) + "…";
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${d ? ": " + d : ""}`);
  if (!ok) failures++;
  return ok;
}

const profile = fs.mkdtempSync(path.join(os.tmpdir(), "patrimap-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM, headless: true, viewport: { width: 1100, height: 900 }, locale: "fr-FR",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--use-angle=swiftshader", "--enable-unsafe-swiftshader"],
});
const blocked = [];
await context.route("**/*", (route) => {
  const url = route.request().url();
  if (url.startsWith(BASE + "/") || url.startsWith("data:") || url.startsWith("blob:")) return route.continue();
  blocked.push(url);
  return route.abort("internetdisconnected");
});

// Numbers as the page writes them: "12 345", "1 873", "4,3" (French), "12,345", "4.3" (English).
function parseShown(text, lang) {
  let t = text.replace(/[\s\u202f\u00a0]/g, "");
  t = lang === "en" ? t.replace(/,/g, "") : t.replace(",", ".");
  return Number(t);
}
function expectedShown(key, value) {
  const v = Number(value);
  if (/ha/.test(key) || /^area-ha:/.test(key)) return v < 10 ? Math.round(v * 10) / 10 : Math.round(v);
  return v;
}

const figures = {};
for (const spec of SPECS) {
  // French for every dossier, English for the last (the same page in other words).
  for (const lang of spec === SPECS[SPECS.length - 1] ? ["fr", "en"] : ["fr"]) {
    const page = await context.newPage();
    const errors = [];
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text() + " (" + ((m.location() || {}).url || "") + ")"); });
    page.on("pageerror", (e) => errors.push("uncaught " + e.message));
    const label = `${spec} ${lang}`;
    const url = `${BASE}/territories/${spec}${lang === "en" ? "?lang=en" : ""}`;
    const res = await page.goto(url);
    check(`${label}: page answers`, res.status() === 200, res.status());
    const ready = await page.evaluate(() => window.dossierReady);
    check(`${label}: charts and maps drawn`, ready && ready.problems.length === 0, JSON.stringify(ready));
    check(`${label}: page in ${lang}`, (await page.evaluate(() => document.documentElement.lang)) === lang);

    // Charts: SVG drawn by Plot, with bars, named by its caption and described by its text alternative.
    const charts = await page.evaluate(() => Array.from(document.querySelectorAll("figure.chart")).map((f) => {
      const svg = f.querySelector(".chart-svg svg[role=img]");
      const by = (id) => { const e = id && document.getElementById(id); return e ? e.textContent.trim() : ""; };
      const csv = f.querySelector("a[download]");
      return {
        id: f.dataset.chart, svg: !!svg, bars: svg ? svg.querySelectorAll("rect").length : 0,
        name: svg ? by(svg.getAttribute("aria-labelledby")) : "", alt: svg ? by(svg.getAttribute("aria-describedby")) : "",
        csv: csv ? decodeURIComponent(escape(atob(csv.href.split(",")[1]))) : "", csvName: csv ? csv.getAttribute("download") : "",
      };
    }));
    check(`${label}: the dossier has its charts`, charts.length >= 4, charts.map((c) => c.id).join(", "));
    for (const c of charts) {
      check(`${label}: chart ${c.id} is SVG with bars`, c.svg && c.bars > 0, `${c.bars} bars`);
      check(`${label}: chart ${c.id} has a name and a text alternative`, c.name.length > 5 && c.alt.length > 60, c.alt);
      const lines = c.csv.trim().split("\n");
      check(`${label}: chart ${c.id} has its data as CSV`, lines.length >= 2 && lines[0].includes(",") && c.csvName.endsWith(".csv"), lines[0]);
    }
    if (lang === "fr") {
      // The text alternative names the chart's leading figures: the first commune of the monuments chart.
      const mh = charts.find((c) => c.id === "monuments-by-commune");
      if (mh) {
        const first = mh.csv.trim().split("\n")[1].split(",");
        check(`${label}: the monuments chart's text names its first commune and count`, mh.alt.includes(first[1] + ", " + first[6]), first.join(","));
      }
    }

    // Maps: images of the drawn maps, with their legend.
    const maps = await page.evaluate(async () => {
      const out = [];
      for (const f of document.querySelectorAll("figure.theme-map")) {
        const img = f.querySelector("img.map-image");
        let colours = 0;
        if (img) {
          await img.decode();
          const c = document.createElement("canvas");
          c.width = img.naturalWidth; c.height = img.naturalHeight;
          const g = c.getContext("2d");
          g.drawImage(img, 0, 0);
          const d = g.getImageData(0, 0, c.width, c.height).data;
          const seen = new Set();
          for (let i = 0; i < d.length; i += 4 * 53) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
          colours = seen.size;
        }
        out.push({ theme: f.dataset.theme, img: !!img, alt: img ? img.alt : "", colours, legend: f.querySelectorAll(".legend-list li").length,
          link: (f.querySelector("a[href^='/?']") || {}).href || "" });
      }
      return out;
    });
    check(`${label}: a map per theme`, maps.length >= 2, maps.map((m) => m.theme).join(", "));
    for (const m of maps) {
      check(`${label}: map ${m.theme} drawn (an image with features and outline)`, m.img && m.colours > 8 && m.alt, `${m.colours} colours`);
      check(`${label}: map ${m.theme} has a legend and links back to the web map`, m.legend >= 2 && /#layers=/.test(m.link), m.link);
    }

    // Opening hours shown in OSM syntax parse with opening_hours.js.
    const hours = await page.evaluate(() => Array.from(document.querySelectorAll("code.oh")).map((e) => e.textContent));
    let bad = hours.filter((h) => { try { new OpeningHours(h, { lat: 45.19, lon: 5.72, address: { country_code: "fr", state: "Auvergne-Rhône-Alpes" } }); return false; } catch (e) { return true; } });
    check(`${label}: ${hours.length} opening_hours values parse with opening_hours.js`, hours.length > 0 && bad.length === 0, bad.join(" | "));

    // Every figure: its raw value, and the text shown for it agrees.
    const figs = await page.evaluate(() => Array.from(document.querySelectorAll("[data-figure]")).map((e) => ({ key: e.dataset.figure, value: e.dataset.value, text: e.textContent })));
    let mismatched = [];
    for (const f of figs) {
      if (parseShown(f.text, lang) !== expectedShown(f.key, f.value)) mismatched.push(`${f.key}=${f.value} shown "${f.text}"`);
    }
    check(`${label}: ${figs.length} figures shown as their values`, figs.length > 50 && mismatched.length === 0, mismatched.slice(0, 10).join("; "));
    if (lang === "fr") {
      figures[spec] = {};
      for (const f of figs) (figures[spec][f.key] = figures[spec][f.key] || []).push(f.value);
      // Also the numbers the museum table shows, for the test to count.
      figures[spec]["dom:museums"] = [String(await page.locator("table.museums tbody tr").count())];
      figures[spec]["dom:hours-text"] = [String(await page.evaluate(() => Array.from(document.querySelectorAll("table.museums tbody tr")).filter((tr) => tr.querySelector(".hours-text p")).length))];
      figures[spec]["dom:hours-osm"] = [String(hours.length)];
    }

    // Every control has an accessible name.
    const cdp = await context.newCDPSession(page);
    await cdp.send("Accessibility.enable");
    const { nodes } = await cdp.send("Accessibility.getFullAXTree");
    await cdp.detach();
    const unnamed = nodes.filter((n) => !n.ignored && ["button", "link", "img"].includes(n.role && n.role.value) && !((n.name && n.name.value) || "").trim());
    check(`${label}: every link, button and image has an accessible name`, unnamed.length === 0, unnamed.map((n) => n.role.value + " #" + n.backendDOMNodeId).join(", "));

    const shot = spec.replace(/[^a-z0-9]+/gi, "-") + "-" + lang;
    await page.screenshot({ path: path.join(OUT, shot + "-page.png"), fullPage: true });
    if (lang === "fr") {
      for (const id of ["summary", "monuments", "protections", "natural", "museums"]) {
        const loc = page.locator("#" + id);
        if (await loc.count()) await loc.screenshot({ path: path.join(OUT, shot + "-" + id + ".png") });
      }
      await page.emulateMedia({ media: "print" });
      await page.screenshot({ path: path.join(OUT, shot + "-print.png"), fullPage: true });
      check(`${label}: no controls when printed`, await page.evaluate(() => getComputedStyle(document.querySelector(".dossier-header")).display === "none"));
    }
    check(`${label}: no console error`, errors.length === 0, errors.join(" | "));
    await page.close();
  }
}

check("nothing fetched off the server", blocked.length === 0, blocked.slice(0, 5).join(" "));

// The web map links to the dossier of the territory in view (its base map, off the server, is blocked).
{
  const page = await context.newPage();
  await page.goto(`${BASE}/#map=10.5/45.19/5.72`);
  await page.waitForFunction(() => document.body.dataset.ready, null, { timeout: 60000 });
  const href = await page.getAttribute("#dossier-link", "href");
  check("web map: the dossier link follows the view", /\/territories\/at\?lon=5\.72\d*&lat=45\.19\d*&zoom=10\.5/.test(href), href);
  await page.click("#dossier-link");
  await page.waitForFunction(() => window.dossierReady, null, { timeout: 60000 });
  const title = await page.textContent("h1");
  check("web map: its link opens Grenoble-Alpes-Métropole's dossier", page.url().endsWith("/territories/epci:200040715") && /Grenoble/.test(title), page.url() + " " + title);
  await page.close();
}

fs.writeFileSync(FIGURES, JSON.stringify(figures, null, 1));
await context.close();
fs.rmSync(profile, { recursive: true, force: true });
console.log(failures ? `${failures} check(s) failed` : "all checks passed");
process.exit(failures ? 1 : 0);
