/**
 * gatepass-reauth.js: logging in again inside the session, for the changes a
 * gatepass server asks a recent login for (docs/accounts.md), as methods of
 * the client that gatepass-client.js's createClient returns:
 *
 *   await auth.reauthenticate("correct horse battery");             // no TOTP
 *   await auth.reauthenticate("correct horse battery", { code });   // TOTP on
 *   await auth.withReauthentication(
 *     () => auth.changeEmail("ada@new.example", password),
 *     async () => ({ password: await ask("Password") }),            // null: give up
 *   );
 *
 * A sensitive change whose login is too old rejects with the GatepassError
 * "insufficient_user_authentication" (the server's RFC 9470 answer, which a
 * refresh cannot fix, so the client never refreshes for it).
 * `withReauthentication` runs the change; on that error it asks for the proof,
 * re-authenticates and runs the change once more (never more than once).
 */

import { GatepassError, requireString } from "./gatepass-http.js";

export const STEP_UP_ERROR = "insufficient_user_authentication";

/** Whether a 401 is RFC 9470's step-up challenge rather than a refused token. */
export function asksForStepUp(response) {
  const challenge = response.headers.get("www-authenticate") ?? "";
  return challenge.includes(`error="${STEP_UP_ERROR}"`);
}

/**
 * @param {object} transport what createClient lends these methods
 * @param {(method: string, name: string, body: object) => Promise<unknown>} transport.call
 *   an auth route for the signed-in user
 */
export function reauthMethods({ call }) {
  /**
   * Log in again inside this session: the password, and `{ code }` from the
   * app when the user has TOTP on. Resolves to {access_token, expires_in,
   * session_id, auth_time, amr, ...} (the new access token is in the cookie;
   * the refresh token stays); rejects with "invalid_credentials" or
   * "invalid_code" (each counted as a failed login).
   * @param {string} password
   * @param {{ code?: string }} [proof]
   */
  async function reauthenticate(password, proof = {}) {
    requireString(password, "reauthenticate: password");
    if (proof === null || typeof proof !== "object") {
      throw new TypeError("reauthenticate: the second argument is { code } or nothing");
    }
    const body = { password };
    if (proof.code !== undefined) {
      requireString(proof.code, "reauthenticate: code");
      body.code = proof.code;
    }
    return call("POST", "/reauthenticate", body);
  }

  /**
   * Run `action`; when it rejects with "insufficient_user_authentication",
   * ask `askForProof()` for `{ password, code? }`, re-authenticate and run
   * `action` once more. `askForProof` resolving to null gives up with the
   * original error; whatever the second run does is final.
   * @template T
   * @param {() => Promise<T>} action
   * @param {() => Promise<{ password: string, code?: string } | null>} askForProof
   * @returns {Promise<T>}
   */
  async function withReauthentication(action, askForProof) {
    if (typeof action !== "function" || typeof askForProof !== "function") {
      throw new TypeError("withReauthentication(action, askForProof): two functions");
    }
    try {
      return await action();
    } catch (err) {
      if (!(err instanceof GatepassError) || err.code !== STEP_UP_ERROR) throw err;
      const proof = await askForProof();
      if (proof === null || proof === undefined) throw err;
      const { password, ...rest } = proof;
      await reauthenticate(password, rest);
      return action();
    }
  }

  return { reauthenticate, withReauthentication };
}
