// ssepot web map, territorial levels (docs/territory.md): comunas ↔ barrios by zoom or by choice, drill-down
// from a comuna to its barrios, search of a barrio or vereda by name, the boundary edition of each side, and the
// licence of the boundaries. Loaded after app.js, whose globals (state, map, mapB, collections, territories,
// loadIndicator, drawInfo, redraw, styleFor, select, current, unitSet, t) it uses.
// Rules live on the server: which collections are the two levels of one quantity and from which zoom the lower
// one shows (`ssepot.territory.rollup`, `rollup_of`, `child_zoom`), the units' parents and editions
// (/map/territorios.json), and name matching without accents (`/items?q=`).
'use strict';

const TERRITORY_I18N = {
  es: {
    level: 'Nivel territorial', comunas: 'Comunas', barrios: 'Barrios y veredas', auto: 'Según el zoom',
    search: 'Buscar barrio o vereda', noMatch: 'Ningún barrio o vereda con ese nombre.',
    drill: 'Ver sus barrios', edition: 'Límites', licence: 'Límites',
    barriosOf: 'Barrios y veredas de', drawOn: 'Dibujar en la edición', values: 'valores',
    map: 'mapa', crosswalk: 'cruce', estimate: 'los barrios partidos se reparten por área (estimación)',
  },
  en: {
    level: 'Territorial level', comunas: 'Comunas', barrios: 'Barrios and veredas', auto: 'By zoom',
    search: 'Find a barrio or vereda', noMatch: 'No barrio or vereda has that name.',
    drill: 'Show its barrios', edition: 'Boundaries', licence: 'Boundaries',
    barriosOf: 'Barrios and veredas of', drawOn: 'Draw on the edition', values: 'values',
    map: 'map', crosswalk: 'crosswalk', estimate: 'split barrios are divided by area (estimate)',
  },
};
const tt = (k) => TERRITORY_I18N[state.lang]?.[k] || TERRITORY_I18N.es[k];
const territory = { auto: true, shownSet: null, switching: false, restyling: false, crosswalks: [], cross: null, crossKey: null };

const terr = (c) => c?.ssepot?.territory || {};
const byId = (id) => collections.find((c) => c.id === id);
// The indicator's two levels: {parent, child} collection ids, or null when it has one level only.
function levels(c = current()) {
  const x = terr(c);
  if (x.rollup) return { parent: x.rollup, child: c.id, zoom: x.child_zoom };
  if (x.rollup_of) return { parent: c.id, child: x.rollup_of, zoom: x.child_zoom };
  return null;
}
const setOf = (id) => byId(id)?.ssepot.unit_set;
const shownLayer = (m) => m.getStyle()?.layers.find((l) => l.id === 'valores')?.['source-layer'];

function editionText(set) {
  const e = territories[set]?.edition;
  return e ? `${tt('edition')}: ${e.name}` : '';
}

// The maps' vector tiles follow the indicator's unit set: a new style when it changes.
async function restyle(set) {
  const maps = [map, typeof mapB === 'undefined' ? null : mapB].filter(Boolean);
  await Promise.all(maps.map((m) => new Promise((resolve) => {
    if (shownLayer(m) === set) return resolve();
    m.once('style.load', () => resolve());
    m.setStyle(styleFor(set), { diff: false });
  })));
  territory.shownSet = set;
  territory.crossKey = null;
  territory.crossDoc = null;
  drawLicence();
}

const appLoadIndicator = loadIndicator;
window.loadIndicator = async function loadIndicatorOnItsSet(id) {
  const set = setOf(id);
  if (window.map && set && shownLayer(map) !== set) {
    state.ind = id;
    territory.restyling = true;
    try {
      await restyle(set);
    } finally {
      territory.restyling = false;
    }
  }
  await appLoadIndicator(id);
  $('indicator').value = id;
  drawLevelControls();
};

