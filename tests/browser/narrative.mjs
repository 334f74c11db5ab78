// Browser test of the report's texts, in headless Chromium: a DAP reviewer writes the POT–PDD chapter's text on
// /reporte/textos → the page offers her no button for her own version → another reviewer verifies, validates and
// publishes it there → the management report shows it (escaped) with its version, author and reviewer; the texts
// page passes axe-core (WCAG 2.1 A/AA).
// usage: node tests/browser/narrative.mjs   (starts its own server on a fresh store; screenshots in tests/artifacts/)
import { chromium } from 'playwright-core';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const axePath = require.resolve('axe-core/axe.min.js');
const bin = process.env.SSEPOT_BIN || 'target/debug/ssepot';
const out = 'tests/artifacts';
mkdirSync(out, { recursive: true });
let failures = 0;
const check = (cond, msg) => { console.log(`${cond ? 'ok  ' : 'FAIL'} ${msg}`); if (!cond) failures++; };

async function axe(page, name) {
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(async () => window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }));
  for (const v of result.violations) console.log(`     axe ${v.id}: ${v.help} (${v.nodes.length}) ${v.nodes.slice(0, 3).map((n) => n.target).join(' | ')}`);
  check(result.violations.length === 0, `${name}: axe-core finds no WCAG 2.1 A/AA violation (${result.violations.length})`);
}

// A fresh store with two DAP reviewers.
const store = join(mkdtempSync(join(tmpdir(), 'ssepot-textos-')), 'reporting.sqlite');
const cli = (...args) => execFileSync(bin, ['store', '--store', store, ...args], { encoding: 'utf8' }).trim();
const author = cli('add-token', '--role', 'reviewer', '--label', 'Marta (DAP, Subdirección de Información)');
const publisher = cli('add-token', '--role', 'reviewer', '--label', 'Luis (DAP, Dirección)');

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

const words = 'La relación entre el POT y el Plan de Desarrollo <mejoró> en 2023 según el DAP.';
try {
  const marta = await login(author);
  await Promise.all([marta.waitForNavigation(), marta.click('a[href="/reporte/textos"]')]);
  check(marta.url().includes('/reporte/textos'), `the nav leads to the texts page (${marta.url()})`);
  await axe(marta, 'texts page');
  await marta.fill('#nuevo-pdd', words);
  await Promise.all([marta.waitForNavigation(), marta.locator('#s-pdd form.escribir button').click()]);
  check((await marta.locator('#aviso').textContent()).includes('otra persona del DAP'), 'the new version is sent to review');
  const own = marta.locator('#s-pdd tr[data-state=reportado]');
  check(await own.count() === 1 && await own.locator('input[type=checkbox]').count() === 0, 'no box for the author on her own version');
  await marta.screenshot({ path: `${out}/reporte_textos_autora.png`, fullPage: true });

  const luis = await login(publisher);
  for (const action of ['verificado', 'validado', 'publicado']) {
    await luis.goto(base + '/reporte/textos?corte=2023-12-31');
    await luis.locator('#s-pdd input[name=texto][type=checkbox]').check();
    await Promise.all([luis.waitForNavigation(), luis.locator(`#s-pdd button[value=${action}]`).click()]);
    check((await luis.locator('#aviso').textContent()).includes(action), `${action}: done`);
  }
  const shown = await luis.locator('#s-pdd .publicado').textContent();
  check(shown.includes('publicado en ssepot') && shown.includes('<mejoró>'), `the page shows what the report shows ("${shown.trim().slice(0, 80)}…")`);
  await axe(luis, 'texts page after publication');

  const report = await browser.newPage();
  await report.goto(`${base}/ssepot/informe?corte=2023-12-31`);
  const pdd = await report.locator('section#pdd .narrativa').textContent();
  check(pdd.includes(words), 'the report shows the text as written (escaped, not markup)');
  const html = await report.locator('section#pdd .narrativa').innerHTML();
  check(html.includes('&lt;mejoró&gt;'), 'no element came from the text: it is escaped in the page');
  check(pdd.includes('de Marta (DAP, Subdirección de Información); revisado por Luis (DAP, Dirección)'), `author and reviewer ("${pdd.trim().slice(-120)}")`);
  await report.locator('section#pdd .narrativa').screenshot({ path: `${out}/reporte_textos_informe.png` });
} catch (e) {
  console.log('FAIL', e);
  failures++;
} finally {
  await browser.close();
  server.kill('SIGTERM');
}
console.log(failures ? `${failures} failures` : 'all passed');
process.exit(failures ? 1 : 0);
