// Browser test of the reporting workflow, in headless Chromium: an office uploads an XLSX with ND and a
// decimal comma → the reviewer returns one row → the office fixes it → the reviewer verifies, validates and
// publishes → the web map shows the new value → the change log shows all of it.
// usage: node tests/browser/reporting.mjs   (starts its own server on a fresh store; screenshots in tests/artifacts/)
import { chromium } from 'playwright-core';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = process.env.SSEPOT_BIN || 'target/debug/ssepot';
const out = 'tests/artifacts';
mkdirSync(out, { recursive: true });
let failures = 0;
const check = (cond, msg) => { console.log(`${cond ? 'ok  ' : 'FAIL'} ${msg}`); if (!cond) failures++; };

// A fresh store with an office that reports homicides and a DAP reviewer.
const store = join(mkdtempSync(join(tmpdir(), 'ssepot-reporte-')), 'reporting.sqlite');
const cli = (...args) => execFileSync(bin, ['store', '--store', store, ...args], { encoding: 'utf8' }).trim();
cli('add-office', 'seguridad', '--name', 'Secretaría de Seguridad y Convivencia', '--indicator', 'homicidios');
const officeToken = cli('add-token', '--role', 'office', '--office', 'seguridad', '--label', 'Ana (Seguridad)');
const reviewerToken = cli('add-token', '--role', 'reviewer', '--label', 'Luis (DAP)');

const server = spawn(bin, ['serve', 'layers', '--addr', '127.0.0.1:0', '--store', store], { env: { ...process.env, NO_COLOR: '1' } });
const base = await new Promise((resolve, reject) => {
  let log = '';
  server.stderr.on('data', (d) => {
    log += d;
    const m = log.match(/on (http:\/\/[0-9.:]+)/);
    if (m) resolve(m[1]);
  });
  server.on('exit', (c) => reject(new Error(`server exited ${c}: ${log}`)));
});

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const login = async (token) => {
  const ctx = await browser.newContext({ viewport: { width: 1300, height: 900 } });
  const page = await ctx.newPage();
  await page.goto(base + '/reporte');
  await page.fill('#token', token);
  await Promise.all([page.waitForNavigation(), page.click('#entrar')]);
  return page;
};
const stateOf = (page, territory) => page.locator(`#valores tr:has(td:text-is("${territory}"))`).first().getAttribute('data-state');

