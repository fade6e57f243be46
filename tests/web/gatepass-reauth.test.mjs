// Tests for the re-authentication methods (src/gatepass/web/gatepass-reauth.js)
// of the client, against a fake fetch. Run: node --test tests/web/
import assert from "node:assert/strict";
import { test } from "node:test";

import { createClient, GatepassError } from "../../src/gatepass/web/gatepass-client.js";
import { fakeFetch, json, pathsOf } from "./fakefetch.mjs";

const STALE = { error: "insufficient_user_authentication", message: "A more recent login is required" };
const CHALLENGE = {
  "www-authenticate":
    'Bearer error="insufficient_user_authentication", error_description="A more recent login is required", max_age="600"',
};
const FRESH = { access_token: "a.b.c", token_type: "Bearer", expires_in: 900, session_id: "s1", auth_time: 1, amr: ["pwd"] };
const ACCEPTED = { message: "If the address belongs to an account, a mail is on its way." };
const stale = () => json(401, STALE, CHALLENGE);

function client(handler) {
  const fake = fakeFetch(handler);
  return { ...fake, auth: createClient({ fetch: fake.fetch, readCookies: () => "gatepass_csrf=c9" }) };
}

test("reauthenticate posts the password, and the code when given, with the CSRF header", async () => {
  const { auth, calls } = client(async () => json(200, FRESH));
  assert.deepEqual(await auth.reauthenticate("correct horse battery"), FRESH);
  assert.deepEqual(await auth.reauthenticate("correct horse battery", { code: "123456" }), FRESH);
  assert.deepEqual(pathsOf(calls), ["POST /auth/reauthenticate", "POST /auth/reauthenticate"]);
  assert.deepEqual(JSON.parse(calls[0].body), { password: "correct horse battery" });
  assert.deepEqual(JSON.parse(calls[1].body), { password: "correct horse battery", code: "123456" });
  assert.equal(calls[1].headers.get("X-CSRF-Token"), "c9");
  assert.equal(calls[1].credentials, "include");
});

test("reauthenticate refuses what is not a password or a code before any request", async () => {
  const { auth, calls } = client(async () => json(200, FRESH));
  await assert.rejects(auth.reauthenticate(undefined), TypeError);
  await assert.rejects(auth.reauthenticate("pw", null), TypeError);
  await assert.rejects(auth.reauthenticate("pw", { code: 123456 }), TypeError);
  assert.equal(calls.length, 0);
});

test("a step-up 401 is never refreshed for, from a method or from fetch", async () => {
  const { auth, calls } = client(async () => stale());
  await assert.rejects(auth.changeEmail("ada@new.example", "pw"), (err) => {
    assert.ok(err instanceof GatepassError);
    assert.equal(err.code, "insufficient_user_authentication");
    assert.equal(err.status, 401);
    return true;
  });
  const reply = await auth.fetch("/api/payouts");
  assert.equal(reply.status, 401);
  assert.deepEqual(pathsOf(calls), ["POST /auth/email/change", "GET /api/payouts"]);
});

test("withReauthentication asks, re-authenticates and retries the change once", async () => {
  let changes = 0;
  const { auth, calls } = client(async (call) => {
    if (call.path === "/auth/reauthenticate") return json(200, FRESH);
    changes += 1;
    return changes === 1 ? stale() : json(202, ACCEPTED);
  });
  const asked = [];
  const result = await auth.withReauthentication(
    () => auth.changeEmail("ada@new.example", "pw"),
    async () => {
      asked.push("proof");
      return { password: "pw", code: "654321" };
    },
  );
  assert.deepEqual(result, ACCEPTED);
  assert.deepEqual(asked, ["proof"]);
  assert.deepEqual(pathsOf(calls), [
    "POST /auth/email/change",
    "POST /auth/reauthenticate",
    "POST /auth/email/change",
  ]);
  assert.deepEqual(JSON.parse(calls[1].body), { password: "pw", code: "654321" });
});

test("a second refusal is final, and giving up keeps the original error", async () => {
  const { auth, calls } = client(async (call) =>
    call.path === "/auth/reauthenticate" ? json(200, FRESH) : stale(),
  );
  const change = () => auth.changeEmail("ada@new.example", "pw");
  await assert.rejects(
    auth.withReauthentication(change, async () => ({ password: "pw" })),
    (err) => err.code === "insufficient_user_authentication",
  );
  assert.equal(calls.length, 3);
  await assert.rejects(
    auth.withReauthentication(change, async () => null),
    (err) => err.code === "insufficient_user_authentication",
  );
  assert.equal(calls.length, 4);
});

test("other errors pass through without asking, and a wrong password stops the retry", async () => {
  const wrong = { error: "invalid_credentials", message: "Invalid credentials" };
  const { auth, calls } = client(async (call) =>
    call.path === "/auth/reauthenticate" ? json(401, wrong) : call.path === "/auth/me" ? stale() : json(422, { error: "invalid_email", message: "no" }),
  );
  let asked = 0;
  const ask = async () => {
    asked += 1;
    return { password: "wrong" };
  };
  await assert.rejects(
    auth.withReauthentication(() => auth.changeEmail("nope", "pw"), ask),
    (err) => err.code === "invalid_email",
  );
  assert.equal(asked, 0);
  await assert.rejects(
    auth.withReauthentication(() => auth.deleteAccount("pw"), ask),
    (err) => err.code === "invalid_credentials",
  );
  assert.equal(asked, 1);
  assert.deepEqual(pathsOf(calls), ["POST /auth/email/change", "DELETE /auth/me", "POST /auth/reauthenticate"]);
});
