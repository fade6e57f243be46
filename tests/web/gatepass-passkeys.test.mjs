// Tests for the passkey side of the client (src/gatepass/web/gatepass-passkeys.js),
// against a fake fetch and a fake navigator.credentials. Run: node --test tests/web/
import assert from "node:assert/strict";
import { test } from "node:test";

import { createClient, GatepassError } from "../../src/gatepass/web/gatepass-client.js";
import {
  creationOptions,
  credentialJson,
  fromBase64Url,
  requestOptions,
  toBase64Url,
} from "../../src/gatepass/web/gatepass-passkeys.js";
import { fakeFetch, json, pathsOf } from "./fakefetch.mjs";

const SIGNED_IN = { expires_in: 900, csrf_token: "csrf-after", session_id: "s1" };
const REFUSED = { error: "invalid_credential", message: "The passkey was not accepted" };
const bytes = (...values) => new Uint8Array(values).buffer;
const CREATION = {
  rp: { id: "localhost", name: "gatepass" },
  user: { id: "dXNlcg", name: "ada@example.com", displayName: "ada@example.com" },
  challenge: "AQID",
  pubKeyCredParams: [{ type: "public-key", alg: -7 }],
  excludeCredentials: [{ type: "public-key", id: "BAU" }],
  authenticatorSelection: { residentKey: "required", userVerification: "preferred" },
};
const REQUEST = { rpId: "localhost", challenge: "CQoL", allowCredentials: [], userVerification: "required" };

/** What a browser's create() gives: ArrayBuffers, and getTransports(). */
const MADE = {
  id: "Bwg",
  rawId: bytes(7, 8),
  type: "public-key",
  authenticatorAttachment: "platform",
  getClientExtensionResults: () => ({ credProps: { rk: true } }),
  response: {
    clientDataJSON: bytes(123, 125),
    attestationObject: bytes(0xa0),
    getTransports: () => ["internal"],
  },
};
const ASSERTED = {
  id: "Bwg",
  rawId: bytes(7, 8),
  type: "public-key",
  getClientExtensionResults: () => ({}),
  response: {
    clientDataJSON: bytes(123, 125),
    authenticatorData: bytes(1, 2, 3),
    signature: bytes(0xff, 0xfe),
    userHandle: bytes(117, 115, 101, 114),
  },
};

/** A fake navigator.credentials recording what it was asked. */
function fakeAuthenticators() {
  const asked = [];
  return {
    asked,
    container: {
      async create(options) {
        asked.push(["create", options]);
        return MADE;
      },
      async get(options) {
        asked.push(["get", options]);
        return ASSERTED;
      },
    },
  };
}

function client(handler) {
  const fake = fakeFetch(handler);
  const authenticators = fakeAuthenticators();
  const auth = createClient({
    fetch: fake.fetch,
    readCookies: () => "",
    authenticators: () => authenticators.container,
  });
  return { ...fake, auth, asked: authenticators.asked };
}

test("base64url goes both ways without padding, for any byte", () => {
  const all = new Uint8Array(256).map((_, i) => i);
  const text = toBase64Url(all);
  assert.ok(!/[+/=]/.test(text));
  assert.deepEqual(new Uint8Array(fromBase64Url(text)), all);
  assert.equal(toBase64Url(bytes(0xfb, 0xff)), "-_8");
  assert.deepEqual(new Uint8Array(fromBase64Url("-_8")), new Uint8Array([0xfb, 0xff]));
});

test("the options' byte strings become ArrayBuffers, the rest stays", () => {
  const made = creationOptions(CREATION);
  assert.deepEqual(new Uint8Array(made.challenge), new Uint8Array([1, 2, 3]));
  assert.deepEqual(new Uint8Array(made.user.id), new TextEncoder().encode("user"));
  assert.equal(made.user.name, "ada@example.com");
  assert.deepEqual(new Uint8Array(made.excludeCredentials[0].id), new Uint8Array([4, 5]));
  assert.equal(made.authenticatorSelection.residentKey, "required");
  const asked = requestOptions(REQUEST);
  assert.deepEqual(new Uint8Array(asked.challenge), new Uint8Array([9, 10, 11]));
  assert.deepEqual(asked.allowCredentials, []);
});

test("a credential becomes the JSON form the server reads", () => {
  assert.deepEqual(credentialJson(MADE), {
    id: "Bwg",
    rawId: "Bwg",
    type: "public-key",
    response: { clientDataJSON: "e30", attestationObject: "oA", transports: ["internal"] },
    clientExtensionResults: { credProps: { rk: true } },
    authenticatorAttachment: "platform",
  });
  assert.deepEqual(credentialJson(ASSERTED).response, {
    clientDataJSON: "e30",
    authenticatorData: "AQID",
    signature: "__4",
    userHandle: "dXNlcg",
  });
});

