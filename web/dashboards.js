// Draws the charts of an SSEPOT dashboard page with Chart.js (vendored, embedded in the binary). The data
// comes from the page's <script type="application/json" id="charts">, the same document the table under each
// chart shows as text; nothing is computed here. Numbers follow the server's rule (src/format.rs), which the
// page embeds as <script type="application/json" id="number-format">: a tooltip reads as the table does.
// A chart whose labels are values of a filter carries `hrefs` (the server's links to each label's rows).
function numberFormat(el) {
  const rule = JSON.parse(el.textContent);
  return (v) => {
    if (v == null || Number.isNaN(v)) return rule.nd;
    let plain = Math.abs(v).toFixed(rule.decimals);
    if (plain.includes('.')) plain = plain.replace(/0+$/, '').replace(/\.$/, '');
    const [int, frac] = plain.split('.');
    const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, rule.thousands);
    return (v < 0 ? '-' : '') + grouped + (frac ? rule.decimal + frac : '');
  };
}
(function () {
  const el = document.getElementById('charts');
  if (!el || !window.Chart) return;
  const charts = JSON.parse(el.textContent);
  // Okabe–Ito palette: distinguishable with the common colour-vision deficiencies.
  const palette = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];
  const fmt = numberFormat(document.getElementById('number-format'));
  window.ssepotCharts = {};
  for (const c of charts) {
    const canvas = document.getElementById('chart-' + c.id);
    if (!canvas) continue;
    const horizontal = c.kind === 'horizontal';
    const stacked = c.kind === 'stacked';
    const type = c.kind === 'line' ? 'line' : 'bar';
    const datasets = c.series.map((s, i) => ({
      label: s.name,
      data: s.values,
      backgroundColor: palette[i % palette.length],
      borderColor: palette[i % palette.length],
      spanGaps: false,
    }));
    window.ssepotCharts[c.id] = new window.Chart(canvas, {
      type,
      data: { labels: c.labels, datasets },
      options: {
        indexAxis: horizontal ? 'y' : 'x',
        maintainAspectRatio: false,
        animation: false,
        locale: 'es-CO',
        scales: {
          x: { stacked, ticks: { autoSkip: !horizontal } },
          y: { stacked, beginAtZero: true },
        },
        // A bar whose label is a value of a filter drills through to its rows, as the link in the table does.
        onClick: (_e, els) => { if (c.hrefs && els.length) window.location.href = c.hrefs[els[0].index]; },
        onHover: (e, els) => { e.native.target.style.cursor = c.hrefs && els.length ? 'pointer' : 'default'; },
        plugins: {
          legend: { display: c.series.length > 1 },
          tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${fmt(ctx.raw)} ${c.unit}` } },
        },
      },
    });
  }
})();
