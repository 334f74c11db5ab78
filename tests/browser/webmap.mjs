// Browser test of the citizen web map: headless Chromium (Debian's) driven by playwright-core.
// usage: node tests/browser/webmap.mjs BASE_URL   (screenshots go to tests/artifacts/)
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

const base = process.argv[2] || process.env.SSEPOT_URL || 'http://127.0.0.1:8080';
const out = 'tests/artifacts';
mkdirSync(out, { recursive: true });
let failures = 0;
const check = (cond, msg) => { console.log(`${cond ? 'ok  ' : 'FAIL'} ${msg}`); if (!cond) failures++; };
const api = async (path) => (await fetch(base + path)).json();
const fmtEs = (v) => new Intl.NumberFormat('es-CO', { maximumFractionDigits: Math.abs(v) >= 100 ? 0 : 2 }).format(v);

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const offsite = [];
  page.on('request', (r) => { if (!r.url().startsWith(base) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) offsite.push(r.url()); });

  // A browser asking for `/` gets the map, in Spanish.
  await page.goto(base + '/', { waitUntil: 'load' });
  await page.waitForSelector('body[data-ready=true]', { timeout: 30000 });
  check(await page.evaluate(() => document.documentElement.lang) === 'es', '<html lang="es">');
  check(await page.evaluate(() => typeof window.map?.getStyle === 'function'), 'window.map is the MapLibre map');
  // The title is the layer files' (`[web_map]`), as the server serves it: the page names no city of its own.
  const titles = (await api('/map/territorios.json')).title;
  check(await page.locator('h1').textContent() === titles.es && (await page.title()).includes(titles.es),
    `the header and the tab show the served title "${titles.es}"`);
  await page.waitForFunction(() => window.map.areTilesLoaded() && window.map.queryRenderedFeatures({ layers: ['valores'] }).length > 0, null, { timeout: 30000 });
  const rendered = await page.evaluate(() => new Set(window.map.queryRenderedFeatures({ layers: ['valores'] }).map((f) => f.properties.code)).size);
  check(rendered === 21, `the map renders the 21 territories from the vector tiles (${rendered})`);
  check(await page.locator('#legend li').count() >= 3, 'a legend with classes and ND');
  await page.screenshot({ path: `${out}/webmap_poblacion.png` });

  // Homicides in 2023: pick the indicator and the year, read the ranking.
  await page.selectOption('#indicator', 'homicidios');
  await page.waitForFunction(() => document.querySelector('#legend h2')?.textContent.includes('Homicidios'));
  await page.locator('#year').fill('2023');
  await page.locator('#year').dispatchEvent('input');
  await page.locator('#ranking-box summary').click();
  const top = await page.locator('#ranking li').first().textContent();
  const items = await api('/collections/homicidios/items?year=2023&limit=100');
  const best = items.features.map((f) => f.properties).sort((a, b) => b.value - a.value)[0];
  check(top.includes(best.name) && top.includes(fmtEs(best.value)), `the 2023 ranking starts with ${best.name} (${best.value}): "${top}"`);
  check(page.url().includes('ind=homicidios') && page.url().includes('year=2023'), 'the URL keeps indicator and year');
  await page.screenshot({ path: `${out}/webmap_homicidios_2023.png` });

  // Population in Belén, 2018 → 2030: compare mode, then click Belén on the map.
  await page.selectOption('#indicator', 'poblacion');
  await page.waitForFunction(() => document.querySelector('#legend h2')?.textContent.includes('Población'));
  await page.check('input[name=mode][value=compare]');
  await page.selectOption('#year-a', '2018');
  await page.selectOption('#year-b', '2030');
  await page.waitForFunction(() => window.mapB && window.mapB.loaded() && window.mapB.areTilesLoaded());
  const belenPoint = await page.evaluate(async () => {
    const t = await (await fetch('/map/territorios.json')).json();
    const b = t.unit_sets.comunas.units.find((u) => u.code === '16');
    return window.map.project(b.label);
  });
  await page.mouse.click(belenPoint.x + (await page.locator('#map').boundingBox()).x, belenPoint.y + (await page.locator('#map').boundingBox()).y);
  await page.waitForSelector('#info-name');
  const s = await api('/collections/poblacion/series?code=16');
  const v18 = s.rows[0].values['2018'], v30 = s.rows[0].values['2030'];
  check((await page.locator('#info-name').textContent()) === 'Belén', 'clicking Belén shows Belén');
  check((await page.locator('#info-value').textContent()).includes(fmtEs(v30)), `its 2030 value is the API's ${v30}`);
  check((await page.locator('#info-change').textContent()).includes(fmtEs(v30 - v18)), `its change since 2018 is the API's ${v30 - v18}`);
  check(await page.locator('#info svg.chart').count() === 1, 'a time-series chart');
  await page.screenshot({ path: `${out}/webmap_compare_belen.png` });

  // Change map, then the same link opened again shows the same view.
  await page.check('input[name=mode][value=change]');
  await page.waitForFunction(() => document.querySelector('#legend h2')?.textContent.includes('2018 → 2030'));
  await page.screenshot({ path: `${out}/webmap_change.png` });
  const link = page.url();
  const again = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  await again.goto(link);
  await again.waitForSelector('body[data-ready=true]');
  await again.waitForSelector('#info-name');
  check(await again.evaluate(() => document.querySelector('input[name=mode]:checked').value) === 'change', 'the link reopens the change mode');
  check((await again.locator('#info-name').textContent()) === 'Belén', 'and the selected territory');
  check(await again.locator('#legend h2').textContent() === await page.locator('#legend h2').textContent(), 'and the same legend');

  // The page re-implements no rule: the change classes and colours are the change endpoint's `ssepot:legend`.
  const change = await api('/collections/poblacion/change?from=2018&to=2030&f=json');
  const classes = change['ssepot:legend'].classes;
  const paint = JSON.stringify(await page.evaluate(() => window.map.getPaintProperty('valores', 'fill-color')));
  check(classes.every((c) => paint.includes(`"${c.color}"`)) && classes.slice(1).every((c) => paint.includes(`,${c.min},`)),
    `the change map paints the server's ${classes.length} change classes: ${paint}`);
  const rgb = (h) => `rgb(${parseInt(h.slice(1, 3), 16)}, ${parseInt(h.slice(3, 5), 16)}, ${parseInt(h.slice(5, 7), 16)})`;
  const swatches = await page.$$eval('#legend .swatch', (els) => els.map((e) => e.style.background));
  const expected = [...classes.map((c) => c.color), change['ssepot:legend'].nd.color].map(rgb);
  check(JSON.stringify(swatches) === JSON.stringify(expected), `the change legend shows the server's colours ${swatches}`);
  // Single-year classes and the ND colour are the legend's.
  const legendDoc = await api('/styles/poblacion/legend.json?year=2030');
  await page.check('input[name=mode][value=single]');
  await page.waitForFunction(() => !document.querySelector('#legend h2')?.textContent.includes('→'));
  const singleSwatches = await page.$$eval('#legend .swatch', (els) => els.map((e) => e.style.background));
  check(JSON.stringify(singleSwatches) === JSON.stringify([...legendDoc.classes.map((c) => c.color), legendDoc.nd.color].map(rgb)),
    'the one-year legend shows the server legend\'s colours and ND');

  // A city-level indicator: the municipality's code and name come from the collection's `ssepot.city`.
  const mo = await api('/collections/mo-01');
  const cityValue = (await api(`/collections/mo-01/items/${mo.ssepot.city.code}-2023`)).properties.value;
  const cityPage = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  await cityPage.goto(base + '/#ind=mo-01&mode=single&year=2023');
  await cityPage.waitForSelector('body[data-ready=true]');
  await cityPage.waitForSelector('#info-name');
  check((await cityPage.locator('#info-name').textContent()) === mo.ssepot.city.name, `a city-level indicator shows ${mo.ssepot.city.name}`);
  check((await cityPage.locator('#info-value').textContent()).includes(fmtEs(cityValue)), `with its 2023 value ${cityValue}`);

  // A phone: 360 px wide, English.
  const phone = await browser.newPage({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  await phone.goto(base + '/#ind=sp-01&mode=single&year=2020&lang=en');
  await phone.waitForSelector('body[data-ready=true]');
  check(await phone.evaluate(() => document.documentElement.lang) === 'en', 'English is available');
  check(await phone.locator('#sample').isVisible(), 'sample data is marked as sample');
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
  check(!overflow, 'no horizontal scrolling at 360 px');
  await phone.screenshot({ path: `${out}/webmap_phone.png` });

  check(await phone.locator('h1').textContent() === titles.en, `the English title is the served one "${titles.en}"`);

  // A change map where nothing changed: one `Sin cambio` class, painted without a MapLibre error.
  const still = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  const stillErrors = [];
  still.on('console', (m) => { if (m.type() === 'error') stillErrors.push(m.text()); });
  still.on('pageerror', (e) => stillErrors.push(String(e)));
  await still.goto(base + '/#ind=poblacion&mode=change&a=2030&b=2030');
  await still.waitForSelector('body[data-ready=true]');
  await still.waitForFunction(() => document.querySelector('#legend h2')?.textContent.includes('2030 → 2030'));
  const stillItems = await still.$$eval('#legend li', (els) => els.map((e) => e.textContent));
  check(JSON.stringify(stillItems) === JSON.stringify(['Sin cambio', 'Sin dato (ND)']), `nothing changed: one class "Sin cambio" ${stillItems}`);
  const stillPaint = await still.evaluate(() => JSON.stringify(window.map.getPaintProperty('valores', 'fill-color')));
  check(!stillPaint.includes('step') && stillErrors.length === 0, `and a plain fill, no error: ${stillPaint} ${stillErrors.join(' | ')}`);

  check(errors.length === 0, `no page errors ${errors.join(' | ')}`);
  check(offsite.length === 0, `no request leaves the server ${offsite.slice(0, 3).join(' ')}`);
} finally {
  await browser.close();
}
console.log(`${failures === 0 ? 'browser webmap: all passed' : `browser webmap: ${failures} failed`}`);
process.exit(failures ? 1 : 0);
