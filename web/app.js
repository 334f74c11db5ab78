// ssepot web map: one page, no framework, no internet. MapLibre GL JS is served from /map/vendor.
'use strict';

const I18N = {
  es: {
    title: 'Indicadores territoriales', api: 'API y datos', indicator: 'Indicador', mode: 'Vista',
    single: 'Un año', compare: 'Comparar dos años', change: 'Mapa de cambio', year: 'Año', play: '▶ Reproducir',
    pause: '⏸ Pausa', from: 'Desde', to: 'Hasta', ranking: 'Ranking de territorios', download: 'Descargar',
    sample: 'Muestra sintética: valores inventados, no oficiales.', nd: 'Sin dato (ND)', unit: 'Unidad',
    source: 'Fuente', value: 'Valor', rank: 'Puesto', of: 'de', changeSince: 'Cambio desde', relative: 'relativo',
    series: 'Serie', clickHint: 'Toque o haga clic en un territorio para ver su valor, su puesto y su serie.',
    cityLevel: 'Este indicador se reporta para toda la ciudad: el mapa colorea el municipio.',
    changeLegend: 'Cambio', others: 'Otros', mapLabel: 'Mapa', highest: '1 = valor más alto', langButton: 'EN',
    langLabel: 'English', noChange: 'No se calcula cambio con un valor ND.',
    sheet: 'Ficha técnica, avance, subsistema y diagnóstico', dashboards: 'Tableros SSEPOT',
  },
  en: {
    title: 'Territorial indicators', api: 'API and data', indicator: 'Indicator', mode: 'View',
    single: 'One year', compare: 'Compare two years', change: 'Change map', year: 'Year', play: '▶ Play',
    pause: '⏸ Pause', from: 'From', to: 'To', ranking: 'Territories ranked', download: 'Download',
    sample: 'Synthetic sample: invented values, not official.', nd: 'No data (ND)', unit: 'Unit',
    source: 'Source', value: 'Value', rank: 'Rank', of: 'of', changeSince: 'Change since', relative: 'relative',
    series: 'Series', clickHint: 'Tap or click a territory to see its value, rank and series.',
    cityLevel: 'This indicator is reported for the whole city: the map colours the municipality.',
    changeLegend: 'Change', others: 'Other', mapLabel: 'Map', highest: '1 = highest value', langButton: 'ES',
    langLabel: 'Español', noChange: 'No change is computed from an ND value.',
    sheet: 'Technical sheet, progress, subsystem and diagnosis', dashboards: 'SSEPOT dashboards',
  },
};
// Rules live on the server, not here: class limits and colours come from the legend (`/styles/{id}/legend.json`),
// the change map's classes from the change endpoint's `ssepot:legend`, outline colours from the MapLibre style,
// and the municipality's code and tile layer from the collection's `ssepot.city`.

const state = { ind: null, year: null, mode: 'single', a: null, b: null, lang: 'es', sel: null, view: null };
let collections = [];
let territories = {};
let basemap = null; // optional raster XYZ template, configured on the server
let series = null; // {unit, rows: [{code, name, values: {year: value|null}}]}
let legend = null;
let changeLegend = null; // `ssepot:legend` of /collections/{id}/change for the years in `changeLegend.key`
let outlines = null; // {units, city}: line colours of the server's style
let mapB = null;
let playing = null;
const $ = (id) => document.getElementById(id);
const t = (k) => I18N[state.lang][k] || k;

function fmt(v, digits) {
  if (v === null || v === undefined || Number.isNaN(v)) return t('nd');
  const d = digits ?? (Math.abs(v) >= 100 ? 0 : 2);
  return new Intl.NumberFormat(state.lang === 'es' ? 'es-CO' : 'en-US', { maximumFractionDigits: d }).format(v);
}

