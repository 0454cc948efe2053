// Command dashboard: draws the charts, the map and the tables from the page's embedded
// JSON, then fetches /dashboard/data.json every `data-refresh` seconds and updates them
// in place (no reload).
(function () {
  "use strict";
  const root = document.getElementById("dashboard");
  const L_ = JSON.parse(document.getElementById("dashboard-labels").textContent);
  const refreshMs = Math.max(Number(root.dataset.refresh) || 60, 2) * 1000;
  const errorEl = document.getElementById("refresh-error");
  const charts = {};
  let refreshes = 0;

  function chart(id) {
    if (!charts[id]) {
      charts[id] = echarts.init(document.getElementById(id));
    }
    return charts[id];
  }

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  function link(text, href) {
    if (!href) return document.createTextNode(String(text));
    const a = el("a", text);
    a.href = href;
    return a;
  }

  function cell(tr, content, cls) {
    const td = el("td", null, cls);
    if (content instanceof Node) td.appendChild(content);
    else td.textContent = content === null || content === undefined ? "—" : String(content);
    tr.appendChild(td);
    return td;
  }

  function setText(id, value) {
    document.getElementById(id).textContent = value === null || value === undefined ? "—" : String(value);
  }

  function setLink(id, value, href) {
    const node = document.getElementById(id);
    node.replaceChildren(link(value, href));
  }

  function emptyRow(tbody, cols, text) {
    const tr = el("tr");
    const td = cell(tr, text, "hint");
    td.colSpan = cols;
    tbody.appendChild(tr);
  }

  // -- tiles ------------------------------------------------------------------------------

  function tiles(data) {
    const t = data.intake.totals;
    setText("tile-reported", t.reported);
    setText("tile-registered", t.registered);
    setText("tile-closed", t.closed);
    setText("tile-on-time", t.on_time_rate === null ? "—" : t.on_time_rate + "%");
    setText("tile-open", data.open.available ? data.open.open : "—");
    if (data.open.available) setLink("tile-overdue", data.open.overdue, data.open.overdue_url);
    else setText("tile-overdue", "—");
    setText("territory", data.territory);
    setText("generated-at", data.generated_at.slice(11, 19));
  }

  // -- charts -----------------------------------------------------------------------------

  const grid = { left: 48, right: 24, top: 24, bottom: 64, containLabel: false };

  function channels(data) {
    const rows = data.intake.by_channel;
    chart("chart-channels").setOption({
      tooltip: { trigger: "axis" },
      grid: grid,
      xAxis: { type: "category", data: rows.map((r) => r.label), axisLabel: { rotate: 30, interval: 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", name: L_.cases, data: rows.map((r) => r.count), itemStyle: { color: "#2563eb" },
                 label: { show: true, position: "top" } }],
    });
  }

  function categories(data) {
    const rows = data.intake.by_category.slice().reverse(); // biggest on top
    const c = chart("chart-categories");
    c.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 110, right: 36, top: 10, bottom: 24 },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: rows.map((r) => r.name), axisLabel: { width: 100, overflow: "truncate" } },
      series: [{ type: "bar", name: L_.cases, data: rows.map((r) => ({ value: r.count, url: r.url })),
                 itemStyle: { color: "#059669" }, label: { show: true, position: "right" } }],
    });
    c.off("click");
    c.on("click", (p) => { if (p.data && p.data.url) window.location.href = p.data.url; });
  }

  function trend(data) {
    const rows = data.trend;
    chart("chart-trend").setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 40, right: 44, top: 30, bottom: 40 },
      xAxis: { type: "category", data: rows.map((r) => r.day.slice(5)) },
      yAxis: [
        { type: "value", minInterval: 1 },
        { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      ],
      series: [
        { type: "bar", name: L_.closed, data: rows.map((r) => r.closed), itemStyle: { color: "#93c5fd" } },
        { type: "line", name: L_.rate, yAxisIndex: 1, data: rows.map((r) => r.rate), connectNulls: true,
          itemStyle: { color: "#d97706" } },
      ],
    });
  }

  function districts(data) {
    const rows = data.open.districts;
    const c = chart("chart-districts");
    c.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 40, right: 16, top: 30, bottom: 70 },
      xAxis: { type: "category", data: rows.map((r) => r.name), axisLabel: { rotate: 40, interval: 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { type: "bar", stack: "open", name: L_.open, data: rows.map((r) => r.open - r.overdue), itemStyle: { color: "#60a5fa" } },
        { type: "bar", stack: "open", name: L_.overdue, itemStyle: { color: "#dc2626" },
          data: rows.map((r) => ({ value: r.overdue, url: r.overdue_url })) },
      ],
    });
    c.off("click");
    c.on("click", (p) => { if (p.data && p.data.url) window.location.href = p.data.url; });

    const tbody = document.querySelector("#districts tbody");
    tbody.replaceChildren();
    if (!data.open.available) { emptyRow(tbody, 3, L_.openUnavailable); return; }
    rows.forEach((r) => {
      const tr = el("tr");
      tr.dataset.code = r.code;
      cell(tr, r.name);
      cell(tr, r.open, "num");
      cell(tr, r.overdue ? link(r.overdue, r.overdue_url) : "0", "num overdue" + (r.overdue ? " bad" : ""));
      tbody.appendChild(tr);
    });
  }

  // -- heatmap ----------------------------------------------------------------------------

  let map = null;
  let hexLayer = null;
  let fitted = false;

  function heatColor(share) {
    // pale yellow → orange → dark red
    const stops = [[255, 237, 160], [254, 178, 76], [240, 59, 32], [128, 0, 38]];
    const x = Math.min(Math.max(share, 0), 1) * (stops.length - 1);
    const i = Math.min(Math.floor(x), stops.length - 2);
    const f = x - i;
    const rgb = stops[i].map((v, k) => Math.round(v + (stops[i + 1][k] - v) * f));
    return "rgb(" + rgb.join(",") + ")";
  }

  function mapInit() {
    map = L.map("heatmap", { preferCanvas: true }).setView([34.75, 113.65], 9);
    if (root.dataset.tileUrl) {
      L.tileLayer(root.dataset.tileUrl, { maxZoom: 19, attribution: root.dataset.tileAttribution }).addTo(map);
    }
    fetch(root.dataset.api + "org/boundaries?level=county", { credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : null))
      .then((fc) => {
        if (!fc) return;
        const layer = L.geoJSON(fc, {
          style: { color: "#1d4ed8", weight: 1.2, fillOpacity: 0, dashArray: "4 3" },
          interactive: false,
        }).addTo(map);
        if (hexLayer) hexLayer.bringToFront();
        if (!fitted && fc.features.length) map.fitBounds(layer.getBounds());
      })
      .catch(() => {});
  }

  function heat(data) {
    const fc = data.heatmap;
    const note = document.getElementById("heatmap-note");
    note.textContent = !fc.available ? L_.heatUnavailable : (fc.features.length ? "" : L_.heatNone);
    if (!map) mapInit();
    if (hexLayer) map.removeLayer(hexLayer);
    const max = fc.max || 1;
    hexLayer = L.geoJSON(fc, {
      style: (f) => ({
        color: "#7f1d1d", weight: 0.3,
        fillColor: heatColor(Math.sqrt(f.properties.reported / max)), fillOpacity: 0.65,
      }),
      onEachFeature: (f, layer) => layer.bindTooltip(L_.cases + "：" + f.properties.reported),
    }).addTo(map);
    if (!fitted && fc.features.length) {
      map.fitBounds(hexLayer.getBounds(), { maxZoom: 13 });
      fitted = true;
    }
  }

  // -- tables -----------------------------------------------------------------------------

  function overdueList(data) {
    const tbody = document.querySelector("#overdue-list tbody");
    tbody.replaceChildren();
    if (!data.overdue_cases.length) { emptyRow(tbody, 5, L_.noOverdue); return; }
    data.overdue_cases.forEach((r) => {
      const tr = el("tr");
      tr.dataset.number = r.number;
      cell(tr, link(r.number, r.url));
      cell(tr, r.category);
      cell(tr, r.district);
      cell(tr, r.clock);
      cell(tr, r.overdue_text, "bad");
      tbody.appendChild(tr);
    });
  }

  function staffing(data) {
    const s = data.staffing;
    setText("staffing-summary", L_.staffingSummary.replace("%(passing)s", s.passing).replace("%(failing)s", s.failing));
    const tbody = document.querySelector("#staffing tbody");
    tbody.replaceChildren();
    const rows = s.units.concat(s.city ? [Object.assign({}, s.city, { name: L_.city })] : []);
    if (!rows.length) { emptyRow(tbody, 4, L_.noUnits); return; }
    rows.forEach((r) => {
      const tr = el("tr");
      cell(tr, r.name);
      cell(tr, r.officers, "num");
      cell(tr, r.per_10k === null ? null : r.per_10k.toFixed(2), "num");
      cell(tr, r.compliant ? L_.compliant : L_.failing, r.compliant ? "good" : "bad");
      tbody.appendChild(tr);
    });
  }

  // -- refresh ----------------------------------------------------------------------------

  function draw(data) {
    const parts = [tiles, channels, categories, trend, districts, heat, overdueList, staffing];
    parts.forEach((part) => {
      try { part(data); } catch (e) { console.error(e); } // one broken panel keeps the rest
    });
    root.dataset.generatedAt = data.generated_at;
  }

  function refresh() {
    fetch(root.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
      .then((r) => { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then((data) => {
        draw(data);
        errorEl.textContent = "";
        refreshes += 1;
        root.dataset.refreshes = String(refreshes);
      })
      .catch(() => { errorEl.textContent = L_.refreshFailed; });
  }

  draw(JSON.parse(document.getElementById("dashboard-data").textContent));
  window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));
  window.setInterval(refresh, refreshMs);
})();
