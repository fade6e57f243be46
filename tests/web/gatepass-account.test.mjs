// Tests for the account methods (src/gatepass/web/gatepass-account.js) of the
// client, against a fake fetch. Run: node --test tests/web/
import assert from "node:assert/strict";
import { test } from "node:test";

import { createClient, GatepassError } from "../../src/gatepass/web/gatepass-client.js";
import { fakeFetch, json, pathsOf, UNAUTHORIZED } from "./fakefetch.mjs";

const ACCEPTED = { message: "If the address is registered, a mail is on its way" };
const VERIFIED = { email: "ada@example.com", email_verified: true };
const WRONG_PASSWORD = { error: "invalid_credentials", message: "Invalid credentials" };
const noContent = () => new Response(null, { status: 204 });

/** A client whose CSRF cookie reads "c9", over a fake server answering `handler`. */
function client(handler) {
  const fake = fakeFetch(handler);
  return { ...fake, auth: createClient({ fetch: fake.fetch, readCookies: () => "gatepass_csrf=c9" }) };
}

const sent = (call) => ({
  route: `${call.method} ${call.path}`,
  body: JSON.parse(call.body),
  csrf: call.headers.get("X-CSRF-Token"),
  type: call.headers.get("content-type"),
  credentials: call.credentials,
});

test("each method calls its route with its body, cookies and the CSRF header", async () => {
  const answers = {
    "/auth/verify-email/request": () => json(202, ACCEPTED),
    "/auth/verify-email": () => json(200, VERIFIED),
    "/auth/password/forgot": () => json(202, ACCEPTED),
    "/auth/password/reset": noContent,
    "/auth/password/change": noContent,
    "/auth/email/change": () => json(202, ACCEPTED),
    "/auth/email/confirm": () => json(200, VERIFIED),
    "/auth/me": noContent,
  };
  const { auth, calls } = client(async (call) => answers[call.path]());

  assert.deepEqual(await auth.requestEmailVerification(), ACCEPTED);
  assert.deepEqual(await auth.requestEmailVerification({ email: "ada@example.com" }), ACCEPTED);
  assert.deepEqual(await auth.verifyEmail("t-verify"), VERIFIED);
  assert.deepEqual(await auth.forgotPassword("ada@example.com"), ACCEPTED);
  assert.equal(await auth.resetPassword("t-reset", "new horse battery"), null);
  assert.equal(await auth.changePassword("old horse battery", "new horse battery"), null);
  assert.deepEqual(await auth.changeEmail("ada@new.example", "old horse battery"), ACCEPTED);
  assert.deepEqual(await auth.confirmEmail("t-confirm"), VERIFIED);
  assert.equal(await auth.deleteAccount("old horse battery"), null);

  const expected = [
    ["POST /auth/verify-email/request", {}],
    ["POST /auth/verify-email/request", { email: "ada@example.com" }],
    ["POST /auth/verify-email", { token: "t-verify" }],
    ["POST /auth/password/forgot", { email: "ada@example.com" }],
    ["POST /auth/password/reset", { token: "t-reset", password: "new horse battery" }],
    [
      "POST /auth/password/change",
      { current_password: "old horse battery", new_password: "new horse battery" },
    ],
    ["POST /auth/email/change", { new_email: "ada@new.example", password: "old horse battery" }],
    ["POST /auth/email/confirm", { token: "t-confirm" }],
    ["DELETE /auth/me", { password: "old horse battery" }],
  ];
  assert.deepEqual(
    calls.map(sent),
    expected.map(([route, body]) => ({
      route,
      body,
      csrf: "c9",
      type: "application/json",
      credentials: "include",
    })),
  );
});

test("an expired access token is refreshed once and the signed-in call retried", async () => {
  let refreshed = false;
  const { auth, calls } = client(async (call) => {
    if (call.path === "/auth/refresh") {
      refreshed = true;
      return json(200, { csrf_token: "c2" });
    }
    return refreshed ? noContent() : json(401, UNAUTHORIZED);
  });

  assert.equal(await auth.changePassword("old horse battery", "new horse battery"), null);

  assert.deepEqual(pathsOf(calls), [
    "POST /auth/password/change",
    "POST /auth/refresh",
    "POST /auth/password/change",
  ]);
  assert.deepEqual(JSON.parse(calls[2].body), JSON.parse(calls[0].body), "the same body again");
});

test("a wrong password is one failure: no refresh, no retry", async () => {
  for (const run of [
    (auth) => auth.changePassword("wrong password", "new horse battery"),
    (auth) => auth.changeEmail("ada@new.example", "wrong password"),
    (auth) => auth.deleteAccount("wrong password"),
  ]) {
    const { auth, calls } = client(async () => json(401, WRONG_PASSWORD));
    await assert.rejects(run(auth), (err) => {
      assert.ok(err instanceof GatepassError);
      assert.equal(err.status, 401);
      assert.equal(err.code, "invalid_credentials");
      assert.equal(err.message, "Invalid credentials");
      return true;
    });
    assert.equal(calls.length, 1, pathsOf(calls).join(", "));
  }
});

test("a failed refresh rejects the signed-in call with the original 401", async () => {
  const { auth, calls } = client(async (call) =>
    call.path === "/auth/refresh"
      ? json(401, { error: "refresh_token_reused", message: "Refresh token reused" })
      : json(401, UNAUTHORIZED),
  );
  await assert.rejects(auth.requestEmailVerification(), (err) => {
    assert.equal(err.code, "invalid_token");
    return true;
  });
  assert.deepEqual(pathsOf(calls), ["POST /auth/verify-email/request", "POST /auth/refresh"]);
});

