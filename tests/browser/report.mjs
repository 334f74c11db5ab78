// Browser test of the SSEPOT's publications, accessibility and embedding (headless Chromium, playwright-core):
// - the management report prints to A4 (Chromium's print, page.pdf) with no table row cut across pages and
//   table headers repeated on every page a table continues on (checked on the printed PDF with pdftotext);
// - the report, a bulletin, the publications page and the web map in each mode pass axe-core (WCAG 2.1 A/AA);
// - keyboard only, a planner picks a year and a territory on the web map and reads its value (and hears it);
// - an embedded map and an embedded chart load in a page of a configured origin, and are refused framing by
//   another origin (two local HTTP servers; a ssepot server of its own started with --embed-origin).
// usage: node tests/browser/report.mjs BASE_URL   (needs $SSEPOT_BIN, default target/debug/ssepot, and pdftotext)
import { chromium } from 'playwright-core';
import { mkdirSync, writeFileSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { execFileSync, spawn } from 'node:child_process';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const axePath = require.resolve('axe-core/axe.min.js');
const base = process.argv[2] || process.env.SSEPOT_URL || 'http://127.0.0.1:8080';
const bin = process.env.SSEPOT_BIN || 'target/debug/ssepot';
const out = 'tests/artifacts';
mkdirSync(out, { recursive: true });
let failures = 0;
const check = (cond, msg) => { console.log(`${cond ? 'ok  ' : 'FAIL'} ${msg}`); if (!cond) failures++; };
const api = async (path) => (await fetch(base + path)).json();

async function axe(page, name) {
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(async () => window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }));
  for (const v of result.violations) console.log(`     axe ${v.id}: ${v.help} (${v.nodes.length}) ${v.nodes.slice(0, 3).map((n) => n.target).join(' | ')}`);
  check(result.violations.length === 0, `${name}: axe-core finds no WCAG 2.1 A/AA violation (${result.violations.length})`);
}

