// Public report form: category search, the map pin or the device's position, the photo
// count, and one submission per tap. The form also works without this script (the
// position can be typed in "手动填写经纬度").
(function () {
  "use strict";
  const textEl = document.getElementById("portal-text");
  const T = textEl ? JSON.parse(textEl.textContent) : {};
  const fill = (text, values) => text.replace(/%\((\w+)\)s/g, (_m, k) => values[k]);

  // ------------------------------------------------------------ category search
  const search = document.getElementById("category-search");
  const none = document.getElementById("category-none");
  const groups = Array.from(document.querySelectorAll(".cat-group"));
  if (search) {
    search.hidden = false;
    search.addEventListener("input", () => {
      const words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      let hits = 0;
      groups.forEach((group) => {
        let any = false;
        group.querySelectorAll(".chip").forEach((chip) => {
          const text = (chip.textContent + " " + group.querySelector("summary").textContent).toLowerCase();
          const hit = words.every((w) => text.includes(w));
          chip.hidden = !hit;
          any = any || hit;
          if (hit) hits += 1;
        });
        group.hidden = !any;
        group.open = words.length ? any : group.dataset.common === "1";
      });
      none.hidden = hits > 0;
    });
  }

  // ------------------------------------------------------------ position
  const mapEl = document.getElementById("portal-map");
  const lonInput = document.getElementById("id_lon");
  const latInput = document.getElementById("id_lat");
  const place = document.getElementById("place");
  const useLocation = document.getElementById("use-location");
  let map = null;
  let marker = null;

  function say(text, kind) {
    place.textContent = text;
    place.classList.toggle("error", kind === "error");
    place.classList.toggle("ok", kind === "ok");
  }

  function describe(lat, lon) {
    const url = mapEl.dataset.locate + "?lon=" + lon.toFixed(6) + "&lat=" + lat.toFixed(6);
    fetch(url, { headers: { Accept: "application/json" } })
      .then(async (r) => {
        const body = await r.json().catch(() => ({}));
        if (!r.ok) throw new Error(body.detail || r.statusText);
        say(fill(T.chosen, { place: body.district + (body.street ? " · " + body.street : "") }), "ok");
      })
      .catch((e) => say(e.message, "error"));
  }

  function setPoint(lat, lon, zoom) {
    lonInput.value = lon.toFixed(6);
    latInput.value = lat.toFixed(6);
    if (map) {
      if (marker) map.removeLayer(marker);
      marker = L.circleMarker([lat, lon], { radius: 9, color: "#dc2626", fillOpacity: 0.85 }).addTo(map);
      if (zoom) map.setView([lat, lon], Math.max(map.getZoom(), 16));
    }
    describe(lat, lon);
  }

  if (mapEl && window.L) {
    map = L.map(mapEl, { preferCanvas: true }).setView([34.75, 113.65], 9);
    if (mapEl.dataset.tileUrl) {
      L.tileLayer(mapEl.dataset.tileUrl, { maxZoom: 19, attribution: mapEl.dataset.tileAttribution }).addTo(map);
    }
    const outlineData = document.getElementById("city-outline");
    const outline = outlineData ? JSON.parse(outlineData.textContent) : null;
    if (outline) {
      const layer = L.geoJSON(outline, { style: { color: "#1d4ed8", weight: 1.5, fillOpacity: 0.04 }, interactive: false }).addTo(map);
      map.fitBounds(layer.getBounds());
    }
    map.on("click", (ev) => setPoint(ev.latlng.lat, ev.latlng.lng, false));
  }
  function typed() {
    const lon = parseFloat(lonInput.value), lat = parseFloat(latInput.value);
    if (Number.isFinite(lon) && Number.isFinite(lat)) setPoint(lat, lon, true);
  }
  if (lonInput && latInput) {
    lonInput.addEventListener("change", typed);
    latInput.addEventListener("change", typed);
    if (lonInput.value && latInput.value) typed(); // the form came back with an error
  }

  if (useLocation && navigator.geolocation) {
    useLocation.hidden = false;
    useLocation.addEventListener("click", () => {
      say(T.locating);
      navigator.geolocation.getCurrentPosition(
        (p) => setPoint(p.coords.latitude, p.coords.longitude, true),
        (e) => say(T["geo_error_" + e.code] || e.message, "error"),
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 0 },
      );
    });
  }

  // ------------------------------------------------------------ photos and submit
  const photos = document.getElementById("id_photos");
  const count = document.getElementById("photo-count");
  if (photos && count) {
    photos.addEventListener("change", () => {
      const n = photos.files.length, max = Number(photos.dataset.max);
      count.textContent = n > max ? fill(T.too_many, { n: max, m: n }) : n ? fill(T.chosen_photos, { n: n }) : "";
      count.classList.toggle("error", n > max);
    });
  }
  const form = document.getElementById("report-form");
  const submit = document.getElementById("submit-report");
  if (form && submit) {
    // A second tap would be answered with the same case anyway (idempotency key); this
    // only spares the wait.
    const label = submit.textContent;
    form.addEventListener("submit", () => {
      submit.disabled = true;
      submit.textContent = T.submitting;
    });
    // Back from the next page (kept in the browser's page cache): the button works again.
    window.addEventListener("pageshow", () => {
      submit.disabled = false;
      submit.textContent = label;
    });
  }
})();
