// An OAuth client (oauth4webapi) against a live gatepass: discovery in both modes,
// two refresh_token grants, a revocation, then a grant that must fail.
// stdin: {"issuer", "refresh_token"}; stdout: what each step saw, as JSON.
import * as oauth from "oauth4webapi";
import { readFileSync } from "node:fs";

const { issuer, refresh_token: firstRefresh } = JSON.parse(readFileSync(0, "utf8"));
const insecure = { [oauth.allowInsecureRequests]: true }; // plain http to loopback only
const client = { client_id: "interop-test", token_endpoint_auth_method: "none" };
const auth = oauth.None();
const issuerUrl = new URL(issuer);
const result = {};

async function discover(algorithm) {
  const response = await oauth.discoveryRequest(issuerUrl, { ...insecure, algorithm });
  return oauth.processDiscoveryResponse(issuerUrl, response);
}

async function refresh(as, token) {
  const response = await oauth.refreshTokenGrantRequest(as, client, auth, token, insecure);
  return oauth.processRefreshTokenResponse(as, client, response);
}

const metadata = {};
for (const algorithm of ["oauth2", "oidc"]) {
  metadata[algorithm] = await discover(algorithm);
}
result.metadata = metadata;
const as = metadata.oauth2;
if (as.token_endpoint) {
  const first = await refresh(as, firstRefresh);
  const second = await refresh(metadata.oidc, first.refresh_token);
  result.grants = [first, second].map((g) => ({
    token_type: g.token_type,
    expires_in: g.expires_in,
    has_access_token: typeof g.access_token === "string",
    rotated: typeof g.refresh_token === "string" && g.refresh_token !== firstRefresh,
  }));
  result.access_token = second.access_token;
  const revoked = await oauth.revocationRequest(as, client, auth, second.refresh_token, insecure);
  await oauth.processRevocationResponse(revoked);
  result.revoked = true;
  try {
    await refresh(as, second.refresh_token);
    result.after_revocation = { ok: true };
  } catch (error) {
    result.after_revocation = { ok: false, name: error.name, error: error.error, status: error.status };
  }
}
process.stdout.write(JSON.stringify(result));