// ---- URL state: indicator, years, mode, view, language, selection
function readHash() {
  const h = new URLSearchParams(location.hash.slice(1));
  state.ind = h.get('ind') || state.ind;
  for (const k of ['year', 'a', 'b']) if (h.get(k)) state[k] = Number(h.get(k));
  state.mode = h.get('mode') || state.mode;
  state.lang = h.get('lang') === 'en' ? 'en' : 'es';
  state.sel = h.get('sel');
  const v = h.get('view');
  if (v) {
    const [zoom, lat, lon] = v.split('/').map(Number);
    if ([zoom, lat, lon].every(Number.isFinite)) state.view = { zoom, center: [lon, lat] };
  }
}
function writeHash() {
  const h = new URLSearchParams();
  h.set('ind', state.ind);
  h.set('mode', state.mode);
  if (state.mode === 'single') h.set('year', state.year); else { h.set('a', state.a); h.set('b', state.b); }
  if (state.sel) h.set('sel', state.sel);
  if (window.map) {
    const c = map.getCenter();
    h.set('view', `${map.getZoom().toFixed(2)}/${c.lat.toFixed(5)}/${c.lng.toFixed(5)}`);
  }
  if (state.lang === 'en') h.set('lang', 'en');
  history.replaceState(null, '', '#' + h.toString());
}

const current = () => collections.find((c) => c.id === state.ind);
const years = () => current().ssepot.years;
const cityLevel = () => current().ssepot.city_level;
const unitSet = () => current().ssepot.unit_set;
const city = () => current().ssepot.city;

function applyLanguage() {
  document.documentElement.lang = state.lang;
  document.title = `ssepot — ${t('title')}`;
  document.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n); });
  $('lang').textContent = t('langButton');
  $('lang').setAttribute('aria-label', t('langLabel'));
  $('play').textContent = playing ? t('pause') : t('play');
}

function fillIndicatorPicker() {
  const groups = new Map();
  for (const c of collections) {
    const s = c.ssepot.sheet || {};
    const g = [s.system || t('others'), s.subsystem].filter(Boolean).join(' — ');
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g).push(c);
  }
  const sel = $('indicator');
  sel.innerHTML = '';
  for (const [g, cs] of [...groups].sort((x, y) => x[0].localeCompare(y[0], 'es'))) {
    const og = document.createElement('optgroup');
    og.label = g;
    for (const c of cs) {
      const o = document.createElement('option');
      o.value = c.id;
      o.textContent = `${c.ssepot.name} (${c.ssepot.unit})${c.ssepot.sample ? ' — muestra' : ''}`;
      og.appendChild(o);
    }
    sel.appendChild(og);
  }
  sel.value = state.ind;
}

function fillYears() {
  const ys = years();
  const first = ys[0], last = ys[ys.length - 1];
  if (!ys.includes(state.year)) state.year = last;
  if (!ys.includes(state.a)) state.a = current().ssepot.sheet?.baseline_year && ys.includes(current().ssepot.sheet.baseline_year) ? current().ssepot.sheet.baseline_year : first;
  if (!ys.includes(state.b)) state.b = last;
  Object.assign($('year'), { min: first, max: last, value: state.year });
  for (const id of ['year-a', 'year-b']) {
    $(id).innerHTML = ys.map((y) => `<option>${y}</option>`).join('');
  }
  $('year-a').value = state.a;
  $('year-b').value = state.b;
}