/// Prints the page with Chromium to A4 and checks, on the PDF's text, that every table row is on one page and
/// that each page a table continues on starts with its header.
async function printCheck(page, name) {
  const tables = await page.evaluate(() => {
    const info = [];
    document.querySelectorAll('table').forEach((t, ti) => {
      const head = t.querySelector('thead th');
      if (head) head.insertAdjacentText('afterbegin', `hh${ti}hh `);
      t.querySelectorAll('tbody tr').forEach((tr, ri) => {
        const cells = tr.querySelectorAll('td, th');
        cells[0].insertAdjacentText('afterbegin', `qq${ti}x${ri}qq `);
        cells[cells.length - 1].insertAdjacentText('beforeend', ` zz${ti}x${ri}zz`);
      });
      info.push(t.querySelectorAll('tbody tr').length);
    });
    return info;
  });
  await page.emulateMedia({ media: 'print' });
  const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true, printBackground: true });
  const dir = mkdtempSync(join(tmpdir(), 'ssepot-print-'));
  const file = join(dir, `${name}.pdf`);
  writeFileSync(file, pdf);
  writeFileSync(`${out}/print_${name}.pdf`, pdf);
  const info = execFileSync('pdfinfo', [file]).toString();
  const pages = Number(/Pages:\s+(\d+)/.exec(info)[1]);
  check(/595\.\d* x 841\.\d*|A4/.test(info), `${name}: printed on A4 (${pages} pages)`);
  const pageOf = new Map();
  const headerPages = new Map();
  const tablePages = new Map();
  for (let p = 1; p <= pages; p++) {
    const text = execFileSync('pdftotext', ['-f', String(p), '-l', String(p), '-layout', file, '-']).toString();
    for (const m of text.matchAll(/qq(\d+)x(\d+)qq/g)) {
      pageOf.set(`${m[1]}x${m[2]}`, p);
      if (!tablePages.has(m[1])) tablePages.set(m[1], new Set());
      tablePages.get(m[1]).add(p);
    }
    for (const m of text.matchAll(/hh(\d+)hh/g)) {
      if (!headerPages.has(m[1])) headerPages.set(m[1], new Set());
      headerPages.get(m[1]).add(p);
    }
    for (const m of text.matchAll(/zz(\d+)x(\d+)zz/g)) {
      const key = `${m[1]}x${m[2]}`;
      if (pageOf.get(key) !== p) { check(false, `${name}: row ${key} is cut across pages ${pageOf.get(key)} and ${p}`); }
    }
  }
  const rows = tables.reduce((a, b) => a + b, 0);
  check(pageOf.size === rows, `${name}: all ${rows} table rows are in the printed PDF (${pageOf.size})`);
  let repeated = true;
  for (const [t, ps] of tablePages) {
    for (const p of ps) if (!headerPages.get(t)?.has(p)) { repeated = false; console.log(`     table ${t} continues on page ${p} without its header`); }
  }
  check(repeated, `${name}: every page a table continues on repeats its header`);
  await page.emulateMedia({ media: 'screen' });
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const servers = [];
let ssepot = null;
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));

  // The report: every dashboard's figures on the page are the JSON's (the Rust test compares the text; here the
  // rendered page), then print and accessibility.
  await page.goto(`${base}/ssepot/informe?corte=2023-12-31`, { waitUntil: 'load' });
  for (const d of (await api('/ssepot?f=json')).dashboards) {
    const doc = await api(`/ssepot/${d.id}?f=json`);
    const shown = await page.$$eval(`#cifras-${d.id} li`, (lis) => lis.map((li) => li.dataset.key));
    check(doc.figures.every((f) => shown.includes(f.key)), `report: chapter ${d.id} shows its ${doc.figures.length} figures`);
  }
  await page.screenshot({ path: `${out}/informe.png` });
  await axe(page, 'report');
  await printCheck(page, 'informe');

  const bulletin = `${base}/ssepot/boletines/movilidad?corte=2023-12-31`;
  await page.goto(bulletin, { waitUntil: 'load' });
  await axe(page, 'bulletin (Movilidad)');
  await printCheck(page, 'boletin_movilidad');
  await page.goto(`${base}/ssepot/publicaciones?f=html`, { waitUntil: 'load' });
  await axe(page, 'publications page');

  // The web map in each mode.
  for (const mode of ['single', 'compare', 'change']) {
    const m = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    m.on('pageerror', (e) => errors.push(String(e)));
    await m.goto(`${base}/map/#ind=poblacion&mode=${mode}&a=2018&b=2030&year=2023`, { waitUntil: 'load' });
    await m.waitForSelector('body[data-ready=true]', { timeout: 30000 });
    await m.waitForSelector('#tabla-territorios tbody tr', { state: 'attached' });
    await axe(m, `web map (${mode})`);
    await m.close();
  }

  // Keyboard only: the year slider, then a territory from the table of values; the value is read and announced.
  const kb = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  await kb.goto(`${base}/map/#ind=poblacion&mode=single&year=2023`, { waitUntil: 'load' });
  await kb.waitForSelector('body[data-ready=true]', { timeout: 30000 });
  const tabTo = async (selector, max = 80) => {
    for (let i = 0; i < max; i++) {
      await kb.keyboard.press('Tab');
      if (await kb.evaluate((s) => document.activeElement?.matches(s), selector)) return true;
    }
    return false;
  };
  check(await tabTo('#year'), 'keyboard: Tab reaches the year slider');
  await kb.keyboard.press('ArrowLeft');
  await kb.keyboard.press('ArrowLeft');
  const year = Number(await kb.inputValue('#year'));
  check(year === 2021, `keyboard: two presses of ← move the year from 2023 to ${year}`);
  check(await tabTo('#tabla-summary'), 'keyboard: Tab reaches the table of values');
  await kb.keyboard.press('Enter');
  check(await tabTo('#tabla-territorios button[data-code="16"]', 60), 'keyboard: Tab reaches Belén in the table');
  await kb.keyboard.press('Enter');
  await kb.waitForSelector('#info-name');
  const s = await api('/collections/poblacion/series?code=16');
  const v = s.rows[0].values[String(year)];
  const fmt = new Intl.NumberFormat('es-CO', { maximumFractionDigits: Math.abs(v) >= 100 ? 0 : 2 }).format(v);
  check((await kb.textContent('#info-name')) === 'Belén', 'keyboard: Enter selects Belén');
  check((await kb.textContent('#info-value')).includes(fmt), `keyboard: its ${year} value is the API's ${fmt}`);
  const said = await kb.textContent('#anuncio');
  check(said.includes('Belén') && said.includes(String(year)) && said.includes(fmt), `screen readers hear "${said}"`);
  check(await kb.getAttribute('#anuncio', 'aria-live') === 'polite', 'the announcement is an aria-live region');
  await kb.screenshot({ path: `${out}/webmap_teclado.png` });

  // Embedding: a ssepot of its own that lets one origin frame its views, and two sites on two ports.
  const site = (html) => new Promise((resolve) => {
    const srv = http.createServer((_, res) => { res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }); res.end(html()); });
    srv.listen(0, '127.0.0.1', () => resolve(srv));
    servers.push(srv);
  });
  let ssepotUrl = '';
  const framing = () => `<!doctype html><html lang="es"><title>Portal</title><body>
    <iframe id="mapa" title="mapa" src="${ssepotUrl}/ssepot/embed/mapa/poblacion?year=2023" width="700" height="600"></iframe>
    <iframe id="grafico" title="gráfico" src="${ssepotUrl}/ssepot/embed/grafico/compromisos/avance_por_anio" width="700" height="500"></iframe>
    <iframe id="web" title="mapa web" src="${ssepotUrl}/map/embed#ind=poblacion&mode=single&year=2023" width="900" height="600"></iframe></body></html>`;
  const allowed = await site(framing);
  const other = await site(framing);
  const allowedOrigin = `http://127.0.0.1:${allowed.address().port}`;
  const otherOrigin = `http://127.0.0.1:${other.address().port}`;
  ssepot = spawn(bin, ['serve', 'layers', '--addr', '127.0.0.1:0', '--store', 'none', '--embed-origin', allowedOrigin], { stdio: ['ignore', 'ignore', 'pipe'] });
  ssepotUrl = await new Promise((resolve, reject) => {
    let log = '';
    ssepot.stderr.on('data', (d) => { log += d; const m = /on (http:\/\/[0-9.:]+)/.exec(log); if (m) resolve(m[1]); });
    setTimeout(() => reject(new Error(`ssepot did not start: ${log}`)), 60000);
  });
  const framed = async (origin) => {
    const p = await browser.newPage({ viewport: { width: 1000, height: 1000 } });
    await p.goto(`${origin}/`, { waitUntil: 'load' });
    await p.waitForTimeout(1500);
    const loaded = {};
    for (const f of p.frames()) {
      if (f === p.mainFrame()) continue;
      const text = await f.evaluate(() => document.body?.innerText || '').catch(() => '');
      loaded[new URL(f.url()).pathname] = text;
    }
    await p.screenshot({ path: `${out}/embed_${origin === allowedOrigin ? 'allowed' : 'refused'}.png` });
    await p.close();
    return loaded;
  };
  const yes = await framed(allowedOrigin);
  check((yes['/ssepot/embed/mapa/poblacion'] || '').includes('Población'), `an embedded map loads in a page of the configured origin ${allowedOrigin}`);
  check((yes['/ssepot/embed/grafico/compromisos/avance_por_anio'] || '').includes('Avance general'), 'an embedded chart loads there too');
  check((yes['/map/embed'] || '').length > 0, 'and the embedded web map');
  const no = await framed(otherOrigin);
  check(!(no['/ssepot/embed/mapa/poblacion'] || '').includes('Población'), `the map is refused framing by ${otherOrigin}`);
  check(!(no['/ssepot/embed/grafico/compromisos/avance_por_anio'] || '').includes('Avance general'), 'and so is the chart');

  check(errors.length === 0, `no script errors (${errors.join('; ')})`);
} finally {
  await browser.close();
  for (const s of servers) s.close();
  if (ssepot) ssepot.kill();
}
console.log(failures === 0 ? 'browser report: all passed' : `browser report: ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
