// The report's page: "Copiar código" copies an embed snippet, "Imprimir" prints. Nothing here computes a figure.
(function () {
  document.addEventListener('click', async (e) => {
    const copy = e.target.closest('[data-copy]');
    if (copy) {
      const area = document.getElementById(copy.dataset.copy);
      area.select();
      try { await navigator.clipboard.writeText(area.value); } catch { document.execCommand('copy'); }
      copy.textContent = 'Copiado';
      setTimeout(() => { copy.textContent = 'Copiar código'; }, 2000);
    }
    if (e.target.closest('[data-print]')) window.print();
  });
})();
