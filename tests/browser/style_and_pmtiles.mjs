// MapLibre GL JS in headless Chromium draws (1) the server's generated style over its vector tiles and (2) the
// PMTiles export through the pmtiles protocol, with the same classes.
// usage: node tests/browser/style_and_pmtiles.mjs BASE_URL
import { chromium } from 'playwright-core';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const base = process.argv[2] || process.env.SSEPOT_URL || 'http://127.0.0.1:8080';
const out = 'tests/artifacts';
mkdirSync(out, { recursive: true });
const archive = `${out}/comunas.pmtiles`;
if (!existsSync(archive)) execFileSync(process.env.SSEPOT_BIN || 'target/debug/ssepot', ['tiles', 'export', archive, 'layers'], { stdio: 'inherit' });
const bytes = readFileSync(archive);
let failures = 0;
const check = (cond, msg) => { console.log(`${cond ? 'ok  ' : 'FAIL'} ${msg}`); if (!cond) failures++; };

const page_html = `<!doctype html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="${base}/map/vendor/maplibre-gl.css">
<script src="${base}/map/vendor/maplibre-gl.js"></script><script src="${base}/map/vendor/pmtiles.js"></script>
<style>html,body,#m{margin:0;width:800px;height:600px}</style></head><body><div id="m"></div></body></html>`;

async function draw(browser, style, name) {
  const page = await browser.newPage({ viewport: { width: 800, height: 600 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // The archive is served from memory with HTTP range requests, as a static host or CDN would serve it.
  await page.route('http://static.test/**', (route) => {
    const range = route.request().headers().range;
    const [a, b] = range ? range.replace('bytes=', '').split('-').map(Number) : [0, bytes.length - 1];
    const end = Math.min(b, bytes.length - 1);
    route.fulfill({ status: range ? 206 : 200, body: bytes.subarray(a, end + 1),
      headers: { 'content-type': 'application/octet-stream', 'accept-ranges': 'bytes', 'access-control-allow-origin': '*',
        'content-range': `bytes ${a}-${end}/${bytes.length}` } });
  });
  await page.setContent(page_html);
  await page.evaluate((style) => {
    const protocol = new pmtiles.Protocol();
    maplibregl.addProtocol('pmtiles', protocol.tile);
    window.map = new maplibregl.Map({ container: 'm', style, center: [-75.59, 6.26], zoom: 10.3 });
  }, style);
  await page.waitForFunction(() => window.map.loaded() && window.map.areTilesLoaded(), null, { timeout: 30000 });
  const drawn = await page.evaluate(() => {
    const layers = window.map.getStyle().layers.filter((l) => l.id.startsWith('clase-')).map((l) => l.id);
    const feats = window.map.queryRenderedFeatures({ layers });
    return { codes: new Set(feats.map((f) => f.properties.code)).size, classes: new Set(feats.map((f) => f.layer.id)).size };
  });
  await page.screenshot({ path: `${out}/${name}.png` });
  check(errors.length === 0, `${name}: no page errors ${errors.join(' | ')}`);
  await page.close();
  return drawn;
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const style = await (await fetch(`${base}/styles/poblacion.json?year=2023`)).json();
  const served = await draw(browser, style, 'maplibre_generated_style');
  check(served.codes === 21 && served.classes === 5, `the generated style draws 21 territories in 5 classes (${JSON.stringify(served)})`);
  const fromArchive = structuredClone(style);
  fromArchive.sources.ssepot = { type: 'vector', url: 'pmtiles://http://static.test/comunas.pmtiles' };
  const archived = await draw(browser, fromArchive, 'maplibre_pmtiles');
  check(archived.codes === served.codes && archived.classes === served.classes, `the PMTiles archive draws the same (${JSON.stringify(archived)})`);
} finally {
  await browser.close();
}
console.log(failures === 0 ? 'browser style and pmtiles: all passed' : `browser style and pmtiles: ${failures} failed`);
process.exit(failures ? 1 : 0);
