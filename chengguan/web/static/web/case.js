// Case console: the case page's small map, the report form's map and category search,
// "near me" on the work list. Every page also works without this script.
(function () {
  "use strict";

  function esc(s) {
    return String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  }

  function baseMap(el) {
    const map = L.map(el, { preferCanvas: true }).setView([34.75, 113.65], 10);
    if (el.dataset.tileUrl) {
      L.tileLayer(el.dataset.tileUrl, { maxZoom: 19, attribution: el.dataset.tileAttribution }).addTo(map);
    }
    return map;
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(async (r) => {
        const body = await r.json().catch(() => ({}));
        if (!r.ok) throw new Error(body.detail || r.statusText);
        return body;
      });
  }

  // ------------------------------------------------------------ the case page
  const caseEl = document.getElementById("case-map");
  if (caseEl && window.L) {
    const map = baseMap(caseEl);
    const point = [parseFloat(caseEl.dataset.lat), parseFloat(caseEl.dataset.lon)];
    const gridData = document.getElementById("case-grid");
    const grid = gridData ? JSON.parse(gridData.textContent) : null;
    if (grid) {
      const layer = L.geoJSON(grid, { style: { color: "#059669", weight: 1.5, fillOpacity: 0.1 } })
        .bindTooltip(esc(grid.properties.code)).addTo(map);
      map.fitBounds(layer.getBounds(), { padding: [20, 20] });
    } else {
      map.setView(point, 16);
    }
    L.circleMarker(point, { radius: 7, color: "#dc2626", fillOpacity: 0.8 }).addTo(map);
  }

  // ------------------------------------------------------------ the report form
  const reportEl = document.getElementById("report-map");
  const lonInput = document.getElementById("id_lon");
  const latInput = document.getElementById("id_lat");
  const place = document.getElementById("report-place");
  function placeChanged() {
    document.body.dispatchEvent(new CustomEvent("report-place-changed"));
  }
  if (reportEl && window.L) {
    const api = reportEl.dataset.api;
    const map = baseMap(reportEl);
    let marker = null;
    getJSON(api + "org/boundaries?level=county").then((fc) => {
      const layer = L.geoJSON(fc, {
        style: { color: "#1d4ed8", weight: 1, fillOpacity: 0.03 },
        interactive: false,
      }).addTo(map);
      const unit = reportEl.dataset.scopeUnit;
      const mine = unit ? fc.features.filter((f) => f.properties.code === unit) : [];
      if (lonInput.value && latInput.value) return;
      if (mine.length) map.fitBounds(L.geoJSON(mine).getBounds());
      else if (fc.features.length) map.fitBounds(layer.getBounds());
    }).catch(() => {});

    function show(lat, lon, pan) {
      if (marker) map.removeLayer(marker);
      marker = L.circleMarker([lat, lon], { radius: 7, color: "#dc2626", fillOpacity: 0.8 }).addTo(map);
      if (pan) map.setView([lat, lon], Math.max(map.getZoom(), 15));
      getJSON(api + "org/locate?lon=" + lon.toFixed(6) + "&lat=" + lat.toFixed(6)).then((loc) => {
        place.innerHTML = "<b>" + esc(loc.unit_name) + " · " + esc(loc.street_name) + "</b> · 网格 " + esc(loc.grid_code);
        place.classList.remove("error");
      }).catch((e) => { place.textContent = e.message; place.classList.add("error"); });
      placeChanged();
    }
    map.on("click", (ev) => {
      lonInput.value = ev.latlng.lng.toFixed(6);
      latInput.value = ev.latlng.lat.toFixed(6);
      show(ev.latlng.lat, ev.latlng.lng, false);
    });
    function typed() {
      const lon = parseFloat(lonInput.value), lat = parseFloat(latInput.value);
      if (Number.isFinite(lon) && Number.isFinite(lat)) show(lat, lon, true);
    }
    lonInput.addEventListener("change", typed);
    latInput.addEventListener("change", typed);
    if (lonInput.value && latInput.value) typed();

    // A caller's words ("上街区济源路街道…") → candidate places → the pin.
    const placeText = document.getElementById("place-text");
    const placeFind = document.getElementById("place-find");
    const placeHits = document.getElementById("place-hits");
    if (placeText && placeFind && placeHits) {
      const find = () => {
        const q = placeText.value.trim();
        if (!q) return;
        getJSON(api + "org/geocode?q=" + encodeURIComponent(q)).then((hits) => {
          placeHits.innerHTML = "";
          if (!hits.length) {
            placeHits.textContent = placeHits.dataset.none;
            return;
          }
          hits.forEach((h) => {
            const b = document.createElement("button");
            b.type = "button";
            b.className = "place-hit";
            b.textContent = h.label;
            b.addEventListener("click", () => {
              lonInput.value = h.lon.toFixed(6);
              latInput.value = h.lat.toFixed(6);
              show(h.lat, h.lon, true);
            });
            placeHits.appendChild(b);
          });
        }).catch((e) => { placeHits.textContent = e.message; });
      };
      placeFind.addEventListener("click", find);
      placeText.addEventListener("keydown", (ev) => {
        if (ev.key === "Enter") { ev.preventDefault(); find(); }
      });
    }

    const mine = document.getElementById("use-my-position");
    if (mine && navigator.geolocation) {
      mine.hidden = false;
      mine.addEventListener("click", () => navigator.geolocation.getCurrentPosition((p) => {
        lonInput.value = p.coords.longitude.toFixed(6);
        latInput.value = p.coords.latitude.toFixed(6);
        typed();
      }, (e) => { place.textContent = e.message; }));
    }
  }

  const search = document.getElementById("category-search");
  const picker = document.getElementById("id_category");
  if (search && picker) {
    search.hidden = false;
    search.addEventListener("input", () => {
      const words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      picker.querySelectorAll("optgroup").forEach((group) => {
        let any = false;
        group.querySelectorAll("option").forEach((o) => {
          const text = (o.textContent + " " + group.label).toLowerCase();
          const hit = words.every((w) => text.includes(w));
          o.hidden = !hit;
          any = any || hit;
        });
        group.hidden = !any;
      });
    });
    picker.addEventListener("change", placeChanged);
  }

  // A caller about a problem already on file joins that case instead of a new one.
  document.body.addEventListener("click", (ev) => {
    const join = ev.target.closest("[data-join-case]");
    if (!join) return;
    const form = document.getElementById("report-form");
    form.querySelector("input[name=join]").value = join.dataset.joinCase;
    form.requestSubmit();
  });

  // ------------------------------------------------------------ my work: near me
  const near = document.getElementById("near-me");
  if (near && navigator.geolocation) {
    near.hidden = false;
    near.addEventListener("click", () => navigator.geolocation.getCurrentPosition((p) => {
      document.getElementById("near-lon").value = p.coords.longitude.toFixed(6);
      document.getElementById("near-lat").value = p.coords.latitude.toFixed(6);
      document.getElementById("queue-filters").submit();
    }, (e) => { near.title = e.message; }));
  }
})();