try {
  // The office uploads its workbook.
  const office = await login(officeToken);
  check(office.url().endsWith('/reporte/oficina'), `the office lands on its page (${office.url()})`);
  await office.setInputFiles('#archivo', 'tests/fixtures/reporte_seguridad_2023.xlsx');
  await Promise.all([office.waitForNavigation(), office.click('#enviar')]);
  const received = await office.locator('#recibido').textContent().catch(() => '');
  check(received.includes('3 valores'), `the upload is received: "${received.trim()}"`);
  const rows = await office.locator('#filas tbody tr').allTextContents();
  check(rows[0].includes('45,5') && rows[0].includes('aceptado'), `row 2: decimal comma read as 45,5 ("${rows[0]}")`);
  check(rows[1].includes('ND'), `row 3: ND ("${rows[1]}")`);
  check(rows[2].includes('30'), `row 4: a number cell ("${rows[2]}")`);
  await office.screenshot({ path: `${out}/reporte_oficina_subida.png`, fullPage: true });

  // The reviewer sees the queue with the published value beside each, and returns the row of comuna 12.
  const reviewer = await login(reviewerToken);
  check(reviewer.url().endsWith('/reporte/revision'), 'the reviewer lands on the queue');
  check(await reviewer.locator('#cola tbody tr').count() === 3, 'three values wait for review');
  const row12 = reviewer.locator('#cola tbody tr', { hasText: '12 · ' });
  const published12 = (await row12.locator('td').nth(7).textContent()).trim();
  check(published12 !== '' && published12 !== '—', `the queue shows the value published today for comuna 12 (${published12})`);
  await row12.locator('input[type=checkbox]').check();
  await reviewer.fill('#motivo', 'Cifra sin soporte en el SIEDCO');
  await Promise.all([reviewer.waitForNavigation(), reviewer.click('#devolver')]);
  check(await reviewer.locator('#cola tbody tr').count() === 2, 'the returned row leaves the queue');
  await reviewer.screenshot({ path: `${out}/reporte_revision.png`, fullPage: true });

  // The office sees why, and sends a corrected value.
  await office.goto(base + '/reporte/oficina');
  const returned = office.locator('#valores tr[data-state=devuelto]');
  check((await returned.textContent()).includes('Cifra sin soporte en el SIEDCO'), 'the office sees the reason');
  await returned.locator('input[name=value]').fill('28');
  await Promise.all([office.waitForNavigation(), returned.locator('button').click()]);
  check(await office.locator('#recibido').count() === 1, 'the correction is received');

  // The reviewer verifies, validates and publishes the three.
  for (const action of ['verificar', 'validar', 'publicar']) {
    await reviewer.goto(base + '/reporte/revision');
    for (const box of await reviewer.locator('#cola input[type=checkbox]').all()) await box.check();
    await Promise.all([reviewer.waitForNavigation(), reviewer.click(`#${action}`)]);
    check(await reviewer.locator('#aviso').count() === 1, `${action}: done`);
  }
  check(await reviewer.locator('#cola tbody tr[data-item]').count() === 0, 'the queue is empty after publishing');

  // The public API and the web map show the published values.
  const items = await (await fetch(`${base}/collections/homicidios/items?year=2023&limit=100`)).json();
  const value = (code) => items.features.find((f) => f.properties.code === code)?.properties.value;
  check(value('10') === 45.5 && value('11') === null && value('12') === 28, `API: 10 → ${value('10')}, 11 → ${value('11')}, 12 → ${value('12')}`);
  const map = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  await map.goto(`${base}/map/#ind=homicidios&year=2023`);
  await map.waitForSelector('body[data-ready=true]', { timeout: 30000 });
  await map.waitForFunction(() => window.map.areTilesLoaded() && window.map.queryRenderedFeatures({ layers: ['valores'] }).length > 0, null, { timeout: 30000 });
  const tileValue = await map.evaluate(() => {
    const f = window.map.queryRenderedFeatures({ layers: ['valores'] }).find((x) => String(x.properties.code) === '10');
    return f?.properties.homicidios_2023;
  });
  check(tileValue === 45.5, `the map's vector tile carries 45,5 for La Candelaria (${tileValue})`);
  await map.locator('#ranking-box summary').click();
  const candelaria = (await map.locator('#ranking li', { hasText: 'La Candelaria' }).textContent()) || '';
  check(candelaria.includes('45,5'), `the ranking shows La Candelaria with 45,5 ("${candelaria}")`);
  await map.screenshot({ path: `${out}/reporte_mapa.png` });

  // The change log shows every step, with who and why.
  await reviewer.goto(base + '/reporte/registro');
  const log = await reviewer.locator('#registro tbody tr').allTextContents();
  const actions = await reviewer.locator('#registro tbody tr td:nth-child(4)').allTextContents();
  const count = (a) => actions.filter((x) => x === a).length;
  check(count('reportado') === 4, `4 submissions logged (${count('reportado')})`);
  check(log.some((r) => r.includes('devuelto') && r.includes('Cifra sin soporte') && r.includes('Luis (DAP)')), 'the return, with its reason and reviewer');
  check(count('publicado') === 3 && count('validado') === 3 && count('verificado') === 3 && count('devuelto') === 1,
    `three verified, validated and published, one returned (${actions.join(' ')})`);
  check(log.some((r) => r.includes('Ana (Seguridad)') && r.includes('45.5')), 'the office as the author of 45.5');
  await reviewer.screenshot({ path: `${out}/reporte_registro.png`, fullPage: true });
} catch (e) {
  console.log('FAIL', e);
  failures++;
} finally {
  await browser.close();
  server.kill('SIGTERM');
}
console.log(failures ? `${failures} failures` : 'all passed');
process.exit(failures ? 1 : 0);
