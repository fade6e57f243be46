/**
 * gatepass-mfa.js: a gatepass server's TOTP routes (docs/mfa.md), as methods of
 * the client that gatepass-client.js's createClient returns:
 *
 *   const { secret, otpauth_uri, qr_svg } = await auth.setupTotp();
 *   const { recovery_codes } = await auth.confirmTotp("123456"); // TOTP is on
 *   await auth.regenerateRecoveryCodes("654321");              // 10 new codes
 *   await auth.disableTotp("112233");                          // 204 → null
 *
 * All of them need a signed-in user and reject with GatepassError
 * ("invalid_code", "mfa_already_enabled", "not_found", ...). A wrong code is
 * never refreshed-and-retried: it counts once against the account's lockout.
 * The second step of a login is the client's `verifyMfa`.
 */

import { requireString } from "./gatepass-http.js";

/**
 * @param {object} transport what createClient lends these methods
 * @param {(method: string, name: string, body: object) => Promise<unknown>} transport.call
 *   an auth route for the signed-in user (one refresh-and-retry on a refused access token)
 */
export function mfaMethods({ call }) {
  /**
   * Start (or restart) setting up TOTP. Resolves to {secret, otpauth_uri,
   * qr_svg}: qr_svg is SVG markup, show it as an image (never as HTML).
   */
  async function setupTotp() {
    return call("POST", "/mfa/totp/setup", {});
  }

  /**
   * Turn TOTP on with a first code from the app. Resolves to {recovery_codes}
   * (10 of them, shown once).
   * @param {string} code
   */
  async function confirmTotp(code) {
    requireString(code, "confirmTotp: code");
    return call("POST", "/mfa/totp/confirm", { code });
  }

  /**
   * Turn TOTP off (its recovery codes go with it). Resolves to null.
   * @param {string} code a code from the app
   */
  async function disableTotp(code) {
    requireString(code, "disableTotp: code");
    return call("DELETE", "/mfa/totp", { code });
  }

  /**
   * Replace the recovery codes. Resolves to {recovery_codes}, the old ones dead.
   * @param {string} code a code from the app
   */
  async function regenerateRecoveryCodes(code) {
    requireString(code, "regenerateRecoveryCodes: code");
    return call("POST", "/mfa/recovery-codes", { code });
  }

  return { setupTotp, confirmTotp, disableTotp, regenerateRecoveryCodes };
}

/**
 * The body of /mfa/verify for `verifyMfa(mfaToken, {code} | {recoveryCode})`.
 * @param {string} mfaToken
 * @param {{ code?: string, recoveryCode?: string }} proof
 */
export function verifyBody(mfaToken, proof) {
  requireString(mfaToken, "verifyMfa: mfaToken");
  if (proof === null || typeof proof !== "object") {
    throw new TypeError("verifyMfa: pass { code } or { recoveryCode }");
  }
  const hasCode = proof.code !== undefined;
  if (hasCode === (proof.recoveryCode !== undefined)) {
    throw new TypeError("verifyMfa: pass exactly one of { code } or { recoveryCode }");
  }
  if (hasCode) {
    requireString(proof.code, "verifyMfa: code");
    return { mfa_token: mfaToken, code: proof.code };
  }
  requireString(proof.recoveryCode, "verifyMfa: recoveryCode");
  return { mfa_token: mfaToken, recovery_code: proof.recoveryCode };
}