// ---- Colour expressions: the same classes in every year (from the server's legend), ND apart.
function classExpr(prop) {
  const steps = ['step', ['get', prop], legend.classes[0].color];
  legend.classes.slice(1).forEach((c) => steps.push(c.min, c.color));
  return ['case', ['has', prop], steps, legend.nd.color];
}
const changeKey = () => `${state.ind}:${state.a}:${state.b}`;
async function loadChange() {
  const key = changeKey();
  const doc = await fetch(`/collections/${state.ind}/change?from=${state.a}&to=${state.b}&f=json`).then((r) => r.json());
  changeLegend = { key, ...doc['ssepot:legend'] };
}
// The server's diverging classes; a step needs strictly rising limits (all changes 0 make them equal).
function changeExpr() {
  const pa = `${state.ind}_${state.a}`, pb = `${state.ind}_${state.b}`;
  const [first, ...rest] = changeLegend.classes;
  const steps = ['step', ['-', ['get', pb], ['get', pa]], first.color];
  let last = -Infinity;
  for (const c of rest) if (c.min > last) { steps.push(c.min, c.color); last = c.min; }
  // One class (nothing changed): its colour; a `step` needs at least one limit.
  return ['case', ['all', ['has', pa], ['has', pb]], steps.length > 3 ? steps : first.color, changeLegend.nd.color];
}

function paint(m, expr) {
  const cityOnly = cityLevel();
  m.setPaintProperty('valores', 'fill-color', cityOnly ? legend.nd.color : expr);
  m.setPaintProperty('valores', 'fill-opacity', cityOnly ? 0.25 : 0.9);
  // A unit set whose tiles carry no outline layer (layer file `outline = false`) has neither city layer.
  const hasCity = Boolean(m.getLayer('municipio'));
  if (hasCity) {
    m.setPaintProperty('ciudad-valores', 'fill-color', expr);
    m.setLayoutProperty('ciudad-valores', 'visibility', cityOnly ? 'visible' : 'none');
  }
  if (outlines) {
    m.setPaintProperty('lineas', 'line-color', outlines.units);
    if (hasCity) m.setPaintProperty('municipio', 'line-color', outlines.city);
  }
  m.setFilter('seleccion', ['==', ['get', 'code'], state.sel || '']);
}

function redraw() {
  if (!legend || !series) return;
  if (state.mode === 'change' && changeLegend?.key !== changeKey()) {
    loadChange().then(redraw);
    return;
  }
  if (state.mode === 'single') paint(map, classExpr(`${state.ind}_${state.year}`));
  if (state.mode === 'compare') {
    paint(map, classExpr(`${state.ind}_${state.a}`));
    if (mapB && mapB.isStyleLoaded()) paint(mapB, classExpr(`${state.ind}_${state.b}`));
  }
  if (state.mode === 'change') paint(map, changeExpr());
  $('year-out').textContent = state.year;
  $('year-badge-a').textContent = state.mode === 'single' ? state.year : state.mode === 'compare' ? state.a : `${state.a} → ${state.b}`;
  $('year-badge-b').textContent = state.b;
  drawLegend();
  drawRanking();
  drawInfo();
  updateDownloads();
  writeHash();
  document.dispatchEvent(new CustomEvent('ssepot:redraw'));
}

function drawLegend() {
  const c = current().ssepot;
  let items;
  let title;
  let nd;
  if (state.mode === 'change') {
    const cls = changeLegend.classes;
    items = cls.map((k, i) => {
      const label = k.label ?? (i === 0 ? `< ${fmt(k.max)}` : i === cls.length - 1 ? `≥ ${fmt(k.min)}` : fmtRange(k.min, k.max));
      return `<li><span class="swatch" style="background:${k.color}"></span>${label}</li>`;
    });
    title = `${t('changeLegend')} ${state.a} → ${state.b} (${c.unit})`;
    nd = changeLegend.nd.color;
  } else {
    // Spanish labels are the server's; other languages format the same limits.
    const label = (k) => (state.lang === 'es' ? k.label : fmtRange(k.min, k.max));
    items = legend.classes.map((k) => `<li><span class="swatch" style="background:${k.color}"></span>${label(k)}</li>`);
    title = `${c.name} (${c.unit})`;
    nd = legend.nd.color;
  }
  items.push(`<li><span class="swatch" style="background:${nd}"></span>${t('nd')}</li>`);
  $('legend').innerHTML = `<h2>${title}</h2><ul>${items.join('')}</ul>`;
}
function fmtRange(a, b) { return `${fmt(a)} – ${fmt(b)}`; }

