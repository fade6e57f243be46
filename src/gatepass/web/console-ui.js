// What every page of the console shares: finding elements, the flow log, the
// status line, error text and buttons that are busy while their action runs.
// Server data reaches the page only through textContent.

import { readBody } from "./gatepass-client.js";

export const $ = (id) => document.getElementById(id);

/** The first characters of a long id, for the flow log. */
export const short = (id) =>
  typeof id === "string" && id.length > 12 ? `${id.slice(0, 8)}…` : String(id);

export function errorText(err) {
  if (err && typeof err.message === "string" && err.message) return err.message;
  return "Something went wrong; see the flow log.";
}

/** Append one step to the flow log, when the page has one. kind: "ok" | "warn" | "bad" | "" */
export function log(step, text, kind = "") {
  const list = $("flow-log");
  if (list === null) return;
  const item = document.createElement("li");
  item.dataset.step = step;
  if (kind) item.className = kind;
  const time = document.createElement("time");
  const now = new Date();
  time.dateTime = now.toISOString();
  time.textContent = now.toLocaleTimeString([], { hour12: false });
  item.append(time, document.createTextNode(text));
  list.append(item);
}

export function setStatus(text) {
  $("status").textContent = text;
}

// Buttons whose action is running. They are marked aria-disabled, never `disabled`:
// disabling the focused button would throw keyboard focus back to the page start.
const busy = new Set();

/** Run `action` unless one of the buttons `ids` is busy; `after` runs once they are free. */
export async function withButtons(ids, action, after = () => {}) {
  if (ids.some((id) => busy.has(id))) return;
  for (const id of ids) {
    busy.add(id);
    $(id).setAttribute("aria-disabled", "true");
  }
  try {
    await action();
  } finally {
    for (const id of ids) {
      busy.delete(id);
      $(id)?.removeAttribute("aria-disabled");
    }
    after();
  }
}

/**
 * Wire a form: on submit (when valid) clear its error and result lines, run
 * `action` with its button busy, and show the outcome as text: what `action`
 * resolves to in `resultId`, a failure's message in `errorId`.
 */
export function onSubmit(formId, buttonId, { errorId, resultId }, action) {
  const form = $(formId);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!form.reportValidity()) return;
    $(errorId).textContent = "";
    $(resultId).textContent = "";
    withButtons([buttonId], async () => {
      try {
        const result = await action();
        if (typeof result === "string") $(resultId).textContent = result;
      } catch (err) {
        $(errorId).textContent = errorText(err);
      }
    });
  });
}

/** Run one account call and write its outcome to the flow log. */
export async function logged(step, run) {
  try {
    const body = await run();
    log("account", `${step} → done`, "ok");
    return body;
  } catch (err) {
    log("account", `${step} → ${err.status} ${err.code}`, "bad");
    throw err;
  }
}

/** The console's settings (/console/config.json). */
export async function loadConfig() {
  const response = await fetch("/console/config.json", { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`config.json answered HTTP ${response.status}`);
  return response.json();
}

/** GET a JSON document through the client; null when it fails (the caller shows nothing new). */
export async function getJson(client, path) {
  try {
    const response = await client.fetch(path);
    return response.ok ? await readBody(response) : null;
  } catch {
    return null;
  }
}
