// Browser test of the territorial levels of the web map (web/territory.js): zoom from comunas to barrios, find
// Moravia by typing "moravia", compare 2018 and 2030 at barrio level with each side's boundary edition, drill
// down from a comuna to its barrios, and the boundaries' licence on the map.
// usage: node tests/browser/territory.mjs BASE_URL   (screenshots go to tests/artifacts/)
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
  const shown = () => page.evaluate(() => window.map.getStyle().layers.find((l) => l.id === 'valores')['source-layer']);
  const rendered = () => page.evaluate(() => [...new Set(window.map.queryRenderedFeatures({ layers: ['valores'] }).map((f) => f.properties.code))]);

  // Population by barrio rolled up to the 2014 comunas, at the city's zoom.
  await page.goto(`${base}/#ind=poblacion_barrios_comunas&mode=single&year=2018&view=11/6.25/-75.58`, { waitUntil: 'load' });
  await page.waitForSelector('body[data-territory-ready=true]', { timeout: 60000 });
  await page.waitForFunction(() => window.map.areTilesLoaded() && window.map.queryRenderedFeatures({ layers: ['valores'] }).length > 0, null, { timeout: 30000 });
  check(await shown() === 'comunas_2014', `the comuna level draws the 2014 comunas (${await shown()})`);
  const comunaCodes = await rendered();
  check(comunaCodes.includes('10') && comunaCodes.every((c) => c.length <= 4), `comunas on the map (${comunaCodes.length})`);
  const licence = await page.locator('.territory-licence').textContent();
  check(licence.includes('CC BY-SA 4.0') && licence.includes('no puede ser comercializada o transferida'), `the map shows the boundaries' licence: "${licence}"`);
  check((await page.locator('#territory-levels').isVisible()), 'the level control shows for an indicator with two levels');

  // Zooming in past the server's zoom switches to the barrios.
  const zoom = (await api('/collections/poblacion_barrios_comunas')).ssepot.territory.child_zoom;
  await page.evaluate((z) => window.map.jumpTo({ zoom: z + 0.5, center: [-75.565, 6.275] }), zoom);
  await page.waitForFunction(() => state.ind === 'poblacion_barrios' && !territory.switching, null, { timeout: 30000 });
  await page.waitForFunction(() => window.map.areTilesLoaded() && window.map.queryRenderedFeatures({ layers: ['valores'] }).length > 0, null, { timeout: 30000 });
  check(await shown() === 'barrios_2014', `zoom ${zoom + 0.5} draws the barrios (${await shown()})`);
  const barrioCodes = await rendered();
  check(barrioCodes.length > 5 && barrioCodes.some((c) => /^\d{4}$/.test(c)), `barrios on the map (${barrioCodes.slice(0, 5)}…)`);
  await page.screenshot({ path: `${out}/territory_zoom_barrios.png` });

  // Find Moravia by typing it without its capital.
  await page.fill('#territory-search', 'moravia');
  await page.waitForSelector('#territory-results button', { timeout: 10000 });
  const first = page.locator('#territory-results button').first();
  check((await first.textContent()) === 'Moravia', 'typing "moravia" finds Moravia');
  const code = await first.getAttribute('data-code');
  await first.click();
  await page.waitForFunction(() => document.querySelector('#info-name')?.textContent === 'Moravia', null, { timeout: 10000 });
  check(true, `Moravia (${code}) is selected`);

  // Compare 2018 and 2030 at barrio level: both sides say their edition, the values are the API's.
  await page.check('input[name=mode][value=compare]');
  await page.selectOption('#year-a', '2018');
  await page.selectOption('#year-b', '2030');
  await page.waitForFunction(() => window.mapB && window.mapB.loaded() && window.mapB.areTilesLoaded(), null, { timeout: 30000 });
  const layerB = await page.evaluate(() => window.mapB.getStyle().layers.find((l) => l.id === 'valores')['source-layer']);
  check(layerB === 'barrios_2014', `the second map draws the barrios too (${layerB})`);
  const s = await api(`/collections/poblacion_barrios/series?code=${code}`);
  const v18 = s.rows[0].values['2018'], v30 = s.rows[0].values['2030'];
  check((await page.locator('#info-value').textContent()).includes(fmtEs(v30)), `Moravia's 2030 value is the API's ${v30}`);
  check((await page.locator('#info-change').textContent()).includes(fmtEs(v30 - v18)), `its change since 2018 is the API's ${v30 - v18}`);
  const ea = await page.locator('#edition-badge-a').textContent(), eb = await page.locator('#edition-badge-b').textContent();
  check(ea.includes('POT 2014') && eb.includes('POT 2014') && await page.locator('#edition-badge-b').isVisible(), `each side says its edition ("${ea}", "${eb}")`);
  await page.screenshot({ path: `${out}/territory_compare_moravia.png` });

  // The change 2018 → 2030 drawn on the catastral edition goes through the crosswalk, and the map says so.
  await page.check('input[name=mode][value=change]');
  await page.waitForSelector('#territory-cross', { state: 'visible' });
  await page.check('#territory-cross-on');
  await page.waitForFunction(() => window.map.getLayer('cruce-valores') && window.map.areTilesLoaded() && window.map.queryRenderedFeatures({ layers: ['cruce-valores'] }).length > 0, null, { timeout: 30000 });
  const crossBadge = await page.locator('#edition-badge-a').textContent();
  check(crossBadge.includes('POT 2014') && crossBadge.includes('Catastral') && crossBadge.includes('barrios_2014_a_catastral'), `the change map names both editions and the crosswalk: "${crossBadge}"`);
  const drawn = await page.evaluate(() => window.map.queryRenderedFeatures({ layers: ['cruce-valores'] })[0].properties);
  check(drawn.crosswalk === 'barrios_2014_a_catastral' && 'estimate' in drawn, `its features come from the crosswalk (${drawn.code}, estimate ${drawn.estimate})`);
  check((await page.getAttribute('#dl-csv', 'href')).includes('edition=barrios_catastral'), 'the CSV download is the same change');
  await page.screenshot({ path: `${out}/territory_change_catastral.png` });
  await page.uncheck('#territory-cross-on');
  await page.waitForFunction(() => !window.map.getLayer('cruce-valores'));

  // Back to one year and the comunas, then drill down from comuna 10 to its barrios.
  await page.check('input[name=mode][value=single]');
  await page.check('input[name=territory-level][value=parent]');
  await page.waitForFunction(() => state.ind === 'poblacion_barrios_comunas' && !territory.switching, null, { timeout: 30000 });
  await page.evaluate(() => select('10'));
  await page.waitForSelector('#drill');
  await page.click('#drill');
  await page.waitForFunction(() => state.ind === 'poblacion_barrios' && document.querySelector('#territory-results p')?.textContent.startsWith('Barrios y veredas de'), null, { timeout: 30000 });
  check((await page.locator('#territory-results p').textContent()).includes('Candelaria'), 'the list is named after comuna 10, La Candelaria');
  const listed = await page.locator('#territory-results button').count();
  const expected = (await api('/collections/barrios_2014/items?parent=10&limit=1000')).numberMatched;
  check(listed === expected, `drilling into comuna 10 lists its ${expected} barrios (${listed})`);
  await page.screenshot({ path: `${out}/territory_drill_10.png` });
  check(errors.length === 0, `no page errors ${errors.join(' | ')}`);
} finally {
  await browser.close();
}
if (failures) { console.log(`${failures} failed`); process.exit(1); }
console.log('all passed');