function ranked(year) {
  return series.rows.filter((r) => r.code !== city().code && Number.isFinite(r.values[year]))
    .sort((x, y) => y.values[year] - x.values[year]);
}

function drawRanking() {
  const y = state.mode === 'single' ? state.year : state.b;
  const rows = ranked(y);
  $('ranking-box').querySelector('summary').textContent = `${t('ranking')} ${y} (${t('highest')})`;
  $('ranking').innerHTML = rows.map((r) => `<li><button type="button" data-code="${r.code}">${r.name}</button>: ${fmt(r.values[y])}</li>`).join('');
  $('ranking').querySelectorAll('button').forEach((b) => b.addEventListener('click', () => select(b.dataset.code)));
}

function chart(row, mark) {
  const ys = years().filter((y) => Number.isFinite(row.values[y]));
  if (ys.length < 2) return '';
  const vs = ys.map((y) => row.values[y]);
  const [x0, x1] = [ys[0], ys[ys.length - 1]];
  const [v0, v1] = [Math.min(...vs), Math.max(...vs)];
  const X = (y) => 30 + ((y - x0) / (x1 - x0 || 1)) * 260;
  const Y = (v) => 100 - ((v - v0) / (v1 - v0 || 1)) * 85;
  const pts = ys.map((y) => `${X(y).toFixed(1)},${Y(row.values[y]).toFixed(1)}`).join(' ');
  const m = Number.isFinite(row.values[mark]) ? `<circle cx="${X(mark)}" cy="${Y(row.values[mark])}" r="4" fill="#d7191c"/>` : '';
  return `<svg class="chart" viewBox="0 0 300 120" role="img" aria-label="${t('series')} ${row.name}">
    <polyline fill="none" stroke="#2c7fb8" stroke-width="2" points="${pts}"/>${m}
    <text x="30" y="116" font-size="10">${x0}</text><text x="290" y="116" font-size="10" text-anchor="end">${x1}</text>
    <text x="2" y="12" font-size="10">${fmt(v1)}</text><text x="2" y="102" font-size="10">${fmt(v0)}</text></svg>`;
}

function drawInfo() {
  const c = current().ssepot;
  const code = cityLevel() ? city().code : state.sel;
  const row = series.rows.find((r) => r.code === code);
  if (!row) {
    $('info').innerHTML = `<p class="meta">${cityLevel() ? t('cityLevel') : t('clickHint')}</p>`;
    return;
  }
  const y = state.mode === 'single' ? state.year : state.b;
  const base = state.mode === 'single' ? (c.sheet?.baseline_year && years().includes(c.sheet.baseline_year) ? c.sheet.baseline_year : years()[0]) : state.a;
  const v = row.values[y], v0 = row.values[base];
  const r = ranked(y);
  const rank = r.findIndex((x) => x.code === row.code);
  const delta = Number.isFinite(v) && Number.isFinite(v0) ? v - v0 : null;
  const rel = delta !== null && v0 !== 0 ? (100 * delta) / v0 : null;
  const changeText = delta === null ? t('noChange') : `${delta > 0 ? '+' : ''}${fmt(delta)} ${c.unit}${rel === null ? '' : ` (${rel > 0 ? '+' : ''}${fmt(rel, 1)} % ${t('relative')})`}`;
  $('info').innerHTML = `<h2 id="info-name">${row.name}</h2>
    <table>
      <tr><th>${t('value')} ${y}</th><td class="n" id="info-value">${fmt(v)} ${Number.isFinite(v) ? c.unit : ''}</td></tr>
      ${row.code === city().code ? '' : `<tr><th>${t('rank')} ${y}</th><td class="n" id="info-rank">${rank >= 0 ? `${rank + 1} ${t('of')} ${r.length}` : t('nd')}</td></tr>`}
      <tr><th>${t('changeSince')} ${base}</th><td class="n" id="info-change">${changeText}</td></tr>
    </table>${chart(row, y)}`;
}

