// Tests for the MFA side of the client (src/gatepass/web/gatepass-mfa.js and
// login/verifyMfa in gatepass-client.js), against a fake fetch. Run: node --test tests/web/
import assert from "node:assert/strict";
import { test } from "node:test";

import { createClient, GatepassError } from "../../src/gatepass/web/gatepass-client.js";
import { fakeFetch, json, pathsOf, UNAUTHORIZED } from "./fakefetch.mjs";

const MFA_REQUIRED = { mfa_required: true, mfa_token: "m1", methods: ["totp", "recovery_code"] };
const SIGNED_IN = { expires_in: 900, csrf_token: "csrf-after", session_id: "s1" };
const WRONG_CODE = { error: "invalid_code", message: "Invalid code" };
const CODES = Array.from({ length: 10 }, (_, i) => `AAAA-BBBB-CCCC-DDD${i}`);

/** A client that can read no cookie (the CSRF token comes from the answers), over `handler`. */
function client(handler) {
  const fake = fakeFetch(handler);
  return { ...fake, auth: createClient({ fetch: fake.fetch, readCookies: () => "" }) };
}

test("login answers mfaRequired and signs nobody in; verifyMfa with a code finishes it", async () => {
  const { auth, calls } = client(async (call) =>
    call.path === "/auth/login" ? json(200, MFA_REQUIRED) : json(200, SIGNED_IN),
  );
  const first = await auth.login("ada@example.com", "correct horse battery");
  assert.deepEqual(first, { mfaRequired: true, mfaToken: "m1", methods: ["totp", "recovery_code"] });
  assert.equal(auth.csrfToken(), null);

  assert.deepEqual(await auth.verifyMfa("m1", { code: "123456" }), SIGNED_IN);
  assert.equal(auth.csrfToken(), "csrf-after");
  const verify = calls[1];
  assert.deepEqual(pathsOf(calls), ["POST /auth/login", "POST /auth/mfa/verify"]);
  assert.deepEqual(JSON.parse(verify.body), { mfa_token: "m1", code: "123456" });
  assert.equal(verify.credentials, "include");
  assert.deepEqual(JSON.parse(calls[0].body).cookies, true);
});

test("verifyMfa with a recovery code sends recovery_code", async () => {
  const { auth, calls } = client(async () => json(200, SIGNED_IN));
  await auth.verifyMfa("m1", { recoveryCode: "ABCD-EFGH-IJKL-MNOP" });
  assert.deepEqual(JSON.parse(calls[0].body), { mfa_token: "m1", recovery_code: "ABCD-EFGH-IJKL-MNOP" });
});

test("verifyMfa refuses both codes, neither, or a non-string before any request", async () => {
  const { auth, calls } = client(async () => json(200, SIGNED_IN));
  await assert.rejects(auth.verifyMfa("m1", {}), TypeError);
  await assert.rejects(auth.verifyMfa("m1", { code: "1", recoveryCode: "2" }), TypeError);
  await assert.rejects(auth.verifyMfa("m1", { code: 123456 }), TypeError);
  await assert.rejects(auth.verifyMfa(null, { code: "123456" }), TypeError);
  await assert.rejects(auth.verifyMfa("m1", null), TypeError);
  assert.equal(calls.length, 0);
});

test("a wrong code at verifyMfa rejects once, with no refresh", async () => {
  const { auth, calls } = client(async () => json(401, WRONG_CODE));
  await assert.rejects(auth.verifyMfa("m1", { code: "000000" }), (err) => {
    assert.ok(err instanceof GatepassError);
    assert.equal(err.code, "invalid_code");
    return true;
  });
  assert.deepEqual(pathsOf(calls), ["POST /auth/mfa/verify"]);
});

test("the TOTP methods call their routes with the code and the CSRF header", async () => {
  const setup = { secret: "JBSWY3DPEHPK3PXP", otpauth_uri: "otpauth://totp/x", qr_svg: "<svg/>" };
  const answers = {
    "POST /auth/mfa/totp/setup": () => json(200, setup),
    "POST /auth/mfa/totp/confirm": () => json(200, { recovery_codes: CODES }),
    "POST /auth/mfa/recovery-codes": () => json(200, { recovery_codes: CODES }),
    "DELETE /auth/mfa/totp": () => new Response(null, { status: 204 }),
  };
  const fake = fakeFetch(async (call) => answers[`${call.method} ${call.path}`]());
  const auth = createClient({ fetch: fake.fetch, readCookies: () => "gatepass_csrf=c9" });
  assert.deepEqual(await auth.setupTotp(), setup);
  assert.deepEqual(await auth.confirmTotp("111111"), { recovery_codes: CODES });
  assert.deepEqual(await auth.regenerateRecoveryCodes("222222"), { recovery_codes: CODES });
  assert.equal(await auth.disableTotp("333333"), null);
  assert.deepEqual(
    fake.calls.map((c) => [`${c.method} ${c.path}`, JSON.parse(c.body), c.headers.get("X-CSRF-Token")]),
    [
      ["POST /auth/mfa/totp/setup", {}, "c9"],
      ["POST /auth/mfa/totp/confirm", { code: "111111" }, "c9"],
      ["POST /auth/mfa/recovery-codes", { code: "222222" }, "c9"],
      ["DELETE /auth/mfa/totp", { code: "333333" }, "c9"],
    ],
  );
  await assert.rejects(auth.confirmTotp(111111), TypeError);
});

test("a wrong code is not refreshed and retried; a refused access token is", async () => {
  let refused = true;
  const { auth, calls } = client(async (call) => {
    if (call.path === "/auth/refresh") return json(200, SIGNED_IN);
    if (call.path === "/auth/mfa/totp/confirm") return json(401, WRONG_CODE);
    if (refused) {
      refused = false;
      return json(401, UNAUTHORIZED);
    }
    return json(200, { secret: "S", otpauth_uri: "u", qr_svg: "<svg/>" });
  });
  await assert.rejects(auth.confirmTotp("000000"), (err) => err.code === "invalid_code");
  assert.deepEqual(pathsOf(calls), ["POST /auth/mfa/totp/confirm"]);
  assert.equal((await auth.setupTotp()).secret, "S");
  assert.deepEqual(pathsOf(calls).slice(1), [
    "POST /auth/mfa/totp/setup",
    "POST /auth/refresh",
    "POST /auth/mfa/totp/setup",
  ]);
});
