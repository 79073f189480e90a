// Draws the KPI chart from the JSON the page embeds (no inline script: the CSP allows none).
(function () {
  const source = document.getElementById("kpi-data");
  const canvas = document.getElementById("kpi-chart");
  if (!source || !canvas || !window.Chart) return;
  const data = JSON.parse(source.textContent);
  const brand = getComputedStyle(document.documentElement).getPropertyValue("--brand").trim() || "#4f46e5";
  const locale = document.documentElement.lang || "en";
  const dates = data.labels.map((d) => new Date(d + "T12:00:00").toLocaleDateString(locale, { day: "numeric", month: "short" }));
  new window.Chart(canvas, {
    data: {
      labels: dates,
      datasets: [
        { type: "bar", label: data.label_new, data: data.new, backgroundColor: brand + "99", yAxisID: "y1" },
        { type: "line", label: data.label_total, data: data.total, borderColor: brand, tension: 0.2, yAxisID: "y" },
      ],
    },
    options: {
      locale: locale,
      interaction: { mode: "index", intersect: false },
      scales: {
        y: { position: "left", beginAtZero: false, ticks: { precision: 0 } },
        y1: { position: "right", beginAtZero: true, ticks: { precision: 0 }, grid: { drawOnChartArea: false } },
      },
    },
  });
})();
