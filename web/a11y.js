// Accessibility of the web map (WCAG 2.1 AA): a table of every territory's value (the map's text alternative,
// each row a button that selects the territory), a screen-reader announcement of the selected territory,
// year and value (aria-live), and an "Insertar" box with the embed snippet of the current view.
// It reads app.js's state after each redraw (`ssepot:redraw` event) and selects through app.js's `select`;
// it computes nothing: values are the series app.js loaded from /collections/{id}/series.
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);
  const text = {
    es: { table: 'Tabla de valores por territorio', territory: 'Territorio', value: 'Valor', select: 'Seleccionar',
      selected: 'seleccionado', embed: 'Insertar este mapa', embedLabel: 'Código HTML para insertar el mapa con esta vista en otro sitio (solo en los sitios autorizados)',
      copy: 'Copiar código', copied: 'Copiado', year: 'año', nd: 'sin dato (ND)', view: 'Vista' },
    en: { table: 'Table of values by territory', territory: 'Territory', value: 'Value', select: 'Select',
      selected: 'selected', embed: 'Embed this map', embedLabel: 'HTML code to embed the map with this view in another site (authorised sites only)',
      copy: 'Copy code', copied: 'Copied', year: 'year', nd: 'no data (ND)', view: 'View' },
  };
  const tr = (k) => text[state.lang === 'en' ? 'en' : 'es'][k];

  function build() {
    const panel = $('panel');
    if (!panel || $('tabla-box')) return;
    const box = document.createElement('details');
    box.id = 'tabla-box';
    box.innerHTML = '<summary id="tabla-summary"></summary><div class="scroll" tabindex="0" role="region" aria-labelledby="tabla-summary"><table id="tabla-territorios"><thead><tr><th scope="col" id="th-territorio"></th><th scope="col" id="th-valor"></th></tr></thead><tbody></tbody></table></div>';
    $('ranking-box').after(box);
    const embed = document.createElement('details');
    embed.id = 'insertar-box';
    embed.className = 'insertar';
    embed.innerHTML = '<summary id="insertar-summary"></summary><label for="insertar-codigo" id="insertar-label"></label><textarea id="insertar-codigo" readonly rows="3"></textarea><button type="button" id="insertar-copiar"></button>';
    box.after(embed);
    $('insertar-copiar').addEventListener('click', async () => {
      const area = $('insertar-codigo');
      area.select();
      try { await navigator.clipboard.writeText(area.value); } catch { document.execCommand('copy'); }
      $('insertar-copiar').textContent = tr('copied');
    });
    const live = document.createElement('p');
    live.id = 'anuncio';
    live.className = 'visually-hidden';
    live.setAttribute('aria-live', 'polite');
    live.setAttribute('role', 'status');
    document.body.appendChild(live);
    $('tabla-territorios').addEventListener('click', (e) => {
      const b = e.target.closest('button[data-code]');
      if (b) select(b.dataset.code);
    });
  }

  let lastAnnounced = '';
  function update() {
    build();
    if (typeof series === 'undefined' || !series || !state.ind) return;
    const c = current().ssepot;
    const y = state.mode === 'single' ? state.year : state.b;
    $('tabla-summary').textContent = `${tr('table')} (${y})`;
    $('th-territorio').textContent = tr('territory');
    $('th-valor').textContent = `${tr('value')} ${y} (${c.unit})`;
    const rows = [...series.rows].sort((a, b) => a.name.localeCompare(b.name, 'es'));
    $('tabla-territorios').querySelector('tbody').innerHTML = rows.map((r) => {
      const sel = r.code === state.sel;
      return `<tr${sel ? ' class="sel"' : ''}><th scope="row"><button type="button" data-code="${r.code}" aria-pressed="${sel}">${r.name}</button></th><td class="n">${fmt(r.values[y])}</td></tr>`;
    }).join('');
    $('insertar-summary').textContent = tr('embed');
    $('insertar-label').textContent = tr('embedLabel');
    if ($('insertar-copiar').textContent !== tr('copied')) $('insertar-copiar').textContent = tr('copy');
    const title = `${c.name} (${y})`.replace(/"/g, '&quot;');
    $('insertar-codigo').value = `<iframe src="${location.origin}/map/embed${location.hash}" title="${title}" width="100%" height="560" style="border:0" loading="lazy"></iframe>`;
    const row = series.rows.find((r) => r.code === (cityLevel() ? city().code : state.sel));
    const years = state.mode === 'single' ? `${tr('year')} ${state.year}` : `${state.a} → ${state.b}`;
    const message = row
      ? `${row.name}, ${years}: ${Number.isFinite(row.values[y]) ? `${fmt(row.values[y])} ${c.unit}` : tr('nd')}. ${c.name}.`
      : `${c.name}, ${years}.`;
    if (message !== lastAnnounced) {
      $('anuncio').textContent = message;
      lastAnnounced = message;
    }
  }

  document.addEventListener('ssepot:redraw', update);
})();
