// Draws a report's chart from the JSON the page embeds (no inline script: the CSP allows none).
(function () {
  const source = document.getElementById("kpi-data");
  const canvas = document.getElementById("kpi-chart");
  if (!source || !canvas || !window.Chart) return;
  const data = JSON.parse(source.textContent);
  const brand = getComputedStyle(document.documentElement).getPropertyValue("--brand").trim() || "#4f46e5";
  const palette = [brand, "#0f766e", "#b45309", "#be123c", "#6d28d9", "#0369a1", "#4d7c0f"];
  const locale = document.documentElement.lang || "en";
  // Rows are days, weeks (labelled by their Monday) or months for a long period.
  const format = data.grain === "month" ? { month: "short", year: "numeric" } : { day: "numeric", month: "short" };
  const dates = data.labels.map((d) => new Date(d + "T12:00:00").toLocaleDateString(locale, format));
  new window.Chart(canvas, {
    type: "line",
    data: {
      labels: dates,
      datasets: data.datasets.map((set, n) => ({
        label: set.label, data: set.data, borderColor: palette[n % palette.length],
        backgroundColor: palette[n % palette.length], tension: 0.2, pointRadius: data.labels.length > 60 ? 0 : 2,
      })),
    },
    options: {
      locale: locale,
      interaction: { mode: "index", intersect: false },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
})();
