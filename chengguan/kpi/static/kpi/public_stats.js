// Public statistics: draws the ECharts charts above the tables (which hold the same data,
// so the page works without JavaScript and for screen readers).
(function () {
  "use strict";
  const source = document.getElementById("stats-data");
  if (!source || !window.echarts) return;
  const data = JSON.parse(source.textContent);
  const t = data.labels || {};
  const charts = [];
  const narrow = () => window.innerWidth < 600;

  function draw(id, option) {
    const el = document.getElementById(id);
    if (!el) return;
    el.hidden = false; // shown only once a chart can be drawn in it
    const chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(Object.assign({ animation: false, textStyle: { fontSize: 12 } }, option));
    charts.push(chart);
  }

  // Bars of reported and closed with the on-time rate as a line on a 0–100 axis.
  function flow(id, names, rows) {
    draw(id, {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 8, top: 56, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: names, axisLabel: { rotate: narrow() ? 45 : 0 } },
      yAxis: [
        { type: "value", minInterval: 1 },
        { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" }, splitLine: { show: false } },
      ],
      series: [
        { name: t.reported, type: "bar", data: rows.map((r) => r.reported) },
        { name: t.closed, type: "bar", data: rows.map((r) => r.closed) },
        { name: t.on_time_rate, type: "line", yAxisIndex: 1, data: rows.map((r) => r.on_time_rate) },
      ],
    });
  }

  // The same, lying down: one row per place, readable on a phone whatever the count.
  function flowByPlace(id, rows) {
    const shown = rows.slice().reverse();
    const el = document.getElementById(id);
    if (el) el.style.height = Math.max(260, rows.length * 34 + 90) + "px";
    draw(id, {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 56, bottom: 8, containLabel: true },
      yAxis: { type: "category", data: shown.map((r) => r.name), axisLabel: { width: narrow() ? 90 : 200, overflow: "truncate" } },
      xAxis: [
        { type: "value", position: "bottom", minInterval: 1 },
        { type: "value", position: "top", min: 0, max: 100, axisLabel: { formatter: "{value}%" }, splitLine: { show: false } },
      ],
      series: [
        { name: t.reported, type: "bar", data: shown.map((r) => r.reported) },
        { name: t.closed, type: "bar", data: shown.map((r) => r.closed) },
        { name: t.on_time_rate, type: "scatter", symbolSize: 10, xAxisIndex: 1, data: shown.map((r) => r.on_time_rate) },
      ],
    });
  }

  // Horizontal bars, the largest on top.
  function ranking(id, rows, key, label, max) {
    const shown = rows.slice().reverse();
    const el = document.getElementById(id);
    if (el) el.style.height = Math.max(200, rows.length * 28 + 50) + "px";
    draw(id, {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 40, top: 10, bottom: 20, containLabel: true },
      xAxis: { type: "value", max: max },
      yAxis: { type: "category", data: shown.map((r) => r.name), axisLabel: { width: narrow() ? 110 : 220, overflow: "truncate" } },
      series: [{ name: label, type: "bar", data: shown.map((r) => r[key]), label: { show: true, position: "right" } }],
    });
  }

  if (data.districts && data.districts.length) {
    flowByPlace("chart-districts", data.districts);
  }
  if (data.categories && data.categories.length) {
    ranking("chart-categories", data.categories, "reported", t.reported);
  }
  if (data.monthly && data.monthly.length) {
    flow("chart-monthly", data.monthly.map((r) => r.month), data.monthly);
  }
  if (data.satisfaction && data.satisfaction.length) {
    ranking("chart-satisfaction", data.satisfaction, "combined", t.combined, 100);
  }
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
})();