test("registerPasskey: options, create(), then the credential with its name", async () => {
  const answers = {
    "POST /auth/passkeys/register/options": () => json(200, CREATION),
    "POST /auth/passkeys/register": () => json(201, { id: "p1", name: "Laptop" }),
  };
  const { auth, calls, asked } = client(async (call) => answers[`${call.method} ${call.path}`]());
  assert.deepEqual(await auth.registerPasskey(" Laptop "), { id: "p1", name: "Laptop" });
  assert.deepEqual(pathsOf(calls), ["POST /auth/passkeys/register/options", "POST /auth/passkeys/register"]);
  const [[kind, options]] = asked;
  assert.equal(kind, "create");
  assert.deepEqual(new Uint8Array(options.publicKey.challenge), new Uint8Array([1, 2, 3]));
  const sent = JSON.parse(calls[1].body);
  assert.equal(sent.name, "Laptop");
  assert.equal(sent.credential.response.attestationObject, "oA");
});

test("loginWithPasskey: discoverable get(), then the login answer signs in", async () => {
  const answers = {
    "POST /auth/passkeys/login/options": () => json(200, REQUEST),
    "POST /auth/passkeys/login": () => json(200, SIGNED_IN),
  };
  const { auth, calls, asked } = client(async (call) => answers[`${call.method} ${call.path}`]());
  assert.deepEqual(await auth.loginWithPasskey(), SIGNED_IN);
  assert.equal(auth.csrfToken(), "csrf-after");
  assert.equal(asked[0][0], "get");
  assert.deepEqual(asked[0][1].publicKey.allowCredentials, []);
  const sent = JSON.parse(calls[1].body);
  assert.equal(sent.cookies, true);
  assert.equal(sent.credential.response.userHandle, "dXNlcg");
  assert.equal(calls[0].body, undefined); // no email
});

test("a refused passkey rejects once, with no refresh", async () => {
  const answers = {
    "POST /auth/passkeys/login/options": () => json(200, REQUEST),
    "POST /auth/passkeys/login": () => json(401, REFUSED),
  };
  const { auth, calls } = client(async (call) => answers[`${call.method} ${call.path}`]());
  await assert.rejects(auth.loginWithPasskey(), (err) => {
    assert.ok(err instanceof GatepassError);
    assert.equal(err.code, "invalid_credential");
    return true;
  });
  assert.deepEqual(pathsOf(calls), ["POST /auth/passkeys/login/options", "POST /auth/passkeys/login"]);

  const registering = client(async (call) =>
    call.path.endsWith("/options") ? json(200, CREATION) : json(401, REFUSED),
  );
  await assert.rejects(registering.auth.registerPasskey(), GatepassError);
  assert.deepEqual(pathsOf(registering.calls), [
    "POST /auth/passkeys/register/options",
    "POST /auth/passkeys/register",
  ]);
});

test("verifyMfaWithPasskey: the mfa_token's options, then /mfa/verify with the credential", async () => {
  const answers = {
    "POST /auth/mfa/passkey/options": () => json(200, { ...REQUEST, allowCredentials: [{ type: "public-key", id: "Bwg" }] }),
    "POST /auth/mfa/verify": () => json(200, SIGNED_IN),
  };
  const { auth, calls, asked } = client(async (call) => answers[`${call.method} ${call.path}`]());
  assert.deepEqual(await auth.verifyMfaWithPasskey("m1"), SIGNED_IN);
  assert.deepEqual(JSON.parse(calls[0].body), { mfa_token: "m1" });
  assert.equal(JSON.parse(calls[1].body).mfa_token, "m1");
  assert.deepEqual(new Uint8Array(asked[0][1].publicKey.allowCredentials[0].id), new Uint8Array([7, 8]));
  await assert.rejects(auth.verifyMfaWithPasskey(null), TypeError);
});

test("list, rename and delete call their routes", async () => {
  const answers = {
    "GET /auth/passkeys": () => json(200, { passkeys: [] }),
    "PATCH /auth/passkeys/p%2F1": () => json(200, { id: "p/1", name: "Phone" }),
    "DELETE /auth/passkeys/p1": () => new Response(null, { status: 204 }),
  };
  const fake = fakeFetch(async (call) => answers[`${call.method} ${new URL(call.url, "http://x").pathname}`]());
  const auth = createClient({ fetch: fake.fetch, readCookies: () => "gatepass_csrf=c9" });
  assert.deepEqual(await auth.listPasskeys(), { passkeys: [] });
  assert.deepEqual(await auth.renamePasskey("p/1", "Phone"), { id: "p/1", name: "Phone" });
  assert.equal(await auth.deletePasskey("p1"), null);
  assert.deepEqual(JSON.parse(fake.calls[1].body), { name: "Phone" });
  assert.equal(fake.calls[2].headers.get("X-CSRF-Token"), "c9");
  await assert.rejects(auth.renamePasskey("p1", 5), TypeError);
});

test("without WebAuthn in the browser the methods say so", async () => {
  const fake = fakeFetch(async () => json(200, REQUEST));
  const auth = createClient({ fetch: fake.fetch, readCookies: () => "", authenticators: () => undefined });
  await assert.rejects(auth.loginWithPasskey(), /navigator.credentials/);
});
