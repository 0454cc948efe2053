// Grid map: county-level boundaries, the grids of one unit, click to locate.
(function () {
  "use strict";
  const el = document.getElementById("map");
  const api = el.dataset.api;
  const map = L.map(el, { preferCanvas: true }).setView([34.75, 113.65], 9);
  if (el.dataset.tileUrl) {
    L.tileLayer(el.dataset.tileUrl, { maxZoom: 19, attribution: el.dataset.tileAttribution }).addTo(map);
  }
  const status = document.getElementById("grid-status");
  const select = document.getElementById("unit-select");
  const result = document.getElementById("locate-result");
  let gridLayer = null;
  let marker = null;
  let gridRequest = 0; // answers to an older selection are dropped

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(async (r) => {
        const body = await r.json().catch(() => ({}));
        if (!r.ok) throw new Error(body.detail || r.statusText);
        return body;
      });
  }

  function esc(s) {
    return String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  }

  getJSON(api + "org/boundaries?level=county").then((fc) => {
    const layer = L.geoJSON(fc, {
      style: (f) => ({
        color: f.properties.kind === "zone" ? "#b45309" : "#1d4ed8",
        weight: f.properties.kind === "zone" ? 2 : 1.5,
        dashArray: f.properties.boundary === "derived" ? "6 4" : null,
        fillOpacity: 0.03,
      }),
      onEachFeature: (f, l) => l.bindTooltip(esc(f.properties.name)),
    }).addTo(map);
    if (fc.features.length) map.fitBounds(layer.getBounds());
    fc.features.forEach((f) => {
      const o = document.createElement("option");
      o.value = f.properties.code;
      o.textContent = f.properties.name;
      select.appendChild(o);
    });
    const start = el.dataset.scopeUnit || (fc.features[0] && fc.features[0].properties.code);
    if (start) { select.value = start; loadGrids(start); }
  }).catch((e) => { status.textContent = e.message; });

  function loadGrids(unit) {
    if (gridLayer) { map.removeLayer(gridLayer); gridLayer = null; }
    status.textContent = "";
    delete status.dataset.count;
    const mine = ++gridRequest;
    if (!unit) return;
    status.textContent = "…";
    const street = el.dataset.scopeStreet ? "&street=" + encodeURIComponent(el.dataset.scopeStreet) : "";
    getJSON(api + "org/grids?unit=" + encodeURIComponent(unit) + street).then((fc) => {
      if (mine !== gridRequest) return;
      gridLayer = L.geoJSON(fc, {
        style: { color: "#059669", weight: 0.8, fillOpacity: 0.08 },
        onEachFeature: (f, l) => l.bindTooltip(
          "<b>" + esc(f.properties.code) + "</b><br>" + esc(f.properties.street) +
          "<br>" + esc(f.properties.population) + " 人 · " + esc(f.properties.households) + " 户",
          { sticky: true }),
      }).addTo(map);
      // A click on a grid is a click on the map: locate it like anywhere else.
      gridLayer.on("click", (ev) => locateAt(ev.latlng));
      status.textContent = fc.features.length + " 个网格";
      status.dataset.count = String(fc.features.length);
      if (fc.features.length) map.fitBounds(gridLayer.getBounds());
    }).catch((e) => { status.textContent = e.message; });
  }
  select.addEventListener("change", () => loadGrids(select.value));

  function locateAt(latlng) {
    if (marker) map.removeLayer(marker);
    marker = L.circleMarker(latlng, { radius: 6, color: "#dc2626", interactive: false }).addTo(map);
    getJSON(api + "org/locate?lon=" + latlng.lng.toFixed(6) + "&lat=" + latlng.lat.toFixed(6)).then((loc) => {
      result.innerHTML = "<b>" + esc(loc.grid_code) + "</b> · " + esc(loc.street_name) + " · " + esc(loc.unit_name);
    }).catch((e) => { result.textContent = e.message; });
  }
  map.on("click", (ev) => locateAt(ev.latlng));
})();
