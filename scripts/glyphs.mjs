// Generates the web map's label glyphs (MapLibre glyph PBFs, signed distance fields) from the shipped font
// fonts/DejaVuSans-Bold.ttf, with the same tools MapLibre GL JS uses for its own local glyphs: @mapbox/tiny-sdf
// (rendering in headless Chromium's canvas, the font loaded with FontFace) and pbf (encoding). The output is
// committed in web/glyphs/ and embedded in the binary; run again only to change the font or the ranges.
// usage: node scripts/glyphs.mjs
import { chromium } from 'playwright-core';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Pbf = require('pbf');
const STACK = 'DejaVu Sans Bold';
const RANGES = [[0, 255], [256, 511], [8192, 8447]]; // Basic Latin + Latin-1, Latin Extended-A/B, punctuation
const font = readFileSync('fonts/DejaVuSans-Bold.ttf').toString('base64');
const tinySdf = readFileSync(new URL('../node_modules/@mapbox/tiny-sdf/index.js', import.meta.url), 'utf8').replace('export default class TinySDF', 'window.TinySDF = class TinySDF');

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage();
await page.setContent('<!doctype html><title>glyphs</title>');
await page.addScriptTag({ content: tinySdf });
await page.evaluate(async (b64) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const face = new FontFace('ssepot-glyphs', bytes, { weight: 'bold' });
  await face.load();
  document.fonts.add(face);
}, font);

mkdirSync(`web/glyphs/${STACK}`, { recursive: true });
for (const [from, to] of RANGES) {
  const glyphs = await page.evaluate(([a, b]) => {
    // MapLibre's glyph PBFs: 24 px, a 3 px border, an 8 px radius.
    const sdf = new window.TinySDF({ fontSize: 24, buffer: 3, radius: 8, cutoff: 0.25, fontFamily: 'ssepot-glyphs', fontWeight: 'bold' });
    const out = [];
    for (let id = a; id <= b; id++) {
      const ch = String.fromCharCode(id);
      if (id < 32 || (id >= 127 && id < 160)) continue;
      const g = sdf.draw(ch);
      out.push({ id, width: g.glyphWidth, height: g.glyphHeight, left: g.glyphLeft, top: g.glyphTop, advance: g.glyphAdvance, data: Array.from(g.data) });
    }
    return out;
  }, [from, to]);
  const pbf = new Pbf();
  pbf.writeMessage(1, (_, p) => {
    p.writeStringField(1, STACK);
    p.writeStringField(2, `${from}-${to}`);
    for (const g of glyphs) {
      p.writeMessage(3, (gl, q) => {
        q.writeVarintField(1, gl.id);
        // A glyph with no ink (space) has no bitmap, only its advance.
        if (gl.width > 0 && gl.height > 0) q.writeBytesField(2, Uint8Array.from(gl.data));
        q.writeVarintField(3, gl.width);
        q.writeVarintField(4, gl.height);
        q.writeSVarintField(5, Math.round(gl.left));
        // tiny-sdf's top is from the baseline; server glyphs count it from above the em box (MapLibre's own
        // local glyphs shift by the same 27 px at 24 px).
        q.writeSVarintField(6, Math.round(gl.top - 27));
        q.writeVarintField(7, Math.round(gl.advance));
      }, g);
    }
  }, null);
  writeFileSync(`web/glyphs/${STACK}/${from}-${to}.pbf`, pbf.finish());
  console.log(`web/glyphs/${STACK}/${from}-${to}.pbf: ${glyphs.length} glyphs`);
}
await browser.close();