test("the token routes are never refreshed and retried", async () => {
  const INVALID = { error: "invalid_token", message: "Invalid or expired token" };
  const { auth, calls } = client(async () => json(400, INVALID));
  for (const run of [
    () => auth.verifyEmail("spent"),
    () => auth.resetPassword("spent", "new horse battery"),
    () => auth.confirmEmail("spent"),
  ]) {
    await assert.rejects(run(), (err) => {
      assert.equal(err.status, 400);
      assert.equal(err.code, "invalid_token");
      assert.equal(err.message, "Invalid or expired token");
      assert.deepEqual(err.body, INVALID);
      return true;
    });
  }
  assert.equal(calls.length, 3);
});

test("a weak password and a rate limit keep the server's code, message and Retry-After", async () => {
  const WEAK = { error: "weak_password", message: "Password is too common" };
  const LIMITED = { error: "rate_limited", message: "Too many requests" };
  let answer = () => json(422, WEAK);
  const { auth } = client(async () => answer());
  await assert.rejects(auth.resetPassword("t", "password"), (err) => {
    assert.deepEqual([err.status, err.code, err.message], [422, "weak_password", WEAK.message]);
    assert.equal(err.retryAfter, undefined);
    return true;
  });
  answer = () => json(429, LIMITED, { "retry-after": "30" });
  await assert.rejects(auth.forgotPassword("ada@example.com"), (err) => {
    assert.deepEqual([err.status, err.code, err.message], [429, "rate_limited", LIMITED.message]);
    assert.equal(err.retryAfter, 30);
    return true;
  });
});

test("deleteAccount and resetPassword forget the session; changePassword keeps it", async () => {
  const answers = {
    "/auth/login": () => json(200, { csrf_token: "c1" }),
    "/auth/me": noContent,
    "/auth/password/reset": noContent,
    "/auth/password/change": noContent,
  };
  const { fetch } = fakeFetch(async (call) => answers[call.path]());
  const auth = createClient({ fetch, readCookies: () => "" });

  await auth.login("ada@example.com", "old horse battery");
  await auth.changePassword("old horse battery", "new horse battery");
  assert.equal(auth.csrfToken(), "c1", "this session goes on");
  await auth.deleteAccount("new horse battery");
  assert.equal(auth.csrfToken(), null);

  await auth.login("ada@example.com", "old horse battery");
  await auth.resetPassword("t-reset", "new horse battery");
  assert.equal(auth.csrfToken(), null);
});

test("a failed deleteAccount keeps the session", async () => {
  const { fetch } = fakeFetch(async (call) =>
    call.path === "/auth/login" ? json(200, { csrf_token: "c1" }) : json(401, WRONG_PASSWORD),
  );
  const auth = createClient({ fetch, readCookies: () => "" });
  await auth.login("ada@example.com", "old horse battery");
  await assert.rejects(auth.deleteAccount("wrong password"), GatepassError);
  assert.equal(auth.csrfToken(), "c1");
});

test("an unreachable server rejects with network_error naming the route", async () => {
  const { auth } = client(async () => {
    throw new TypeError("fetch failed");
  });
  for (const [run, route] of [
    [() => auth.deleteAccount("pw"), "/auth/me"],
    [() => auth.forgotPassword("ada@example.com"), "/auth/password/forgot"],
  ]) {
    await assert.rejects(run(), (err) => {
      assert.equal(err.status, 0);
      assert.equal(err.code, "network_error");
      assert.equal(err.message, `Could not reach the gatepass server at ${route}: fetch failed`);
      return true;
    });
  }
});

test("register's 202 and login's email_not_verified reach the caller", async () => {
  const NOT_VERIFIED = { error: "email_not_verified", message: "Verify your email address first" };
  const { auth } = client(async (call) =>
    call.path === "/auth/register" ? json(202, ACCEPTED) : json(403, NOT_VERIFIED),
  );
  assert.deepEqual(await auth.register("ada@example.com", "old horse battery"), ACCEPTED);
  await assert.rejects(auth.login("ada@example.com", "old horse battery"), (err) => {
    assert.deepEqual([err.status, err.code, err.message], [403, "email_not_verified", NOT_VERIFIED.message]);
    return true;
  });
});

test("bad arguments are refused with a TypeError naming the method", async () => {
  const { auth, calls } = client(async () => json(200, {}));
  await assert.rejects(auth.verifyEmail(undefined), /verifyEmail: token must be a string, got undefined/);
  await assert.rejects(auth.forgotPassword(1), /forgotPassword: email must be a string, got number/);
  await assert.rejects(auth.resetPassword("t"), /resetPassword: password must be a string/);
  await assert.rejects(auth.changePassword("a", null), /changePassword: newPassword must be a string, got null/);
  await assert.rejects(auth.changeEmail(null, "pw"), /changeEmail: newEmail must be a string/);
  await assert.rejects(auth.confirmEmail({}), /confirmEmail: token must be a string, got object/);
  await assert.rejects(auth.deleteAccount(), /deleteAccount: password must be a string/);
  await assert.rejects(auth.requestEmailVerification("ada@example.com"), /pass nothing \(signed in\) or \{ email \}/);
  await assert.rejects(auth.requestEmailVerification({}), /requestEmailVerification: email must be a string/);
  assert.equal(calls.length, 0);
});
