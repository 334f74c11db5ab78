// Browser test of the SSEPOT pages: the four dashboards, the sheets list and a sheet, in desktop and 360-px
// phone views (screenshots in tests/artifacts/), with axe-core (WCAG 2.1 A/AA) reporting no violation, every
// control reachable by keyboard, the published figures on the rendered page equal to the JSON and the CSV,
// and a planner's path from the web map to an indicator's sheet, progress map, subsystem and diagnosis.
// usage: node tests/browser/dashboards.mjs BASE_URL
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const axePath = require.resolve('axe-core/axe.min.js');
const base = process.argv[2] || process.env.SSEPOT_URL || 'http://127.0.0.1:8080';
const out = 'tests/artifacts';
mkdirSync(out, { recursive: true });
let failures = 0;
const check = (cond, msg) => { console.log(`${cond ? 'ok  ' : 'FAIL'} ${msg}`); if (!cond) failures++; };
const api = async (path) => (await fetch(base + path)).json();

// Figures as the report publishes them (the sample tables are built to reproduce them).
const PUBLISHED = {
  compromisos: {
    corto_plazo_pct: '23,0 %', resto_plan_pct: '77,0 %', corto_plazo_cumplidos: '14', corto_plazo_cumplidos_pct: '60,9 %',
    corto_plazo_en_avance_pct: '26,1 %', corto_plazo_no_presenta_avances_pct: '4,3 %', avance_general: '88,12 %', cumplidos: '66', en_avance: '23',
  },
  pdd: {
    indicadores_producto: '132', programas: '28', proyectos_pot: '169', banda_alto_pct: '71 %', banda_medio_pct: '13 %',
    banda_bajo_pct: '16 %', aporte_puntos: '23,0 puntos', avance_fisico_plan: '89 %', avance_conjunto: '75,4 %',
    inversion_programada: '$5.213.246 millones', inversion_proyectada: '$5.187.358 millones', ejecucion_inversion: '99,5 %',
  },
  subsistemas: { subsistemas: '20', sistemas: '2' },
  diagnostico: {},
};

/// A JSON figure written the Spanish way, as the page should show it (independent of the server's formatter).
function spanish(f) {
  if (f.value === null) return 'ND';
  const n = new Intl.NumberFormat('es-CO', { minimumFractionDigits: f.decimals, maximumFractionDigits: f.decimals, useGrouping: true }).format(f.value);
  const grouped = n.replace(/\u00a0/g, '.');
  return { percent: `${grouped} %`, money: `$${grouped} millones`, points: `${grouped} puntos`, count: grouped }[f.kind];
}

async function axe(page, name) {
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(async () => window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }));
  for (const v of result.violations) console.log(`     axe ${v.id}: ${v.help} (${v.nodes.length}) ${v.nodes.slice(0, 2).map((n) => n.target).join(' | ')}`);
  check(result.violations.length === 0, `${name}: axe-core finds no WCAG 2.1 AA violation (${result.violations.length})`);
}

