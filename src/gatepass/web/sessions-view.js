// The console's list of the signed-in user's sessions, each with a Revoke button.
import { $, errorText, getJson, log, short } from "./console-ui.js";
import { clock } from "./token-view.js";

/**
 * List the signed-in user's sessions, each with its Revoke button;
 * `onOwnRevoked` runs when the user revoked the session of this page.
 */
export async function listSessions(client, authPrefix, onOwnRevoked) {
  const body = await getJson(client, `${authPrefix}/sessions`);
  if (body === null) return;
  const list = $("sessions");
  const sessions = body && Array.isArray(body.sessions) ? body.sessions : [];
  const again = () => listSessions(client, authPrefix, onOwnRevoked);
  list.replaceChildren(...sessions.map((session) => sessionItem(session, revoke)));

  function revoke(session) {
    return revokeSession(client, `${authPrefix}/sessions/${encodeURIComponent(session.id)}`, session, {
      onOwnRevoked,
      again,
    });
  }
}

function sessionItem(session, revoke) {
  const item = document.createElement("li");
  item.dataset.sessionId = session.id;
  const text = document.createElement("span");
  const started = clock(session.created_at * 1000);
  const agent = typeof session.user_agent === "string" ? session.user_agent.slice(0, 60) : "unknown browser";
  text.textContent = `Started ${started} · ${session.ip ?? "?"} · ${agent}`;
  if (session.current) {
    const mark = document.createElement("span");
    mark.className = "current";
    mark.textContent = "This session · ";
    text.prepend(mark);
  }
  const button = document.createElement("button");
  button.type = "button";
  button.className = "danger";
  button.textContent = "Revoke";
  button.setAttribute(
    "aria-label",
    `Revoke ${session.current ? "this session" : "the session"} started ${started}`,
  );
  button.addEventListener("click", () => revoke(session));
  item.append(text, button);
  return item;
}

async function revokeSession(client, path, session, { onOwnRevoked, again }) {
  let response;
  try {
    response = await client.fetch(path, { method: "DELETE" });
  } catch (err) {
    log("revoke", `revoke → no answer: ${errorText(err)}`, "bad");
    return;
  }
  const which = session.current ? "this session" : `session ${short(session.id)}`;
  log("revoke", `revoke ${which} → ${response.status}`, response.ok ? "ok" : "bad");
  if (session.current && response.ok) {
    onOwnRevoked();
    return;
  }
  again();
}
