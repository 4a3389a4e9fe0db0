// Facility page: occupancy history and the release forecast as charts.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("occupancy-data")?.textContent || "null");
  if (!data || typeof Chart === "undefined") return;
  const history = document.getElementById("history-chart");
  if (history && data.history.length) {
    new Chart(history, {
      type: "line",
      data: {
        labels: data.history.map((d) => d.day),
        datasets: [
          { label: "occupied", data: data.history.map((d) => d.occupied), borderColor: "#0b5cad", fill: false },
          { label: "held", data: data.history.map((d) => d.held), borderColor: "#b45309", fill: false },
          { label: "in service", data: data.history.map((d) => d.total - d.out_of_service), borderColor: "#15803d",
            borderDash: [4, 4], fill: false },
        ],
      },
      options: { animation: false, scales: { y: { beginAtZero: true } } },
    });
  }
  const forecast = document.getElementById("forecast-chart");
  if (forecast) {
    new Chart(forecast, {
      data: {
        labels: data.forecast.map((d) => d.day.slice(5)),
        datasets: [
          { type: "bar", label: "releases", data: data.forecast.map((d) => d.releases), backgroundColor: "#15803d" },
          { type: "line", label: "occupied", data: data.forecast.map((d) => d.occupied), borderColor: "#0b5cad" },
        ],
      },
      options: { animation: false, scales: { y: { beginAtZero: true } } },
    });
  }
})();
