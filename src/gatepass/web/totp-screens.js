// The signed-in user's two-step login screens in the console (part of "Your
// account"): set up an authenticator app (the QR code and the key), turn it
// on with a first code, see the 10 recovery codes once, get new ones, turn it
// off. The QR code is the server's SVG shown as an image (a data: URL, which
// the CSP's img-src allows), never parsed as HTML; the rest of the server's
// data reaches the page only through textContent.
import { $, errorText, logged, withButtons } from "./console-ui.js";

/** An <img> source for SVG markup: images run no script and load nothing. */
export const svgDataUrl = (svg) => `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;

/**
 * Show and wire the two-step login screens (they are in #account-slot).
 * @param {ReturnType<import("./gatepass-client.js").createClient>} client
 * @param {{ totp: boolean, recovery_codes: number } | undefined} mfa GET /me's user.mfa
 * @param {{ fresh: (action: () => Promise<any>) => Promise<any>, factor: { on: boolean } }} account
 *   `fresh` runs a change with the recent-login prompt; `factor.on` is kept up to date here
 */
export function showTotp(client, mfa, { fresh, factor }) {
  // "off", "confirming" (set up, waiting for the first code) or "on".
  let mode = mfa?.totp === true ? "on" : "off";
  const show = (next, codesLeft) => {
    mode = next;
    factor.on = mode === "on";
    render(mode, codesLeft);
  };
  show(mode, mfa?.recovery_codes);

  $("totp-setup-button").addEventListener("click", () =>
    run("totp-setup-button", async () => {
      const body = await logged("set up TOTP", () => fresh(() => client.setupTotp()));
      $("totp-qr").src = svgDataUrl(String(body.qr_svg));
      $("totp-secret").textContent = body.secret;
      show("confirming");
      $("totp-code").focus();
    }),
  );

  const turnOn = async (code) => {
    const body = await logged("turn TOTP on", () => fresh(() => client.confirmTotp(code)));
    $("totp-qr").removeAttribute("src");
    $("totp-secret").textContent = "";
    show("on", body.recovery_codes.length);
    showCodes(body.recovery_codes);
    return "Two-step login is on: the next login asks for a code from the app.";
  };
  const turnOff = async (code) => {
    await logged("turn TOTP off", () => fresh(() => client.disableTotp(code)));
    $("recovery-box").hidden = true;
    $("recovery-codes").replaceChildren();
    show("off");
    return "Two-step login is off: your password alone logs you in.";
  };
  const newCodes = async (code) => {
    const body = await logged("new recovery codes", () =>
      fresh(() => client.regenerateRecoveryCodes(code)),
    );
    show("on", body.recovery_codes.length);
    showCodes(body.recovery_codes);
    return "New recovery codes: the old ones no longer work.";
  };

  const form = $("totp-code-form");
  const withCode = (buttonId, action) => {
    if (!form.reportValidity()) return;
    const code = $("totp-code").value.trim();
    run(buttonId, async () => {
      const text = await action(code);
      form.reset();
      $("totp-result").textContent = text;
    });
  };
  // Enter in the code box does what the state offers: turn on, or turn off.
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (mode === "confirming") withCode("totp-confirm-button", turnOn);
    else if (mode === "on") withCode("totp-disable-button", turnOff);
  });
  $("recovery-new-button").addEventListener("click", () => withCode("recovery-new-button", newCodes));
}

/** Run one action with its button busy; its failure's message goes to the error line. */
function run(buttonId, action) {
  $("totp-error").textContent = "";
  $("totp-result").textContent = "";
  return withButtons([buttonId], async () => {
    try {
      await action();
    } catch (err) {
      $("totp-error").textContent = errorText(err);
    }
  });
}

function render(mode, codesLeft) {
  const left = Number.isInteger(codesLeft) ? ` ${codesLeft} recovery codes left.` : "";
  $("totp-state").textContent =
    mode === "on"
      ? `On: each login asks for a code from your authenticator app.${left}`
      : "Off: your password alone logs you in.";
  $("totp-start").hidden = mode !== "off";
  $("totp-setup-box").hidden = mode !== "confirming";
  $("totp-code-form").hidden = mode === "off";
  $("totp-confirm-button").hidden = mode !== "confirming";
  $("totp-disable-button").hidden = mode !== "on";
  $("recovery-new-button").hidden = mode !== "on";
}

function showCodes(codes) {
  const items = codes.map((code) => {
    const item = document.createElement("li");
    item.textContent = code;
    return item;
  });
  $("recovery-codes").replaceChildren(...items);
  $("recovery-box").hidden = false;
}
