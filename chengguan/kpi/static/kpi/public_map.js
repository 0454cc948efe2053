// Public map of the last 7 days: counts per grid at the grid's centroid (never a case's
// own place), the H3 hexagons of the roll-up, and the county outlines for orientation.
(function () {
  "use strict";
  const el = document.getElementById("map");
  if (!el || !window.L) return;
  const text = JSON.parse(document.getElementById("map-text").textContent);
  const status = document.getElementById("map-status");
  const map = L.map(el, { preferCanvas: true }).setView([34.75, 113.65], 9);
  if (el.dataset.tileUrl) {
    L.tileLayer(el.dataset.tileUrl, { maxZoom: 18, attribution: el.dataset.tileAttribution }).addTo(map);
  }
  map.attributionControl.addAttribution(el.dataset.boundaryAttribution);
  map.createPane("hexagons").style.zIndex = 350; // under the grid dots, whatever loads first
  const layers = L.control.layers(null, null, { collapsed: window.innerWidth < 600 }).addTo(map);
  status.textContent = text.loading;

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/geo+json, application/json" } }).then((r) => {
      if (!r.ok) throw new Error(r.statusText);
      return r.json();
    });
  }

  function esc(s) {
    return String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  }

  function hexColour(n, max) {
    const share = max ? n / max : 0;
    if (share > 0.66) return "#b91c1c";
    if (share > 0.33) return "#f97316";
    if (share > 0.1) return "#facc15";
    return "#fde68a";
  }

  const boundaries = getJSON(el.dataset.boundaries).then((fc) => {
    const layer = L.geoJSON(fc, {
      style: (f) => ({
        color: f.properties.code === el.dataset.region ? "#1d4ed8" : "#64748b",
        weight: f.properties.code === el.dataset.region ? 2.5 : 1,
        dashArray: f.properties.boundary === "derived" ? "6 4" : null,
        fillOpacity: 0,
      }),
      interactive: false,
    }).addTo(map);
    layers.addOverlay(layer, text.boundaries);
    const chosen = fc.features.filter((f) => f.properties.code === el.dataset.region);
    const bounds = chosen.length ? L.geoJSON(chosen).getBounds() : layer.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { animate: false });
  });

  const hexagons = getJSON(el.dataset.hexagons).then((fc) => {
    const max = Math.max(0, ...fc.features.map((f) => f.properties.count));
    const layer = L.geoJSON(fc, {
      pane: "hexagons",
      style: (f) => ({ color: "#9a3412", weight: 0.5, fillColor: hexColour(f.properties.count, max), fillOpacity: 0.5 }),
      onEachFeature: (f, l) => l.bindTooltip(esc(f.properties.count) + " " + esc(text.cases)),
    }).addTo(map);
    layers.addOverlay(layer, text.hexagons);
  });

  const grids = getJSON(el.dataset.grids).then((fc) => {
    const layer = L.geoJSON(fc, {
      pointToLayer: (f, latlng) => L.circleMarker(latlng, {
        radius: 4 + 3 * Math.sqrt(f.properties.count),
        color: "#1d4ed8", weight: 1, fillColor: "#3b82f6", fillOpacity: 0.6,
      }),
      onEachFeature: (f, l) => {
        const p = f.properties;
        const rows = p.categories.map((c) => "<li>" + esc(c.name) + "：" + esc(c.count) + "</li>").join("");
        l.bindPopup("<b>" + esc(p.district) + " " + esc(p.street) + "</b><br>" + esc(p.grid) +
          "<br>" + esc(p.count) + " " + esc(text.cases) + "<ul style=\"margin:.3rem 0 0;padding-left:1.1rem\">" + rows + "</ul>");
      },
    }).addTo(map);
    layers.addOverlay(layer, text.grids);
  });

  Promise.all([boundaries, hexagons, grids])
    .then(() => { status.textContent = text.loaded; })
    .catch(() => { status.textContent = text.failed; });
})();