function updateDownloads() {
  const id = state.ind;
  for (const f of ['csv', 'xlsx', 'gpkg', 'json']) {
    $(`dl-${f}`).href = state.mode === 'single'
      ? `/collections/${id}/items?year=${state.year}&limit=1000&f=${f}`
      : `/collections/${id}/change?from=${state.a}&to=${state.b}&f=${f}`;
  }
}

function select(code) {
  state.sel = code;
  redraw();
}

// ---- Maps
// Fills and outlines start transparent; the legend and the server's style colour them.
const NONE = 'rgba(0,0,0,0)';
function styleFor(set) {
  const cityLayer = city().tile_layer;
  const sources = { t: { type: 'vector', url: `${location.origin}/tiles/${set}.json` } };
  const under = [];
  if (basemap) {
    sources.base = { type: 'raster', tiles: [basemap], tileSize: 256 };
    under.push({ id: 'mapa-base', type: 'raster', source: 'base' });
  }
  // Territory names as a symbol layer (MapLibre drops the ones that would overlap), with glyphs ssepot serves.
  sources.etiquetas = { type: 'geojson', data: { type: 'FeatureCollection', features: territories[set].units.filter((u) => u.label).map((u) => ({ type: 'Feature', properties: { name: u.name }, geometry: { type: 'Point', coordinates: u.label } })) } };
  return {
    version: 8,
    glyphs: `${location.origin}/map/glyphs/{fontstack}/{range}.pbf`,
    sources,
    layers: [
      { id: 'fondo', type: 'background', paint: { 'background-color': '#f4f4f0' } },
      ...under,
      { id: 'valores', type: 'fill', source: 't', 'source-layer': set, paint: { 'fill-color': NONE, 'fill-opacity': 0.9 } },
      ...(cityLayer ? [{ id: 'ciudad-valores', type: 'fill', source: 't', 'source-layer': cityLayer, layout: { visibility: 'none' }, paint: { 'fill-color': NONE, 'fill-opacity': 0.9 } }] : []),
      { id: 'lineas', type: 'line', source: 't', 'source-layer': set, paint: { 'line-color': NONE, 'line-width': 0.8 } },
      { id: 'seleccion', type: 'line', source: 't', 'source-layer': set, filter: ['==', ['get', 'code'], ''], paint: { 'line-color': '#d7191c', 'line-width': 3 } },
      ...(cityLayer ? [{ id: 'municipio', type: 'line', source: 't', 'source-layer': cityLayer, paint: { 'line-color': NONE, 'line-width': 2 } }] : []),
      { id: 'etiquetas', type: 'symbol', source: 'etiquetas', layout: { 'text-field': ['get', 'name'], 'text-font': ['DejaVu Sans Bold'], 'text-size': 11, 'text-max-width': 7, 'text-padding': 3 }, paint: { 'text-color': '#1a1a1a', 'text-halo-color': '#ffffff', 'text-halo-width': 1.6 } },
    ],
  };
}

function newMap(container, view) {
  const m = new maplibregl.Map({ container, style: styleFor(unitSet()), center: view.center, zoom: view.zoom, attributionControl: { compact: true }, dragRotate: false });
  m.addControl(new maplibregl.NavigationControl({ showCompass: false }));
  m.on('click', 'valores', (e) => { if (e.features.length) select(e.features[0].properties.code); });
  m.on('mouseenter', 'valores', () => { m.getCanvas().style.cursor = 'pointer'; });
  m.on('mouseleave', 'valores', () => { m.getCanvas().style.cursor = ''; });
  return m;
}

let syncing = false;
function sync(from, to) {
  from.on('move', () => {
    if (syncing || !to) return;
    syncing = true;
    to.jumpTo({ center: from.getCenter(), zoom: from.getZoom() });
    syncing = false;
  });
}