async function switchTo(id) {
  if (!id || id === state.ind || territory.switching) return;
  territory.switching = true;
  try {
    if (!state.sel || !series?.rows.some((r) => r.code === state.sel)) state.sel = null;
    await loadIndicator(id);
  } finally {
    territory.switching = false;
  }
}

// ---- Level controls
function drawLevelControls() {
  const box = $('territory-levels');
  const l = levels();
  box.hidden = !l;
  if (!l) return;
  const which = state.ind === l.child ? 'child' : 'parent';
  box.querySelector(`input[value=${which}]`).checked = true;
  $('territory-auto').checked = territory.auto;
}

function onZoom() {
  const l = levels();
  if (!territory.auto || !l || territory.switching) return;
  const want = map.getZoom() >= l.zoom ? l.child : l.parent;
  if (want !== state.ind) switchTo(want);
}

// ---- Drill-down: a comuna's barrios, from the units' parents the server gives.
function unitOf(set, code) { return territories[set]?.units.find((u) => u.code === code); }

async function drillDown(code) {
  const l = levels();
  if (!l) return;
  const childSet = setOf(l.child);
  const comuna = unitOf(setOf(l.parent), code);
  territory.auto = false;
  await switchTo(l.child);
  const kids = territories[childSet].units.filter((u) => (u.parent || []).includes(code));
  showList(`${tt('barriosOf')} ${comuna ? comuna.name : code}`, kids, childSet);
  fitUnits(kids);
}

function fitUnits(units) {
  const bs = units.map((u) => u.bbox).filter(Boolean);
  if (!bs.length) return;
  const b = [Math.min(...bs.map((x) => x[0])), Math.min(...bs.map((x) => x[1])), Math.max(...bs.map((x) => x[2])), Math.max(...bs.map((x) => x[3]))];
  map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 30, duration: 0 });
}

function showList(title, units, set) {
  const box = $('territory-results');
  box.innerHTML = `<p class="meta">${title}</p><ul>${units.map((u) => `<li><button type="button" data-code="${u.code}" data-set="${set}">${u.name}</button> <span class="meta">${u.code}</span></li>`).join('')}</ul>`;
  box.querySelectorAll('button').forEach((b) => b.addEventListener('click', () => goTo(b.dataset.set, b.dataset.code)));
}

// ---- Search
function searchSet() {
  const l = levels();
  if (l) return setOf(l.child);
  return Object.keys(territories).find((s) => territories[s].level === 'barrio');
}

// An indicator drawn on `set`: the current one's lower level, else the first on that set.
function indicatorOn(set) {
  const l = levels();
  if (l && setOf(l.child) === set) return l.child;
  return collections.find((c) => c.ssepot.unit_set === set)?.id;
}

async function goTo(set, code) {
  territory.auto = false;
  await switchTo(indicatorOn(set));
  const u = unitOf(set, code);
  if (u) fitUnits([u]);
  select(code);
}

let searchTimer = null;
function onSearch(e) {
  clearTimeout(searchTimer);
  const text = e.target.value.trim();
  if (!text) { $('territory-results').innerHTML = ''; return; }
  searchTimer = setTimeout(async () => {
    const set = searchSet();
    if (!set) return;
    const r = await fetch(`/collections/${set}/items?q=${encodeURIComponent(text)}&limit=20&f=json`);
    if (!r.ok) return;
    const doc = await r.json();
    const units = doc.features.map((f) => unitOf(set, f.properties.code)).filter(Boolean);
    if (!units.length) { $('territory-results').innerHTML = `<p class="meta">${tt('noMatch')}</p>`; return; }
    showList('', units, set);
  }, 200);
}

// ---- Editions and licence
// ---- A change drawn on another edition, through the crosswalk the server declares (counts only).
function crosswalkFor() {
  const l = levels();
  const rule = l && terr(byId(l.parent)).rule;
  if (!l || state.ind !== l.child || rule !== 'sum') return null;
  return territory.crosswalks.find((c) => c.from.unit_set === unitSet()) || null;
}