/// Tabs through the page; every link, button and scrollable table region is reached.
async function keyboard(page, name) {
  const wanted = await page.evaluate(() => {
    const els = [...document.querySelectorAll('a[href], button, [tabindex="0"]')].filter((e) => e.offsetParent !== null);
    els.forEach((e, i) => { e.dataset.kb = String(i); });
    return els.length;
  });
  const seen = new Set();
  for (let i = 0; i < wanted + 5 && seen.size < wanted; i++) {
    await page.keyboard.press('Tab');
    const kb = await page.evaluate(() => document.activeElement?.dataset?.kb);
    if (kb !== undefined) seen.add(kb);
  }
  check(seen.size === wanted, `${name}: all ${wanted} links, buttons and table regions are reachable with Tab (${seen.size})`);
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const views = [['desktop', { width: 1200, height: 800 }], ['phone', { width: 360, height: 740 }]];
  for (const [view, viewport] of views) {
    const page = await browser.newPage({ viewport });
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const offsite = [];
    page.on('request', (r) => { if (!r.url().startsWith(base) && !r.url().startsWith('data:')) offsite.push(r.url()); });

    for (const id of Object.keys(PUBLISHED)) {
      const doc = await api(`/ssepot/${id}?f=json`);
      await page.goto(`${base}/ssepot/${id}?f=html`, { waitUntil: 'load' });
      await page.waitForFunction((n) => window.ssepotCharts && Object.keys(window.ssepotCharts).length === n, doc.charts.length, { timeout: 20000 });
      check(await page.evaluate(() => document.documentElement.lang) === 'es', `${id} (${view}): <html lang="es">`);
      check((await page.textContent('main')).includes('MUESTRA SINTÉTICA'), `${id} (${view}): labelled MUESTRA SINTÉTICA`);
      const shown = Object.fromEntries(await page.$$eval('#cifras li', (lis) => lis.map((li) => [li.dataset.key, li.querySelector('strong').textContent.trim()])));
      const csv = (await (await fetch(`${base}/ssepot/${id}?f=csv`)).text()).replace(/^\ufeff/, '');
      const csvValues = Object.fromEntries(csv.trim().split('\n').slice(1).map((l) => { const c = l.split(';'); return [c[0], c[c.length - 2]]; }));
      let same = true;
      for (const f of doc.figures) {
        if (shown[f.key] !== spanish(f)) { same = false; console.log(`     page ${f.key}: "${shown[f.key]}" vs JSON ${f.value} → "${spanish(f)}"`); }
        const fromCsv = csvValues[f.key] === 'ND' ? null : Number(csvValues[f.key].replace(',', '.'));
        if (fromCsv !== f.value) { same = false; console.log(`     CSV ${f.key}: ${csvValues[f.key]} vs JSON ${f.value}`); }
      }
      check(same && doc.figures.length > 0, `${id} (${view}): the ${doc.figures.length} figures on the page equal the JSON and the CSV`);
      for (const [key, text] of Object.entries(PUBLISHED[id])) check(shown[key] === text, `${id} (${view}): published ${key} = ${text} (page shows "${shown[key]}")`);
      const tables = await page.locator('table.chart-data').count();
      check(tables === doc.charts.length, `${id} (${view}): each of ${doc.charts.length} charts has its data table`);
      await page.screenshot({ path: `${out}/dashboard_${id}_${view}.png`, fullPage: true });
      await axe(page, `${id} (${view})`);
      if (view === 'desktop') await keyboard(page, id);
    }
    for (const [name, path] of [['indicadores', '/indicators?f=html'], ['ficha_ep-01', '/indicators/ep-01?f=html'], ['tableros', '/ssepot?f=html']]) {
      await page.goto(base + path, { waitUntil: 'load' });
      await page.screenshot({ path: `${out}/${name}_${view}.png`, fullPage: true });
      await axe(page, `${name} (${view})`);
      if (view === 'desktop' && name !== 'ficha_ep-01') await keyboard(page, name);
    }
    check(errors.length === 0, `${view}: no script errors (${errors.join('; ')})`);
    check(offsite.length === 0, `${view}: nothing is fetched from outside ssepot (${offsite.join(', ')})`);
    await page.close();
  }

  // A planner filters the commitments by office and horizon with the page's form: the URL keeps the filters,
  // and the figures, the charts' tables and the rows are those of the rows computed here from the unfiltered
  // CSV; the filtered CSV says the same.
  {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    const parse = (text) => text.replace(/^\ufeff/, '').trim().split('\n').map((l) => l.split(';'));
    const [head, ...all] = parse(await (await fetch(`${base}/ssepot/compromisos?f=csv&tabla=filas`)).text());
    const col = (name) => head.indexOf(name);
    const office = 'Secretaría de Hacienda';
    const horizon = 'Mediano plazo';
    const rows = all.filter((r) => r[col('dependencia')] === office && r[col('horizonte')] === horizon);
    const reported = rows.map((r) => r[col('avance_2023')]).filter((v) => v !== 'ND').map((v) => Number(v.replace(',', '.')));
    const mean = Math.round((reported.reduce((a, b) => a + b, 0) / reported.length) * 100) / 100;
    const fulfilled = rows.filter((r) => r[col('estado')] === 'Cumplido').length;
    const es = (v, d) => new Intl.NumberFormat('es-CO', { minimumFractionDigits: d, maximumFractionDigits: d }).format(v).replace(/\u00a0/g, '.');

    await page.goto(`${base}/ssepot/compromisos?f=html`, { waitUntil: 'load' });
    await page.selectOption('#filtro-dependencia', office);
    await page.selectOption('#filtro-horizonte', horizon);
    await Promise.all([page.waitForNavigation(), page.click('#filtros button[type=submit]')]);
    const url = new URL(page.url());
    check(url.searchParams.get('dependencia') === office && url.searchParams.get('horizonte') === horizon,
      `the filters are URL state (${url.search})`);
    await page.waitForFunction(() => window.ssepotCharts && Object.keys(window.ssepotCharts).length > 0, null, { timeout: 20000 });
    const shown = Object.fromEntries(await page.$$eval('#cifras li', (lis) => lis.map((li) => [li.dataset.key, li.querySelector('strong').textContent.trim()])));
    check(rows.length > 1 && shown.compromisos === String(rows.length), `filtered: ${rows.length} commitments of ${office}, ${horizon} (page: ${shown.compromisos})`);
    check(shown.avance_general === `${es(mean, 2)} %`, `filtered: overall progress ${es(mean, 2)} % from the rows (page: ${shown.avance_general})`);
    check(shown.cumplidos === String(fulfilled), `filtered: ${fulfilled} fulfilled (page: ${shown.cumplidos})`);
    const listed = await page.$$eval('#filas ~ div table tbody tr', (trs) => trs.map((tr) => tr.cells[0].textContent));
    check(JSON.stringify(listed) === JSON.stringify(rows.map((r) => r[0])), `filtered: the page lists exactly those ${rows.length} rows`);
    const offices = await page.$$eval('table.chart-data[data-chart="estados_por_dependencia"] tbody th', (ths) => ths.map((t) => t.textContent));
    check(JSON.stringify(offices) === JSON.stringify([office]), `filtered: the per-office chart follows (${offices.join(', ')})`);
    const chartTotal = await page.evaluate(() => window.ssepotCharts.estados_por_dependencia.data.datasets.reduce((a, d) => a + d.data.reduce((x, y) => x + y, 0), 0));
    check(chartTotal === rows.length, `filtered: the drawn chart counts ${rows.length} commitments (${chartTotal})`);
    const figures = Object.fromEntries(parse(await (await fetch(`${base}/ssepot/compromisos?f=csv${url.search.replace('?f=html', '')}`)).text()).slice(1).map((c) => [c[0], c[c.length - 2]]));
    check(figures.compromisos === String(rows.length) && figures.avance_general === String(mean).replace('.', ','),
      `filtered: ?f=csv says ${figures.compromisos} commitments, ${figures.avance_general} %`);
    await page.click('li[data-key="cumplidos"] a');
    await page.waitForURL(/estado=Cumplido/);
    const drilled = await page.$$eval('#filas ~ div table tbody tr', (trs) => trs.length);
    check(drilled === fulfilled, `a figure drills through to its ${fulfilled} rows (${drilled})`);
    await axe(page, 'compromisos filtrados');
    await page.screenshot({ path: `${out}/dashboard_compromisos_filtrado.png`, fullPage: true });
    await page.close();
  }

  // The same on the POT–PDD dashboard: filtered by strategic line with the form, the figures, the bands chart
  // and the rows are those of the line's rows in the unfiltered CSV, the filtered CSV says the same, and a band's
  // figure drills through to that band's rows within the line.
  {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    const parse = (text) => text.replace(/^\ufeff/, '').trim().split('\n').map((l) => l.split(';'));
    const [head, ...all] = parse(await (await fetch(`${base}/ssepot/pdd?f=csv&tabla=filas`)).text());
    const col = (name) => head.indexOf(name);
    const line = 'Ecociudad';
    const rows = all.filter((r) => r[col('linea_estrategica')] === line);
    const related = rows.filter((r) => r[col('proyectos_pot')] !== '');
    const high = related.filter((r) => r[col('banda')] === 'alto o superior');
    const share = Math.round((high.length / related.length) * 100);
    const highRows = rows.filter((r) => r[col('banda')] === 'alto o superior');

    await page.goto(`${base}/ssepot/pdd?f=html`, { waitUntil: 'load' });
    await page.selectOption('#filtro-linea', line);
    await Promise.all([page.waitForNavigation(), page.click('#filtros button[type=submit]')]);
    const url = new URL(page.url());
    check(url.searchParams.get('linea') === line, `pdd: the line is URL state (${url.search})`);
    await page.waitForFunction(() => window.ssepotCharts && Object.keys(window.ssepotCharts).length > 0, null, { timeout: 20000 });
    const shown = Object.fromEntries(await page.$$eval('#cifras li', (lis) => lis.map((li) => [li.dataset.key, li.querySelector('strong').textContent.trim()])));
    check(related.length > 1 && shown.indicadores_producto === String(related.length),
      `pdd filtered: ${related.length} related indicators of ${line} (page: ${shown.indicadores_producto})`);
    check(shown.banda_alto_pct === `${share} %`, `pdd filtered: ${share} % high from the rows (page: ${shown.banda_alto_pct})`);
    const listed = await page.$$eval('#filas ~ div table tbody tr', (trs) => trs.map((tr) => tr.cells[0].textContent));
    check(JSON.stringify(listed) === JSON.stringify(rows.map((r) => r[0])), `pdd filtered: the page lists exactly the ${rows.length} rows of ${line}`);
    const drawn = await page.evaluate(() => window.ssepotCharts.bandas.data.datasets[0].data.reduce((a, b) => a + b, 0));
    check(drawn === related.length, `pdd filtered: the bands chart draws ${related.length} indicators (${drawn})`);
    const figures = Object.fromEntries(parse(await (await fetch(`${base}/ssepot/pdd?f=csv${url.search.replace('?f=html', '')}`)).text()).slice(1).map((c) => [c[0], c[c.length - 2]]));
    check(figures.indicadores_producto === String(related.length) && figures.banda_alto_pct === String(share),
      `pdd filtered: ?f=csv says ${figures.indicadores_producto} indicators, ${figures.banda_alto_pct} % high`);
    // Clicking a bar drills through as its table row's link does.
    await page.evaluate(() => window.ssepotCharts.bandas.canvas.scrollIntoView());
    const box = await page.locator('#chart-bandas').boundingBox();
    const meta = await page.evaluate(() => { const el = window.ssepotCharts.bandas.getDatasetMeta(0).data[0]; return { x: el.x, y: (el.y + el.base) / 2 }; });
    await Promise.all([page.waitForURL(/banda=alto/), page.mouse.click(box.x + meta.x, box.y + meta.y)]);
    const barUrl = new URL(page.url());
    check(barUrl.searchParams.get('banda') === 'alto o superior' && barUrl.searchParams.get('linea') === line,
      `pdd: clicking the high band's bar drills through within the line (${barUrl.search})`);
    await page.goBack();
    await page.waitForFunction(() => window.ssepotCharts && window.ssepotCharts.bandas, null, { timeout: 20000 });
    await page.click('li[data-key="banda_alto_pct"] a');
    await page.waitForURL(/banda=alto/);
    const drilled = await page.$$eval('#filas ~ div table tbody tr', (trs) => trs.length);
    check(drilled === highRows.length && new URL(page.url()).searchParams.get('linea') === line,
      `pdd: the band's figure drills through to its ${highRows.length} rows within the line (${drilled})`);
    await axe(page, 'pdd filtrado');
    await page.screenshot({ path: `${out}/dashboard_pdd_filtrado.png`, fullPage: true });
    await page.close();
  }

  // A planner, from the web map, finds EP-01's sheet, its progress map, its subsystem and its diagnosis.
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  await page.goto(`${base}/map/#ind=ep-01`, { waitUntil: 'load' });
  await page.waitForSelector('body[data-ready=true]', { timeout: 30000 });
  await page.waitForFunction(() => document.querySelector('#sheet-link')?.getAttribute('href')?.includes('/indicators/ep-01'));
  await page.click('#sheet-link');
  await page.waitForURL(/\/indicators\/ep-01/);
  const h1 = await page.textContent('h1');
  check(h1.includes('Espacio público efectivo'), `the map links EP-01's technical sheet ("${h1}")`);
  const sheet = await page.textContent('main');
  check(sheet.includes('Definición') && sheet.includes('Metas') && sheet.includes('creciente'), 'the sheet shows definition, targets and direction');
  check(sheet.includes('Fase 1 — DAP (2021)'), 'the sheet shows its diagnosis and concertation phase');
  await page.click('a#mapa-avance');
  await page.waitForSelector('body[data-ready=true]', { timeout: 30000 });
  await page.waitForFunction(() => document.querySelector('#legend h2')?.textContent.includes('Avance'), null, { timeout: 20000 });
  check(page.url().includes('ind=avance_ep-01'), 'the sheet opens the progress map by comuna on the web map');
  await page.screenshot({ path: `${out}/webmap_avance_ep-01.png` });
  await page.goBack();
  await page.waitForURL(/\/indicators\/ep-01/);
  await page.click('text=Espacio Público de Esparcimiento y Encuentro');
  await page.waitForURL(/subsistemas/);
  const row = await page.locator('#sub-espacio-publico-de-esparcimiento-y-encuentro').textContent();
  check(row.includes('Situación sintética') && row.includes('EP-01'), 'the sheet links its subsystem on the subsystems dashboard');
  await page.close();
} finally {
  await browser.close();
}
console.log(failures === 0 ? 'all checks passed' : `${failures} check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