function setMode(mode) {
  state.mode = mode;
  document.querySelector(`input[name=mode][value=${mode}]`).checked = true;
  $('single-controls').hidden = mode !== 'single';
  $('pair-controls').hidden = mode === 'single';
  const two = mode === 'compare';
  $('map-b').hidden = !two;
  $('year-badge-b').hidden = !two;
  if (two && !mapB) {
    mapB = newMap('map-b', { center: map.getCenter(), zoom: map.getZoom() });
    window.mapB = mapB;
    sync(map, mapB);
    sync(mapB, map);
    mapB.on('load', redraw);
  }
  map.resize();
  if (mapB) mapB.resize();
  redraw();
}

async function loadIndicator(id) {
  state.ind = id;
  const c = current();
  // The office once: the attribution often names it already.
  const office = c.ssepot.sheet?.office;
  $('meta').textContent = office && !c.ssepot.attribution.includes(office) ? `${office} · ${c.ssepot.attribution}` : c.ssepot.attribution;
  $('sample').hidden = !c.ssepot.sample;
  $('sheet-link').href = `${c.ssepot.sheet_url}?f=html`;
  fillYears();
  let style;
  [legend, series, style] = await Promise.all([
    fetch(`/styles/${id}/legend.json`).then((r) => r.json()),
    fetch(`/collections/${id}/series`).then((r) => r.json()),
    fetch(`/styles/${id}.json`).then((r) => r.json()),
  ]);
  // The style's outline layers read the unit layer and the city layer of the tiles.
  const lineOf = (layer) => style.layers.find((l) => l.type === 'line' && l['source-layer'] === layer)?.paint['line-color'];
  outlines = { units: lineOf(unitSet()), city: lineOf(city().tile_layer) };
  redraw();
}

function play() {
  if (playing) {
    clearInterval(playing);
    playing = null;
  } else {
    playing = setInterval(() => {
      const ys = years();
      state.year = ys[(ys.indexOf(state.year) + 1) % ys.length];
      $('year').value = state.year;
      redraw();
    }, 1200);
  }
  $('play').textContent = playing ? t('pause') : t('play');
}

async function main() {
  readHash();
  applyLanguage();
  const [cols, terr] = await Promise.all([
    fetch('/collections?f=json').then((r) => r.json()),
    fetch('/map/territorios.json').then((r) => r.json()),
  ]);
  collections = cols.collections.filter((c) => c.ssepot.kind === 'indicator');
  territories = terr.unit_sets;
  basemap = terr.basemap;
  // The title is the layer files' (`[web_map]`), as the server serves it.
  I18N.es.title = terr.title.es;
  I18N.en.title = terr.title.en;
  applyLanguage();
  if (!current()) state.ind = (collections.find((c) => c.id === 'poblacion') || collections[0]).id;
  fillIndicatorPicker();
  const set = territories[unitSet()];
  const view = state.view || { center: [(set.bbox[0] + set.bbox[2]) / 2, (set.bbox[1] + set.bbox[3]) / 2], zoom: 10.3 };
  window.map = newMap('map', view);
  map.on('moveend', writeHash);
  map.on('load', async () => {
    await loadIndicator(state.ind);
    setMode(state.mode);
    document.body.dataset.ready = 'true';
  });
  $('indicator').addEventListener('change', async (e) => { state.sel = null; await loadIndicator(e.target.value); });
  $('year').addEventListener('input', (e) => { state.year = Number(e.target.value); redraw(); });
  $('year-a').addEventListener('change', (e) => { state.a = Number(e.target.value); redraw(); });
  $('year-b').addEventListener('change', (e) => { state.b = Number(e.target.value); redraw(); });
  document.querySelectorAll('input[name=mode]').forEach((r) => r.addEventListener('change', (e) => setMode(e.target.value)));
  $('play').addEventListener('click', play);
  $('lang').addEventListener('click', () => { state.lang = state.lang === 'es' ? 'en' : 'es'; applyLanguage(); fillIndicatorPicker(); redraw(); });
}

main();
