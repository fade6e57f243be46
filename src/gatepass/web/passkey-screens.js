// The signed-in user's passkeys in the console (part of "Your account"): add a
// passkey on this device (navigator.credentials.create, through
// gatepass-passkeys.js), see the list, rename one, delete one. Server data
// (names the user chose included) reaches the page only through textContent
// and input values.
import { $, errorText, logged, withButtons } from "./console-ui.js";
import { clock } from "./token-view.js";

/**
 * Show and wire the passkey screens (they are in #account-slot).
 * @param {ReturnType<import("./gatepass-client.js").createClient>} client
 * @param {{ fresh: (action: () => Promise<any>) => Promise<any> }} account
 *   `fresh` runs a change with the recent-login prompt (adding and deleting a passkey)
 */
export function showPasskeys(client, { fresh }) {
  const form = $("passkey-add-form");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!form.reportValidity()) return;
    run("passkey-add-button", async () => {
      const name = $("passkey-name").value;
      const made = await logged("add a passkey", () =>
        fresh(() => client.registerPasskey(name.trim() === "" ? undefined : name.trim())),
      );
      form.reset();
      $("passkey-result").textContent = `Passkey "${made.name}" added: log in with it next time.`;
      await reload(client, fresh);
    });
  });
  reload(client, fresh);
}

/** Run one action with its button busy; its failure's message goes to the error line. */
function run(buttonId, action) {
  $("passkey-error").textContent = "";
  $("passkey-result").textContent = "";
  return withButtons([buttonId], async () => {
    try {
      await action();
    } catch (err) {
      $("passkey-error").textContent = errorText(err);
    }
  });
}

async function reload(client, fresh) {
  let body;
  try {
    body = await client.listPasskeys();
  } catch (err) {
    $("passkey-error").textContent = errorText(err);
    return;
  }
  const passkeys = Array.isArray(body?.passkeys) ? body.passkeys : [];
  $("passkeys-state").textContent =
    passkeys.length === 0
      ? "No passkey yet: add one to log in without a password."
      : `${passkeys.length} passkey${passkeys.length === 1 ? "" : "s"}: each logs you in alone, ` +
        "and a login with your password asks for one.";
  $("passkey-list").replaceChildren(...passkeys.map((p, i) => item(client, fresh, p, i)));
}

function item(client, fresh, passkey, index) {
  const li = document.createElement("li");
  li.dataset.passkeyId = passkey.id;
  const name = document.createElement("input");
  name.id = `passkey-name-${index}`;
  name.setAttribute("aria-label", "Passkey name");
  name.className = "passkey-name";
  name.maxLength = 64;
  name.required = true;
  name.value = String(passkey.name);
  const when = document.createElement("span");
  const used = passkey.last_used_at ? `last used ${clock(passkey.last_used_at * 1000)}` : "never used";
  when.textContent = ` added ${clock(passkey.created_at * 1000)} · ${used}${passkey.backup_eligible ? " · synced" : ""}`;
  const rename = button(`passkey-rename-${index}`, "Rename", "secondary");
  rename.addEventListener("click", () =>
    run(rename.id, async () => {
      if (!name.reportValidity()) return;
      const renamed = await logged("rename a passkey", () =>
        client.renamePasskey(passkey.id, name.value.trim()),
      );
      $("passkey-result").textContent = `Renamed to "${renamed.name}".`;
      await reload(client, fresh);
    }),
  );
  const remove = button(`passkey-delete-${index}`, "Delete", "danger");
  remove.addEventListener("click", () =>
    run(remove.id, async () => {
      await logged("delete a passkey", () => fresh(() => client.deletePasskey(passkey.id)));
      $("passkey-result").textContent = "Passkey deleted: it no longer logs you in.";
      await reload(client, fresh);
    }),
  );
  li.append(name, when, rename, remove);
  return li;
}

function button(id, text, className) {
  const made = document.createElement("button");
  made.type = "button";
  made.id = id;
  made.className = className;
  made.textContent = text;
  return made;
}
