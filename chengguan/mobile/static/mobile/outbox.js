// The outbox: reports kept on the phone (IndexedDB, photos as Blobs) until the server has them.
//
// A report is written here before any attempt to send it, so neither a dead network nor a
// closed app loses it. Each submitted report carries an idempotency key, made once when the
// inspector submits and reused on every retry: if the server took a report but its answer
// was lost, the retry gets that first answer back and no second case is made. A report the
// server refused (4xx) made nothing, so once corrected it is submitted with a new key.

const DB_NAME = "cg-mobile";
const STORE = "reports";
const SENT_KEEP = 20;
export const REPORT_URL = "/api/cases/with-photos";

// Item states kept in the database; "sending" exists only in the page while a send runs.
export const DRAFT = "draft";
export const QUEUED = "queued";
export const FAILED = "failed"; // refused by the server: the inspector must correct it

let opening = null;

function database() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "id" });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  return opening;
}

async function run(mode, work) {
  const db = await database();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const request = work(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(request && request.result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

export async function all() {
  const items = await run("readonly", (store) => store.getAll());
  return items.sort((a, b) => a.created_at.localeCompare(b.created_at));
}

export const get = (id) => run("readonly", (store) => store.get(id));
export const put = (item) => run("readwrite", (store) => store.put(item));
export const remove = (id) => run("readwrite", (store) => store.delete(id));

export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// Put a report in the queue: stamped with the phone's time and a fresh key.
export function queued(item) {
  return { ...item, state: QUEUED, client_time: new Date().toISOString(), key: newKey(), error: "" };
}

// ---------------------------------------------------------------- the reports already sent

function sentKey(user) {
  return "cg-mobile-sent:" + user;
}

export function sent(user) {
  try {
    return JSON.parse(localStorage.getItem(sentKey(user)) || "[]");
  } catch (error) {
    return [];
  }
}

function rememberSent(user, entry) {
  const list = [entry, ...sent(user)].slice(0, SENT_KEEP);
  localStorage.setItem(sentKey(user), JSON.stringify(list));
}

// ---------------------------------------------------------------- sending

// One attempt. Answers {outcome: "sent", number} | "retry" (network, 5xx: keep it queued)
// | "login" (the session lapsed) | "failed" with the server's message.
async function send(item, csrfToken) {
  const body = new FormData();
  for (const [name, value] of Object.entries(item.fields)) {
    if (value !== null && value !== undefined && value !== "") body.append(name, value);
  }
  body.append("client_time", item.client_time);
  for (const photo of item.photos) body.append("photos", photo.blob, photo.name);
  let response;
  try {
    response = await fetch(REPORT_URL, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Idempotency-Key": item.key, "X-CSRFToken": csrfToken, Accept: "application/json" },
      body,
    });
  } catch (error) {
    return { outcome: "retry", status: 0 };
  }
  const answer = await response.json().catch(() => ({}));
  if (response.status === 201) return { outcome: "sent", number: answer.number };
  // Without a session the CSRF check answers first: it means "sign in again" too.
  if (response.status === 401 || answer.code === "csrf_failed") {
    return { outcome: "login", status: response.status };
  }
  if (response.status >= 500 || [408, 425, 429].includes(response.status)) {
    return { outcome: "retry", status: response.status };
  }
  return { outcome: "failed", status: response.status, detail: answer.detail || response.statusText };
}

let running = null;

// Send the user's queued reports, one after another; a network failure ends the round (the
// rest would fail too). Reports of another user on this phone wait for that user.
// `onChange(event)` hears {id, state} while a report is being sent, and after each attempt.
export function syncAll({ user, csrfToken, onChange }) {
  if (!running) {
    const round = () => sendQueued(user, csrfToken, onChange);
    const exclusive = navigator.locks
      ? navigator.locks.request("cg-mobile-outbox", round) // one tab at a time
      : round();
    running = exclusive.finally(() => {
      running = null;
    });
  }
  return running;
}

async function sendQueued(user, csrfToken, onChange) {
  const summary = { sent: [], login: false, retry: false };
  for (const item of await all()) {
    if (item.user !== user || item.state !== QUEUED) continue;
    onChange({ id: item.id, state: "sending" });
    const result = await send(item, csrfToken());
    const attempted_at = new Date().toISOString();
    if (result.outcome === "sent") {
      await remove(item.id);
      rememberSent(user, { number: result.number, at: attempted_at });
      summary.sent.push(result.number);
    } else if (result.outcome === "failed") {
      await put({ ...item, state: FAILED, error: result.detail, attempted_at });
    } else {
      const needs_login = result.outcome === "login";
      await put({ ...item, attempted_at, last_status: result.status, needs_login });
    }
    onChange({ id: item.id, state: result.outcome });
    if (result.outcome === "login") summary.login = true;
    if (result.outcome === "retry") summary.retry = true;
    if (result.outcome === "login" || result.outcome === "retry") break;
  }
  return summary;
}
