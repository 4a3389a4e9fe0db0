// Facility page: occupancy history and the release forecast as charts. Live
// patches leave the canvases alone (live.js); when the page's occupancy data
// (#occupancy-data) changes, the charts take the new data in place.
(function () {
  "use strict";
  if (typeof Chart === "undefined") return;
  const options = { animation: false, scales: { y: { beginAtZero: true } } };
  const t = (msgid) => window.Birlik.t(msgid); // the legend in the reader's language (client_texts)

  const history = (data) => data.history.length && {
    type: "line",
    labels: data.history.map((d) => d.day),
    datasets: [
      { label: t("occupied"), data: data.history.map((d) => d.occupied), borderColor: "#0b5cad", fill: false },
      { label: t("held"), data: data.history.map((d) => d.held), borderColor: "#b45309", fill: false },
      { label: t("in service"), data: data.history.map((d) => d.total - d.out_of_service), borderColor: "#15803d",
        borderDash: [4, 4], fill: false },
    ],
  };
  const forecast = (data) => ({
    labels: data.forecast.map((d) => d.day.slice(5)),
    datasets: [
      { type: "bar", label: t("releases"), data: data.forecast.map((d) => d.releases), backgroundColor: "#15803d" },
      { type: "line", label: t("occupied"), data: data.forecast.map((d) => d.occupied), borderColor: "#0b5cad" },
    ],
  });

  // Draw the chart, or give the one already drawn its new labels and values.
  function show(canvasId, spec) {
    const canvas = document.getElementById(canvasId);
    if (!canvas || !spec) return;
    const { type, labels, datasets } = spec;
    const chart = Chart.getChart(canvas);
    if (!chart) { new Chart(canvas, { type, data: { labels, datasets }, options }); return; }
    chart.data.labels = labels;
    datasets.forEach((d, i) => { chart.data.datasets[i].data = d.data; });
    chart.update();
  }

  let drawn = null;
  function render() {
    const json = document.getElementById("occupancy-data")?.textContent;
    if (!json || json === drawn) return;
    drawn = json;
    const data = JSON.parse(json);
    show("history-chart", history(data));
    show("forecast-chart", forecast(data));
  }
  render();
  document.addEventListener("birlik:refreshed", render);
})();
