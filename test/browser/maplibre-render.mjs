// Renders a page with MapLibre GL JS in headless Chromium (playwright-core) and reports pixels:
//   node test/browser/maplibre-render.mjs PAGE_URL OUT.png '[[lon,lat],...]'
// The page must set window.map (a maplibregl.Map). Once the map is idle, the script writes a screenshot of
// the canvas to OUT.png and prints {"points": [[x, y], ...]} (the given points projected to canvas pixels).
// Called by server/tiles_test.go; nothing is fetched from the network: the page and maplibre-gl.js come from
// the test server.
import { chromium } from 'playwright-core';

const [url, out, pts] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
    '--use-gl=angle', '--ignore-gpu-blocklist'],
});
try {
  const page = await browser.newPage({ viewport: { width: 800, height: 600 }, deviceScaleFactor: 1 });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(url);
  await page.waitForFunction(() => window.map && window.map.loaded() && window.map.areTilesLoaded() && window.mapIdle === true, null, { timeout: 30000 });
  const points = await page.evaluate((p) => p.map((ll) => { const q = window.map.project(ll); return [q.x, q.y]; }), JSON.parse(pts));
  await page.locator('canvas').screenshot({ path: out });
  process.stdout.write(JSON.stringify({ points, errors }));
} finally {
  await browser.close();
}
