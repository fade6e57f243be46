// Verifies tokens with node's two mainstream verifiers against a live JWKS.
// stdin: {"jwks_uri", "issuer", "audience", "tokens": {name: token}}
// stdout: {"jose": {name: {"ok": true, "sub"} | {"ok": false, "error"}}, "jsonwebtoken": {...}}
import { createRemoteJWKSet, jwtVerify } from "jose";
import jsonwebtoken from "jsonwebtoken";
import jwksRsa from "jwks-rsa";
import { readFileSync } from "node:fs";

const input = JSON.parse(readFileSync(0, "utf8"));
const { jwks_uri: jwksUri, issuer, audience, tokens } = input;

const remote = createRemoteJWKSet(new URL(jwksUri));
const jwksClient = jwksRsa({ jwksUri, cache: true });

function failure(error) {
  return { ok: false, error: String(error?.code ?? error?.name ?? "Error") + ": " + String(error?.message ?? error) };
}

async function withJose(token) {
  try {
    const { payload, protectedHeader } = await jwtVerify(token, remote, { issuer, audience });
    return { ok: true, sub: payload.sub, alg: protectedHeader.alg };
  } catch (error) {
    return failure(error);
  }
}

function withJsonwebtoken(token) {
  const getKey = (header, callback) => {
    jwksClient.getSigningKey(header.kid, (error, key) => callback(error, key?.getPublicKey()));
  };
  return new Promise((resolve) => {
    jsonwebtoken.verify(
      token,
      getKey,
      { issuer, audience, algorithms: ["ES256", "RS256", "PS256", "EdDSA"] },
      (error, payload) => resolve(error ? failure(error) : { ok: true, sub: payload.sub }),
    );
  });
}

const result = { jose: {}, jsonwebtoken: {} };
for (const [name, token] of Object.entries(tokens)) {
  result.jose[name] = await withJose(token);
  result.jsonwebtoken[name] = await withJsonwebtoken(token);
}
process.stdout.write(JSON.stringify(result));
