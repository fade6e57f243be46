// Sign-in with a provider in the console: one button per configured provider on
// the login form (a plain link to the server's /oidc/<name>/login, which sends
// the browser to the provider), and, in Your account, the linked identities with
// Unlink, and a Link button per provider (POST /oidc/<name>/link with the CSRF
// header, then the browser goes where it answers). Linking and unlinking need a
// recent login, as adding a passkey does: both go through `fresh` (reauth-prompt.js).
// Server data reaches the page only through textContent.
import { $, errorText, getJson, log } from "./console-ui.js";
import { errorFromResponse, readBody } from "./gatepass-http.js";
import { freshLogin } from "./reauth-prompt.js";

/** The answer's body, or its GatepassError (what `fresh` reads a step-up from). */
async function sent(client, path, init) {
  const response = await client.fetch(path, init);
  const body = await readBody(response);
  if (!response.ok) throw errorFromResponse(response, body);
  return body;
}

/** The login form's provider buttons (config.providers: [{name, label}]). */
export function showProviderButtons(config) {
  const providers = Array.isArray(config.providers) ? config.providers : [];
  const list = $("provider-list");
  list.replaceChildren(
    ...providers.map((provider) => {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.className = "button provider";
      link.id = `provider-${provider.name}`;
      link.href = `${config.auth_prefix}/oidc/${encodeURIComponent(provider.name)}/login?return_to=/`;
      link.textContent = `Sign in with ${provider.label}`;
      item.append(link);
      return item;
    }),
  );
  $("providers").hidden = providers.length === 0;
}

/** Your account's identities: listed with Unlink, and a Link button per provider. */
export async function showIdentities(client, config, user) {
  const providers = Array.isArray(config.providers) ? config.providers : [];
  $("identities-section").hidden = providers.length === 0;
  $("no-password-notice").hidden = user?.has_password !== false;
  if (providers.length === 0) return;
  const body = await getJson(client, `${config.auth_prefix}/identities`);
  const identities = body && Array.isArray(body.identities) ? body.identities : [];
  const again = () => showIdentities(client, config, user);
  const fresh = freshLogin(client, () => user?.mfa?.totp === true);
  $("identities").replaceChildren(
    ...identities.map((identity) => identityItem(client, config, identity, again, fresh)),
  );
  $("identities-empty").hidden = identities.length > 0;
  $("link-providers").replaceChildren(
    ...providers.map((provider) => linkButton(client, config, provider, fresh)),
  );
}

function identityItem(client, config, identity, again, fresh) {
  const item = document.createElement("li");
  item.dataset.provider = identity.provider;
  const text = document.createElement("span");
  text.textContent = `${identity.provider} · ${identity.email ?? identity.subject}`;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "danger";
  button.textContent = "Unlink";
  button.setAttribute("aria-label", `Unlink ${identity.provider}`);
  button.addEventListener("click", async () => {
    $("identities-error").textContent = "";
    const path = `${config.auth_prefix}/identities/${encodeURIComponent(identity.provider)}/${encodeURIComponent(identity.id)}`;
    try {
      await fresh(() => sent(client, path, { method: "DELETE" }));
      log("unlink", `unlink ${identity.provider} → 204`, "ok");
    } catch (err) {
      log("unlink", `unlink ${identity.provider} → ${err?.status ?? "failed"}`, "bad");
      $("identities-error").textContent =
        err?.code === "last_sign_in_method"
          ? "This is your only way to sign in. Set a password first (Forgot password? mails a link)."
          : err?.status
            ? "The identity could not be unlinked."
            : errorText(err);
      return;
    }
    again();
  });
  item.append(text, button);
  return item;
}

function linkButton(client, config, provider, fresh) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "secondary";
  button.id = `link-${provider.name}`;
  button.textContent = `Link ${provider.label}`;
  button.addEventListener("click", async () => {
    $("identities-error").textContent = "";
    try {
      const path = `${config.auth_prefix}/oidc/${encodeURIComponent(provider.name)}/link`;
      const init = {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ return_to: "/" }),
      };
      const body = await fresh(() => sent(client, path, init)).catch(() => null);
      if (typeof body?.location !== "string") {
        $("identities-error").textContent = "The link could not be started.";
        return;
      }
      log("link", `link ${provider.name} → to the provider`, "ok");
      location.assign(body.location);
    } catch (err) {
      $("identities-error").textContent = errorText(err);
    }
  });
  return button;
}

/** The mfa_token and methods the callback left in the fragment (a user with a second factor), once. */
export function takeMfaToken() {
  const match = /^#mfa_token=([A-Za-z0-9_\-.~%]+)&methods=([a-z_,]*)$/.exec(location.hash);
  if (location.hash) history.replaceState(null, "", location.pathname + location.search);
  if (!match) return null;
  const known = ["totp", "recovery_code", "passkey"];
  const methods = match[2].split(",").filter((m) => known.includes(m));
  return { token: decodeURIComponent(match[1]), methods };
}
