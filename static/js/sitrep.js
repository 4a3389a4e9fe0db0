// Situation report: the 30-day charts, and printing.
(function () {
  "use strict";
  document.getElementById("print-sitrep")?.addEventListener("click", () => window.print());
  const data = JSON.parse(document.getElementById("sitrep-data")?.textContent || "null");
  if (!data || typeof Chart === "undefined") return;
  const PALETTE = ["#0b5cad", "#b45309", "#15803d", "#7c3aed", "#dc2626", "#0891b2", "#4b5563", "#be185d"];
  const labels = data.days.map((d) => d.slice(5));
  const options = { animation: false, maintainAspectRatio: false, scales: { y: { beginAtZero: true } } };
  const series = (obj) => Object.entries(obj).map(([name, values], i) => ({
    label: window.Birlik.t((data.legend || {})[name] || name), data: values, borderColor: PALETTE[i % PALETTE.length],
    backgroundColor: PALETTE[i % PALETTE.length], fill: false, spanGaps: true, pointRadius: 1,
  }));
  const draw = (id, config) => { const el = document.getElementById(id); if (el) new Chart(el, config); };
  // Beds in service dwarf the rest: listed, but off until clicked in the legend.
  const occupancy = series(data.occupancy).map((d) => ({ ...d, hidden: d.label === window.Birlik.t("in service") }));
  draw("chart-occupancy", { type: "line", data: { labels, datasets: occupancy }, options });
  draw("chart-stock", { type: "line", data: { labels, datasets: series(data.stock) }, options });
  draw("chart-cases", { type: "bar", data: { labels, datasets: series(data.cases) },
    options: { ...options, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } } });
  // Charts redraw at the paper's width when printed.
  window.addEventListener("beforeprint", () => { for (const c of Object.values(Chart.instances)) c.resize(); });
})();
