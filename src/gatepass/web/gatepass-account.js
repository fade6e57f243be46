/**
 * gatepass-account.js: the account routes of a gatepass server (email
 * verification, password reset and change, email change, account deletion),
 * as methods of the client that gatepass-client.js's createClient returns:
 *
 *   await auth.forgotPassword("ada@example.com");           // 202 {message}
 *   await auth.resetPassword(tokenFromTheMail, "new password"); // 204 → null
 *   await auth.changePassword("old password", "new password");  // signed in
 *
 * Every method resolves to the server's JSON body (null for a 204) and rejects
 * with the same GatepassError as login and register (`code` "invalid_token",
 * "weak_password", "invalid_credentials", "rate_limited", ...).
 */

import { requireString } from "./gatepass-http.js";

/**
 * @param {object} transport what createClient lends these methods
 * @param {(name: string, body?: object) => Promise<unknown>} transport.post
 *   an auth route for anyone (no refresh-and-retry)
 * @param {(method: string, name: string, body: object) => Promise<unknown>} transport.call
 *   an auth route for the signed-in user (one refresh-and-retry on a refused access token)
 * @param {() => void} transport.forget clears the client's session state, as logout does
 */
export function accountMethods({ post, call, forget }) {
  /**
   * Send the verification mail again. Signed in: `requestEmailVerification()`;
   * signed out: `requestEmailVerification({ email })`. Resolves to {message}.
   * @param {{ email: string }} [who]
   */
  async function requestEmailVerification(who) {
    if (who === undefined) return call("POST", "/verify-email/request", {});
    if (who === null || typeof who !== "object") {
      throw new TypeError("requestEmailVerification: pass nothing (signed in) or { email }");
    }
    requireString(who.email, "requestEmailVerification: email");
    return post("/verify-email/request", { email: who.email });
  }

  /**
   * Prove the address with the token of the verification mail.
   * Resolves to {email, email_verified: true}.
   * @param {string} token
   */
  async function verifyEmail(token) {
    requireString(token, "verifyEmail: token");
    return post("/verify-email", { token });
  }

  /**
   * Ask for a password-reset mail. Resolves to {message}, the same whether or
   * not an account has this address.
   * @param {string} email
   */
  async function forgotPassword(email) {
    requireString(email, "forgotPassword: email");
    return post("/password/forgot", { email });
  }

  /**
   * Set a new password with the token of the reset mail. Resolves to null. The
   * server ends the account's sessions and signs nobody in: log in afterwards.
   * @param {string} token
   * @param {string} password the new password
   */
  async function resetPassword(token, password) {
    requireString(token, "resetPassword: token");
    requireString(password, "resetPassword: password");
    const body = await post("/password/reset", { token, password });
    forget();
    return body;
  }

  /**
   * Change the signed-in user's password; this session stays signed in.
   * Resolves to null; a wrong current password rejects with "invalid_credentials".
   * @param {string} currentPassword
   * @param {string} newPassword
   */
  async function changePassword(currentPassword, newPassword) {
    requireString(currentPassword, "changePassword: currentPassword");
    requireString(newPassword, "changePassword: newPassword");
    return call("POST", "/password/change", {
      current_password: currentPassword,
      new_password: newPassword,
    });
  }

  /**
   * Ask to move the signed-in account to another address: the server mails a
   * link to the new one. Resolves to {message}.
   * @param {string} newEmail
   * @param {string} password the current password
   */
  async function changeEmail(newEmail, password) {
    requireString(newEmail, "changeEmail: newEmail");
    requireString(password, "changeEmail: password");
    return call("POST", "/email/change", { new_email: newEmail, password });
  }

  /**
   * Confirm the new address with the token of the email-change mail.
   * Resolves to {email, email_verified: true}.
   * @param {string} token
   */
  async function confirmEmail(token) {
    requireString(token, "confirmEmail: token");
    return post("/email/confirm", { token });
  }

  /**
   * Delete the signed-in account for good, then forget its session.
   * Resolves to null; a wrong password rejects with "invalid_credentials".
   * @param {string} password
   */
  async function deleteAccount(password) {
    requireString(password, "deleteAccount: password");
    const body = await call("DELETE", "/me", { password });
    forget();
    return body;
  }

  return {
    requestEmailVerification,
    verifyEmail,
    forgotPassword,
    resetPassword,
    changePassword,
    changeEmail,
    confirmEmail,
    deleteAccount,
  };
}
