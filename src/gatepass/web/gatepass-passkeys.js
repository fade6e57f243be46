/**
 * gatepass-passkeys.js: a gatepass server's passkey routes (docs/mfa.md), as
 * methods of the client that gatepass-client.js's createClient returns:
 *
 *   await auth.registerPasskey("Laptop");        // signed in: navigator.credentials.create()
 *   await auth.loginWithPasskey();               // no email: a discoverable credential
 *   await auth.verifyMfaWithPasskey(mfaToken);   // the second step after a password
 *   const { passkeys } = await auth.listPasskeys();
 *   await auth.renamePasskey(id, "Phone");
 *   await auth.deletePasskey(id);                // 204 → null
 *
 * The server speaks the WebAuthn JSON forms (base64url for every byte string);
 * the browser's API takes and gives ArrayBuffers: `creationOptions`,
 * `requestOptions` and `credentialJson` convert, by hand, so that no browser
 * needs `PublicKeyCredential.parseCreationOptionsFromJSON` or `toJSON`.
 * A refused passkey rejects with GatepassError "invalid_credential" (never
 * refreshed-and-retried); a person who cancels the browser's dialog rejects
 * with the browser's own DOMException ("NotAllowedError").
 */

import { requireString } from "./gatepass-http.js";

/** base64url (no padding) → ArrayBuffer. */
export function fromBase64Url(text) {
  requireString(text, "fromBase64Url");
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

/** ArrayBuffer or a view of one → base64url (no padding). */
export function toBase64Url(buffer) {
  const bytes = ArrayBuffer.isView(buffer)
    ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
    : new Uint8Array(buffer);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

const descriptors = (list) =>
  (list ?? []).map((item) => ({ ...item, id: fromBase64Url(item.id) }));

/** The server's PublicKeyCredentialCreationOptions JSON → what credentials.create() takes. */
export function creationOptions(json) {
  return {
    ...json,
    challenge: fromBase64Url(json.challenge),
    user: { ...json.user, id: fromBase64Url(json.user.id) },
    excludeCredentials: descriptors(json.excludeCredentials),
  };
}

/** The server's PublicKeyCredentialRequestOptions JSON → what credentials.get() takes. */
export function requestOptions(json) {
  return {
    ...json,
    challenge: fromBase64Url(json.challenge),
    allowCredentials: descriptors(json.allowCredentials),
  };
}

/** A PublicKeyCredential (from create() or get()) → its JSON form, as the server reads it. */
export function credentialJson(credential) {
  const { response } = credential;
  const out = {
    clientDataJSON: toBase64Url(response.clientDataJSON),
  };
  if (response.attestationObject !== undefined) {
    out.attestationObject = toBase64Url(response.attestationObject);
    if (typeof response.getTransports === "function") out.transports = response.getTransports();
  } else {
    out.authenticatorData = toBase64Url(response.authenticatorData);
    out.signature = toBase64Url(response.signature);
    if (response.userHandle) out.userHandle = toBase64Url(response.userHandle);
  }
  return {
    id: credential.id,
    rawId: toBase64Url(credential.rawId),
    type: credential.type,
    response: out,
    clientExtensionResults:
      typeof credential.getClientExtensionResults === "function"
        ? credential.getClientExtensionResults()
        : {},
    ...(credential.authenticatorAttachment
      ? { authenticatorAttachment: credential.authenticatorAttachment }
      : {}),
  };
}

/**
 * @param {object} transport what createClient lends these methods
 * @param {(name: string, body?: object) => Promise<any>} transport.post an auth route, never retried
 * @param {(method: string, name: string, body?: object) => Promise<any>} transport.call
 *   an auth route for the signed-in user
 * @param {(body: object) => object} transport.signedIn what a login answer does to the client
 * @param {() => CredentialsContainer | undefined} transport.authenticators navigator.credentials
 */
export function passkeyMethods({ post, call, signedIn, authenticators }) {
  function container() {
    const found = authenticators();
    if (!found || typeof found.create !== "function" || typeof found.get !== "function") {
      throw new TypeError("passkeys: this browser has no navigator.credentials (WebAuthn)");
    }
    return found;
  }

  /** The browser's assertion for request options JSON, as the server reads it. */
  async function assertion(options) {
    const found = await container().get({ publicKey: requestOptions(options) });
    return credentialJson(found);
  }

  /**
   * Make a passkey on this device for the signed-in user and register it.
   * Resolves to the passkey ({id, name, created_at, ...}).
   * @param {string} [name] what the user calls it ("Laptop")
   */
  async function registerPasskey(name) {
    if (name !== undefined) requireString(name, "registerPasskey: name");
    const options = await call("POST", "/passkeys/register/options", {});
    const made = await container().create({ publicKey: creationOptions(options) });
    const body = { credential: credentialJson(made) };
    if (name !== undefined && name.trim() !== "") body.name = name.trim();
    return call("POST", "/passkeys/register", body);
  }

  /** Log in with a passkey alone (no email): resolves as login does, signed in. */
  async function loginWithPasskey() {
    const options = await post("/passkeys/login/options");
    const credential = await assertion(options);
    return signedIn(await post("/passkeys/login", { credential, cookies: true }));
  }

  /**
   * The login's second step with a passkey (when login's methods include "passkey").
   * @param {string} mfaToken
   */
  async function verifyMfaWithPasskey(mfaToken) {
    requireString(mfaToken, "verifyMfaWithPasskey: mfaToken");
    const options = await post("/mfa/passkey/options", { mfa_token: mfaToken });
    const credential = await assertion(options);
    return signedIn(await post("/mfa/verify", { mfa_token: mfaToken, credential }));
  }

  /** Resolves to {passkeys: [...]}, oldest first. */
  async function listPasskeys() {
    return call("GET", "/passkeys");
  }

  /**
   * @param {string} id
   * @param {string} name
   */
  async function renamePasskey(id, name) {
    requireString(id, "renamePasskey: id");
    requireString(name, "renamePasskey: name");
    return call("PATCH", `/passkeys/${encodeURIComponent(id)}`, { name });
  }

  /** @param {string} id */
  async function deletePasskey(id) {
    requireString(id, "deletePasskey: id");
    return call("DELETE", `/passkeys/${encodeURIComponent(id)}`);
  }

  return {
    registerPasskey,
    loginWithPasskey,
    verifyMfaWithPasskey,
    listPasskeys,
    renamePasskey,
    deletePasskey,
  };
}