function drawCrossControl() {
  const cw = crosswalkFor();
  const box = $('territory-cross');
  box.hidden = !cw || state.mode !== 'change';
  if (cw) $('territory-cross-label').textContent = `${tt('drawOn')} ${cw.to.edition?.name || cw.to.unit_set}`;
}

function removeCross() {
  if (map.getLayer('cruce-valores')) map.removeLayer('cruce-valores');
  if (map.getLayer('cruce-lineas')) map.removeLayer('cruce-lineas');
  if (map.getSource('cruce')) map.removeSource('cruce');
  if (map.getLayer('valores')) map.setLayoutProperty('valores', 'visibility', 'visible');
  territory.crossKey = null;
  territory.crossDoc = null;
}

async function drawCross() {
  const cw = crosswalkFor();
  const on = cw && state.mode === 'change' && $('territory-cross-on').checked;
  if (!on) { if (territory.crossKey) removeCross(); return; }
  const key = `${state.ind}:${state.a}:${state.b}:${cw.to.unit_set}`;
  if (territory.crossKey === key) return;
  removeCross();
  territory.crossKey = key;
  const url = `/collections/${state.ind}/change?from=${state.a}&to=${state.b}&edition=${cw.to.unit_set}&f=json`;
  const doc = await fetch(url).then((r) => r.json());
  if (territory.crossKey !== key) return;
  territory.crossDoc = doc;
  // The classes of the legend the page shows (the same change in the indicator's own edition), so colours read
  // the same on both maps; the crosswalk's own classes otherwise.
  const cls = changeLegend?.classes || doc['ssepot:legend'].classes;
  const steps = ['step', ['get', 'change'], cls[0].color];
  let last = -Infinity;
  for (const c of cls.slice(1)) if (c.min > last) { steps.push(c.min, c.color); last = c.min; }
  map.addSource('cruce', { type: 'geojson', data: doc });
  map.addLayer({ id: 'cruce-valores', type: 'fill', source: 'cruce', paint: {
    'fill-color': ['case', ['==', ['get', 'nd'], true], doc['ssepot:legend'].nd.color, steps],
    'fill-opacity': ['case', ['==', ['get', 'estimate'], true], 0.6, 0.9],
  } }, 'lineas');
  map.addLayer({ id: 'cruce-lineas', type: 'line', source: 'cruce', paint: { 'line-color': '#555', 'line-width': 0.6 } }, 'lineas');
  map.setLayoutProperty('valores', 'visibility', 'none');
  drawEditions();
}

function drawEditions() {
  const set = unitSet();
  const doc = territory.crossDoc;
  if (doc && state.mode === 'change') {
    const e = doc['ssepot:editions'];
    const name = (x) => x.edition?.name || x.unit_set;
    $('edition-badge-a').textContent = `${tt('edition')}: ${tt('values')} ${name(e.values)} → ${tt('map')} ${name(e.map)} (${tt('crosswalk')} ${e.crosswalk.id}; ${tt('estimate')})`;
    $('edition-badge-a').hidden = false;
    $('edition-badge-b').hidden = true;
    document.body.dataset.edition = name(e.map);
    return;
  }
  const text = editionText(set);
  const a = $('edition-badge-a'), b = $('edition-badge-b');
  a.textContent = text;
  a.hidden = !text;
  b.textContent = text;
  b.hidden = !text || state.mode !== 'compare';
  document.body.dataset.edition = territories[set]?.edition?.name || '';
}

function drawLicence() {
  const s = territories[unitSet()] || {};
  const text = [s.attribution, s.license].filter(Boolean).join(' · ');
  $('territory-licence').textContent = text ? `${tt('licence')}: ${text}` : '';
  if (licenceControl) licenceControl.set(text);
}

