// Cross-origin reads in headless Chromium: a page served by another origin (a second tiny HTTP server on another
// port) fetches tiles and features from ssepot with non-simple headers (a client header, as a MapLibre
// `transformRequest` adds, and `If-None-Match`), which makes Chromium send a preflight first. The public routes
// must let it read them (and revalidate with the ETag it was given); the reporting API must not.
// usage: node tests/browser/cors.mjs BASE_URL
import { chromium } from 'playwright-core';
import { createServer } from 'node:http';

const base = process.argv[2] || process.env.SSEPOT_URL || 'http://127.0.0.1:8080';
let failures = 0;
const check = (cond, msg) => { console.log(`${cond ? 'ok  ' : 'FAIL'} ${msg}`); if (!cond) failures++; };

const page = '<!doctype html><html><head><meta charset="utf-8"><title>otro sitio</title></head><body>otro sitio</body></html>';
const other = createServer((req, res) => { res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }); res.end(page); });
await new Promise((ok) => other.listen(0, '127.0.0.1', ok));
const origin = `http://127.0.0.1:${other.address().port}`;
check(!base.startsWith(origin), `the page's origin ${origin} is not the server's ${base}`);

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const tab = await browser.newPage();
  await tab.goto(origin + '/');
  const results = await tab.evaluate(async (base) => {
    const headers = { 'X-Mapa-Cliente': 'prueba' };
    const read = async (path, extra = {}) => {
      try {
        const r = await fetch(base + path, { headers: { ...headers, ...extra }, cache: 'no-store' });
        const body = r.status === 200 ? await r.arrayBuffer() : new ArrayBuffer(0);
        return { status: r.status, bytes: body.byteLength, etag: r.headers.get('etag'),
          encoding: r.headers.get('content-encoding'), text: r.status === 200 ? new TextDecoder().decode(body) : '' };
      } catch (e) { return { error: String(e) }; }
    };
    const tile = await read('/tiles/comunas/12/1188/1976');
    const tileAgain = tile.etag ? await read('/tiles/comunas/12/1188/1976', { 'If-None-Match': tile.etag }) : {};
    const items = await read('/collections/poblacion/items?limit=3');
    const itemsAgain = items.etag ? await read('/collections/poblacion/items?limit=3', { 'If-None-Match': items.etag }) : {};
    const ogcTile = await read('/collections/comunas/tiles/WebMercatorQuad/12/1976/1188');
    let reporting;
    try {
      const r = await fetch(base + '/reporting/values', { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: '{}' });
      reporting = { status: r.status };
    } catch (e) { reporting = { error: String(e) }; }
    return { tile, tileAgain, items, itemsAgain, ogcTile, reporting };
  }, base);
  const { tile, tileAgain, items, itemsAgain, ogcTile, reporting } = results;
  check(tile.status === 200 && tile.bytes > 1000, `a tile is read cross-origin with a client header (${JSON.stringify({ ...tile, text: undefined })})`);
  check(Boolean(tile.etag), `its ETag is readable (${tile.etag}, coding ${tile.encoding})`);
  check(tileAgain.status === 304, `revalidating it with If-None-Match gives 304 (${JSON.stringify(tileAgain.status ?? tileAgain.error)})`);
  check(ogcTile.status === 200 && ogcTile.bytes === tile.bytes, `the same tile through OGC API Tiles (${ogcTile.status ?? ogcTile.error})`);
  let features = [];
  try { features = JSON.parse(items.text).features; } catch { /* checked below */ }
  check(items.status === 200 && features.length === 3, `three features are read cross-origin (${items.status ?? items.error}, coding ${items.encoding})`);
  check(itemsAgain.status === 304, `revalidating the page with If-None-Match gives 304 (${itemsAgain.status ?? itemsAgain.error})`);
  // Chromium's preflights do not show as page requests; the server's own counters show them.
  const metrics = await (await fetch(base + '/metrics')).text();
  const answered = (route) => metrics.split('\n').some((l) => l.startsWith('ssepot_http_requests_total{')
    && l.includes('method="OPTIONS"') && l.includes(`route="${route}"`) && /status="2\d\d"/.test(l));
  check(answered('/tiles/{set}/{z}/{x}/{y}'), 'Chromium preflighted the tile and the server answered 2xx');
  check(answered('/collections/{id}/items'), 'Chromium preflighted the features and the server answered 2xx');
  check(Boolean(reporting.error), `the reporting API refuses the cross-origin write at its preflight (${JSON.stringify(reporting)})`);
} finally {
  await browser.close();
  other.close();
}
console.log(failures ? `${failures} failed` : 'all passed');
process.exit(failures ? 1 : 0);
