// 城管巡查: tasks near me, report with photos and location, and the outbox that sends
// reports by itself when the network is back. No build step: a plain ES module.
import * as outbox from "mobile/outbox";

const body = document.body;
const USER = body.dataset.user;
const MAX_PHOTOS = Number(body.dataset.maxPhotos);
const API = "/api/cases/";
const RETRY_EVERY_MS = 30_000;
const CATEGORIES = "cg-mobile-categories";
const RECENT = "cg-mobile-recent:" + USER;
const RECENT_KEEP = 4;
const ZHENGZHOU = [34.75, 113.65];
const TEXT = JSON.parse(document.getElementById("mobile-text").textContent);

const $ = (id) => document.getElementById(id);

function t(key, params = {}) {
  let text = TEXT[key] || key;
  for (const [name, value] of Object.entries(params)) text = text.replace(`%(${name})s`, value);
  return text;
}

// A DOM node with attributes and children; text always goes in as text, never as HTML.
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (value !== null && value !== undefined && value !== false) node.setAttribute(name, value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

function localTime(iso) {
  return new Date(iso).toLocaleString("zh-CN", {
    hour12: false, month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
  });
}

function csrfToken() {
  const found = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
  return found ? decodeURIComponent(found.slice("csrftoken=".length)) : "";
}

function notice(text, link) {
  const box = $("notice");
  box.replaceChildren(text, ...(link ? [" ", el("a", { href: link.href }, link.text)] : []));
  box.hidden = !text;
}

// ---------------------------------------------------------------- screens and network

function show(screen) {
  const name = ["tasks", "report", "outbox"].includes(screen) ? screen : "tasks";
  for (const section of document.querySelectorAll("[data-screen]")) {
    section.hidden = section.dataset.screen !== name;
  }
  for (const tab of document.querySelectorAll("[data-tab]")) {
    tab.toggleAttribute("aria-current", tab.dataset.tab === name);
  }
  if (name === "report") {
    pinMap();
    if (!position) locate(); // the phone knows where the inspector stands
  }
  if (name === "tasks" && started && !tasksLoaded) loadTasks();
}

function renderNetwork() {
  $("net").textContent = navigator.onLine ? t("online") : t("offline");
  $("net").dataset.online = String(navigator.onLine);
}

// ---------------------------------------------------------------- categories (kept for offline)

let categories = [];

function categoryValue(c) {
  return c.kind + ":" + c.code;
}

async function loadCategories() {
  let list = null;
  try {
    const response = await fetch(API + "categories", { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(String(response.status));
    list = await response.json();
    localStorage.setItem(CATEGORIES, JSON.stringify(list));
    $("category-status").textContent = "";
  } catch (error) {
    list = JSON.parse(localStorage.getItem(CATEGORIES) || "null");
    $("category-status").textContent = list ? t("categories_offline") : t("categories_missing");
  }
  if (list) fillCategories(list);
}

function fillCategories(list) {
  categories = list;
  const select = $("category");
  const chosen = select.value;
  const groups = new Map();
  for (const c of list) {
    const label = t("kind_" + c.kind) + " · " + c.major_code + " " + c.major_name;
    if (!groups.has(label)) groups.set(label, el("optgroup", { label }));
    groups.get(label).append(el("option", { value: categoryValue(c) }, c.code + " " + c.name));
  }
  select.replaceChildren(select.options[0], ...groups.values());
  select.value = chosen;
  renderRecent();
}

function recent() {
  return JSON.parse(localStorage.getItem(RECENT) || "[]");
}

function remember(value) {
  const list = [value, ...recent().filter((v) => v !== value)].slice(0, RECENT_KEEP);
  localStorage.setItem(RECENT, JSON.stringify(list));
}

function renderRecent() {
  const known = new Map(categories.map((c) => [categoryValue(c), c]));
  const chips = recent().filter((v) => known.has(v)).map((value) =>
    el("button", { type: "button", class: "chip", onclick: () => { $("category").value = value; } },
      known.get(value).name));
  $("recent-categories").replaceChildren(...(chips.length ? [el("span", { class: "hint" }, t("recent")), ...chips] : []));
}

function categoryLabel(value) {
  const found = categories.find((c) => categoryValue(c) === value);
  return found ? found.code + " " + found.name : value;
}

// ---------------------------------------------------------------- location and the pin map

let position = null; // {lon, lat, accuracy, manual}
let map = null;
let pin = null;

function pinMap() {
  if (map) {
    map.invalidateSize();
    return;
  }
  if (!window.L) return;
  map = L.map("pin-map", { zoomControl: true }).setView(ZHENGZHOU, 11);
  if (body.dataset.tileUrl) {
    L.tileLayer(body.dataset.tileUrl, { maxZoom: 19, attribution: body.dataset.tileAttribution }).addTo(map);
  } else {
    $("pin-map").dataset.empty = t("no_tiles");
  }
  map.on("click", (event) => setPosition(event.latlng.lng, event.latlng.lat, null, true));
  if (position) placePin();
}

function placePin() {
  if (!map) return;
  const at = [position.lat, position.lon];
  if (!pin) {
    pin = L.marker(at, {
      draggable: true,
      icon: L.divIcon({ className: "pin", iconSize: [26, 26], iconAnchor: [13, 26] }),
    }).addTo(map);
    pin.on("dragend", () => {
      const moved = pin.getLatLng();
      setPosition(moved.lng, moved.lat, null, true);
    });
  } else {
    pin.setLatLng(at);
  }
  if (!position.manual) map.setView(at, 17);
}

function setPosition(lon, lat, accuracy, manual) {
  position = { lon, lat, accuracy, manual };
  $("coords").textContent = t("coords", { lon: lon.toFixed(6), lat: lat.toFixed(6) });
  $("accuracy").textContent = manual ? t("pin_moved") : t("accuracy", { m: Math.round(accuracy) });
  placePin();
}

function locate() {
  if (!navigator.geolocation) {
    $("accuracy").textContent = t("no_location", { reason: "—" });
    return;
  }
  $("accuracy").textContent = t("locating");
  navigator.geolocation.getCurrentPosition(
    (p) => setPosition(p.coords.longitude, p.coords.latitude, p.coords.accuracy, false),
    (error) => {
      const reason = error.code === error.PERMISSION_DENIED ? t("location_denied") : error.message;
      $("accuracy").textContent = t("no_location", { reason });
    },
    { enableHighAccuracy: true, timeout: 20_000, maximumAge: 0 },
  );
}

// ---------------------------------------------------------------- photos

let photos = []; // [{name, type, blob}]

function addPhotos(files) {
  for (const file of files) {
    if (photos.length >= MAX_PHOTOS) {
      $("report-error").textContent = t("too_many_photos", { n: MAX_PHOTOS });
      break;
    }
    photos.push({ name: file.name || "photo.jpg", type: file.type, blob: file });
  }
  renderPhotos();
}

function renderPhotos() {
  for (const img of $("photo-list").querySelectorAll("img")) URL.revokeObjectURL(img.src);
  $("photo-list").replaceChildren(...photos.map((photo, index) =>
    el("li", {},
      el("img", { src: URL.createObjectURL(photo.blob), alt: photo.name }),
      el("button", { type: "button", class: "link", onclick: () => { photos.splice(index, 1); renderPhotos(); } }, t("remove")))));
}

// ---------------------------------------------------------------- the report form

let editing = null; // the outbox item being corrected, if any

function fields() {
  const [kind, code] = ($("category").value || ":").split(":");
  return {
    category_kind: kind,
    category_code: code,
    lon: position ? position.lon.toFixed(6) : "",
    lat: position ? position.lat.toFixed(6) : "",
    description: $("description").value.trim(),
    address: $("address").value.trim(),
    channel: "inspector",
  };
}

function problem(f) {
  if (!f.category_code) return t("choose_category");
  if (!f.lon || !f.lat) return t("choose_location");
  if (!f.description) return t("describe");
  return "";
}

function resetForm() {
  editing = null;
  $("report-form").reset();
  $("report-error").textContent = "";
  photos = [];
  renderPhotos();
  position = null; // the next report is somewhere else: locate it afresh
  $("coords").textContent = "";
  $("accuracy").textContent = "";
  if (pin) {
    pin.remove();
    pin = null;
  }
}

async function save(submit) {
  const f = fields();
  const wrong = submit ? problem(f) : "";
  $("report-error").textContent = wrong;
  if (wrong) return;
  const item = {
    id: editing ? editing.id : outbox.newKey(),
    user: USER,
    state: outbox.DRAFT,
    created_at: editing ? editing.created_at : new Date().toISOString(),
    fields: f,
    accuracy: position ? position.accuracy : null,
    photos: photos.slice(),
    error: "",
  };
  // Written to the phone first; only then is there any attempt to send it.
  await outbox.put(submit ? outbox.queued(item) : item);
  if (f.category_code) remember($("category").value);
  resetForm();
  renderRecent();
  notice(submit ? t("queued") : t("draft_saved"));
  location.hash = "#outbox";
  await renderOutbox();
  if (submit) sync();
}

function edit(item) {
  editing = item;
  const f = item.fields;
  $("category").value = f.category_code ? f.category_kind + ":" + f.category_code : "";
  $("description").value = f.description;
  $("address").value = f.address;
  photos = item.photos.slice();
  renderPhotos();
  location.hash = "#report";
  if (f.lon && f.lat) setPosition(Number(f.lon), Number(f.lat), item.accuracy, item.accuracy == null);
  $("report-error").textContent = item.error || "";
}

// ---------------------------------------------------------------- the outbox

const sending = new Set();

async function renderOutbox() {
  const items = await outbox.all();
  const waiting = items.filter((i) => i.user === USER && i.state !== outbox.DRAFT);
  $("outbox-count").textContent = String(waiting.length);
  $("outbox-count").dataset.count = String(waiting.length);
  $("outbox-list").replaceChildren(...(items.length ? items.map(outboxItem) : [el("li", { class: "hint" }, t("outbox_empty"))]));
  const sent = outbox.sent(USER);
  $("sent-list").replaceChildren(...(sent.length
    ? sent.map((s) => el("li", {}, el("a", { href: "/cases/" + encodeURIComponent(s.number) + "/" }, s.number), " ", el("span", { class: "hint" }, localTime(s.at))))
    : [el("li", { class: "hint" }, t("sent_empty"))]));
}

function outboxItem(item) {
  const mine = item.user === USER;
  let state = sending.has(item.id) ? "sending" : item.state;
  if (item.state === outbox.QUEUED && item.needs_login && state !== "sending") state = "login";
  const label = mine ? t("state_" + state) : t("state_other_user", { user: item.user });
  const f = item.fields;
  const actions = [];
  if (mine && (item.state === outbox.DRAFT || item.state === outbox.FAILED)) {
    actions.push(el("button", { type: "button", onclick: () => edit(item) }, t("edit")));
    actions.push(el("button", { type: "button", class: "primary", onclick: () => resend(item) }, t("send")));
  }
  actions.push(el("button", { type: "button", class: "link danger", onclick: () => discard(item) }, t("delete")));
  return el("li", { class: "card", "data-state": state, "data-id": item.id },
    el("div", { class: "row" },
      el("strong", {}, f.category_code ? categoryLabel(f.category_kind + ":" + f.category_code) : "—"),
      el("span", { class: "state" }, label)),
    el("p", {}, f.description || "—"),
    el("p", { class: "hint" },
      t("made_at", { time: localTime(item.client_time || item.created_at) }), " · ",
      t("photos", { n: item.photos.length })),
    item.state === outbox.FAILED ? el("p", { class: "error" }, item.error) : null,
    item.state === outbox.QUEUED && item.attempted_at && !item.needs_login
      ? el("p", { class: "hint" }, t("retry_note", {
        time: localTime(item.attempted_at),
        reason: item.last_status ? t("server_error", { status: item.last_status }) : t("network_error"),
      }))
      : null,
    el("div", { class: "actions" }, ...actions));
}

async function resend(item) {
  if (problem(item.fields)) {
    edit(item);
    $("report-error").textContent = problem(item.fields);
    return;
  }
  await outbox.put(outbox.queued(item));
  await renderOutbox();
  sync();
}

async function discard(item) {
  if (!window.confirm(t("confirm_delete"))) return;
  await outbox.remove(item.id);
  await renderOutbox();
}

async function sync() {
  const summary = await outbox.syncAll({
    user: USER,
    csrfToken,
    onChange: ({ id, state }) => {
      if (state === "sending") sending.add(id);
      else sending.delete(id);
      renderOutbox();
    },
  });
  if (summary.sent.length) notice(t("sent", { number: summary.sent.join("、") }));
  if (summary.login) notice(t("login_again"), { href: body.dataset.login, text: t("login") });
  await renderOutbox();
  return summary;
}

async function pending() {
  return (await outbox.all()).some((i) => i.user === USER && i.state === outbox.QUEUED);
}

// ---------------------------------------------------------------- tasks near me

let tasksLoaded = false;

function distance(m) {
  return m < 1000 ? t("metres", { m }) : t("kilometres", { km: (m / 1000).toFixed(1) });
}

function here() {
  return new Promise((resolve, reject) => navigator.geolocation.getCurrentPosition(
    resolve, reject, { enableHighAccuracy: true, timeout: 20_000, maximumAge: 60_000 }));
}

async function loadTasks() {
  tasksLoaded = true;
  const status = $("tasks-status");
  if (!navigator.onLine) {
    status.textContent = t("tasks_offline");
    return;
  }
  if (!navigator.geolocation) return;
  status.textContent = t("tasks_locating");
  let p;
  try {
    p = await here();
  } catch (error) {
    const reason = error.code === error.PERMISSION_DENIED ? t("location_denied") : error.message;
    status.textContent = t("no_location", { reason });
    return;
  }
  const query = new URLSearchParams({ lon: p.coords.longitude.toFixed(6), lat: p.coords.latitude.toFixed(6), radius_m: "2000" });
  try {
    const response = await fetch(API + "tasks/nearby?" + query, { credentials: "same-origin", headers: { Accept: "application/json" } });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      status.textContent = answer.detail || response.statusText;
      return;
    }
    status.textContent = answer.length ? t("tasks_count", { n: answer.length }) : t("tasks_none", { km: 2 });
    $("task-list").replaceChildren(...answer.map(taskItem));
  } catch (error) {
    status.textContent = t("tasks_offline");
  }
}

function taskItem(task) {
  const due = task.due_at ? t("due", { time: localTime(task.due_at) }) : "";
  return el("li", { class: "card", "data-task": task.task },
    el("div", { class: "row" },
      el("span", { class: "tag " + task.task }, task.task_label),
      el("strong", {}, task.category.name),
      el("span", { class: "distance" }, distance(task.distance_m))),
    el("p", {}, task.address || task.number),
    el("p", { class: task.overdue ? "error" : "hint" }, task.number, due ? " · " + due : "", task.overdue ? " · " + t("overdue") : ""),
    el("div", { class: "actions" }, el("a", { class: "button primary", href: task.url }, t("open_case"))));
}

// ---------------------------------------------------------------- start

let started = false;

// One request after another: on a weak signal the reports waiting on the phone go first, and
// the service worker fills its cache only once the page has what it needs.
async function start() {
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => undefined);

  $("report-form").addEventListener("submit", (event) => {
    event.preventDefault();
    save(true);
  });
  $("save-draft").addEventListener("click", () => save(false));
  $("locate").addEventListener("click", locate);
  $("photo-input").addEventListener("change", (event) => {
    addPhotos(event.target.files);
    event.target.value = ""; // the same photo may be taken again
  });
  $("sync-now").addEventListener("click", sync);
  // Signing out drops the cached page (it shows who was signed in); unsent reports stay.
  $("logout").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (window.caches) {
      for (const name of await caches.keys()) {
        if (name.startsWith("cg-mobile-")) await (await caches.open(name)).delete(body.dataset.scope);
      }
    }
    event.target.submit();
  });
  $("tasks-refresh").addEventListener("click", loadTasks);
  window.addEventListener("hashchange", () => show(location.hash.slice(1)));
  window.addEventListener("online", async () => {
    renderNetwork();
    await loadCategories();
    await sync();
  });
  window.addEventListener("offline", renderNetwork);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") sync();
  });
  setInterval(async () => {
    if (await pending()) sync();
  }, RETRY_EVERY_MS);

  renderNetwork();
  show(location.hash.slice(1));
  await loadCategories();
  await renderOutbox();
  await sync();
  started = true;
  if (!$("tasks").hidden) await loadTasks();
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(body.dataset.sw, { scope: body.dataset.scope }).catch(() => undefined);
  }
}

start();