class LicenceControl {
  onAdd() {
    this.el = document.createElement('div');
    this.el.className = 'maplibregl-ctrl maplibregl-ctrl-attrib territory-licence';
    this.el.style.maxWidth = '60%';
    this.el.style.fontSize = '11px';
    this.el.style.padding = '2px 6px';
    return this.el;
  }
  onRemove() { this.el.remove(); }
  set(text) { this.el.textContent = text; this.el.hidden = !text; }
}
let licenceControl = null;

// ---- Hooks into app.js: the info panel gets the drill-down button; every redraw the edition badges.
const appDrawInfo = drawInfo;
window.drawInfo = function drawInfoWithDrill() {
  appDrawInfo();
  const l = levels();
  if (!l || state.ind !== l.parent || !state.sel) return;
  const btn = document.createElement('button');
  btn.type = 'button';
  btn.id = 'drill';
  btn.textContent = tt('drill');
  btn.addEventListener('click', () => drillDown(state.sel));
  $('info').appendChild(btn);
};
const appRedraw = redraw;
window.redraw = function redrawWithEditions() {
  // While the maps change their tiles (comunas ↔ barrios) there is nothing to paint; the load redraws.
  if (territory.restyling) return;
  appRedraw();
  if (!legend || !series) return;
  drawCrossControl();
  drawEditions();
  drawCross().then(() => {
    const cw = crosswalkFor();
    if (!territory.crossKey || !cw) return;
    for (const f of ['csv', 'xlsx', 'gpkg', 'json']) $(`dl-${f}`).href += `&edition=${cw.to.unit_set}`;
  });
};

function buildPanel() {
  const panel = $('panel');
  const box = document.createElement('section');
  box.id = 'territory';
  box.innerHTML = `
    <label for="territory-search">${tt('search')}</label>
    <input id="territory-search" type="search" autocomplete="off" placeholder="Moravia">
    <div id="territory-results" aria-live="polite"></div>
    <fieldset id="territory-levels" hidden>
      <legend>${tt('level')}</legend>
      <label><input type="radio" name="territory-level" value="parent"> ${tt('comunas')}</label>
      <label><input type="radio" name="territory-level" value="child"> ${tt('barrios')}</label>
      <label><input type="checkbox" id="territory-auto" checked> ${tt('auto')}</label>
    </fieldset>
    <label id="territory-cross" hidden><input type="checkbox" id="territory-cross-on"> <span id="territory-cross-label"></span></label>
    <p id="territory-licence" class="meta"></p>`;
  panel.insertBefore(box, $('modes'));
  $('territory-search').addEventListener('input', onSearch);
  box.querySelectorAll('input[name=territory-level]').forEach((r) => r.addEventListener('change', (e) => {
    territory.auto = false;
    $('territory-auto').checked = false;
    const l = levels();
    if (l) switchTo(e.target.value === 'child' ? l.child : l.parent);
  }));
  $('territory-auto').addEventListener('change', (e) => { territory.auto = e.target.checked; onZoom(); });
  $('territory-cross-on').addEventListener('change', () => redraw());
  for (const side of ['a', 'b']) {
    const badge = document.createElement('div');
    badge.id = `edition-badge-${side}`;
    badge.className = `badge edition ${side === 'b' ? 'b' : ''}`;
    badge.style.top = '2.4rem';
    badge.style.fontWeight = '400';
    badge.hidden = true;
    $('maps').appendChild(badge);
  }
}

function whenReady(fn) {
  if (document.body.dataset.ready === 'true') { fn(); return; }
  new MutationObserver((_, obs) => {
    if (document.body.dataset.ready === 'true') { obs.disconnect(); fn(); }
  }).observe(document.body, { attributes: true, attributeFilter: ['data-ready'] });
}

buildPanel();
whenReady(async () => {
  territory.crosswalks = (await fetch('/crosswalks').then((r) => r.json())).crosswalks;
  territory.shownSet = shownLayer(map);
  licenceControl = new LicenceControl();
  map.addControl(licenceControl, 'bottom-left');
  map.on('zoomend', onZoom);
  drawLevelControls();
  drawLicence();
  redraw();
  document.body.dataset.territoryReady = 'true';
});
