// Tests for src/gatepass/web/gatepass-client.js with node's test runner and a fake fetch.
// Run: node --test tests/web/  (tests/web/test_web_js.py runs it under pytest)
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  createClient,
  GatepassError,
  readCookie,
} from "../../src/gatepass/web/gatepass-client.js";
import { fakeFetch, json, pathsOf, tick, UNAUTHORIZED } from "./fakefetch.mjs";

test("five concurrent 401s share one refresh, then each request is retried once", async () => {
  let refreshed = false;
  let releaseRefresh;
  const refreshGate = new Promise((resolve) => (releaseRefresh = resolve));
  const { fetch, calls } = fakeFetch(async (call) => {
    if (call.path === "/auth/refresh") {
      await refreshGate;
      refreshed = true;
      return json(200, { access_token: "a2", csrf_token: "c2", refresh_id: "r2" });
    }
    return refreshed ? json(200, { message: "Welcome ada@example.com" }) : json(401, UNAUTHORIZED);
  });
  const seen = [];
  const client = createClient({ fetch, readCookies: () => "", onRefresh: (b) => seen.push(b) });

  const pending = Array.from({ length: 5 }, () => client.fetch("/dashboard"));
  await tick();
  releaseRefresh();
  const responses = await Promise.all(pending);

  assert.deepEqual(responses.map((r) => r.status), [200, 200, 200, 200, 200]);
  const refreshes = calls.filter((c) => c.path === "/auth/refresh");
  assert.equal(refreshes.length, 1);
  assert.equal(calls.filter((c) => c.path === "/dashboard").length, 10);
  assert.deepEqual(seen.map((b) => b.refresh_id), ["r2"]);
});

test("a 401 that arrives after the refresh finished is retried without a second refresh", async () => {
  let refreshed = false;
  let releaseSlow;
  const slowGate = new Promise((resolve) => (releaseSlow = resolve));
  let dashboardCalls = 0;
  const { fetch, calls } = fakeFetch(async (call) => {
    if (call.path === "/auth/refresh") {
      refreshed = true;
      return json(200, { csrf_token: "c2" });
    }
    dashboardCalls += 1;
    if (dashboardCalls === 2) {
      await slowGate; // sent with the old token, answered late
      return json(401, UNAUTHORIZED);
    }
    return refreshed ? json(200, { ok: true }) : json(401, UNAUTHORIZED);
  });
  const client = createClient({ fetch, readCookies: () => "" });

  const fast = client.fetch("/dashboard");
  const slow = client.fetch("/dashboard");
  assert.equal((await fast).status, 200);
  releaseSlow();
  assert.equal((await slow).status, 200);
  assert.equal(calls.filter((c) => c.path === "/auth/refresh").length, 1);
});

test("retries once only: a second 401 is returned, never another refresh", async () => {
  const { fetch, calls } = fakeFetch(async (call) =>
    call.path === "/auth/refresh" ? json(200, { csrf_token: "c2" }) : json(401, UNAUTHORIZED),
  );
  const client = createClient({ fetch, readCookies: () => "" });

  const response = await client.fetch("/dashboard");

  assert.equal(response.status, 401);
  assert.deepEqual(await response.json(), UNAUTHORIZED);
  assert.deepEqual(pathsOf(calls), ["GET /dashboard", "POST /auth/refresh", "GET /dashboard"]);
});

test("a failed refresh surfaces the original 401 to every waiting call", async () => {
  const failures = [];
  const { fetch, calls } = fakeFetch(async (call) =>
    call.path === "/auth/refresh"
      ? json(401, { error: "refresh_token_reused", message: "Refresh token reused" })
      : json(401, UNAUTHORIZED),
  );
  const client = createClient({ fetch, readCookies: () => "", onRefreshFailed: (e) => failures.push(e) });

  const responses = await Promise.all([1, 2, 3].map(() => client.fetch("/dashboard")));

  for (const response of responses) {
    assert.equal(response.status, 401);
    assert.deepEqual(await response.json(), UNAUTHORIZED);
  }
  assert.equal(calls.filter((c) => c.path === "/auth/refresh").length, 1);
  assert.equal(calls.filter((c) => c.path === "/dashboard").length, 3, "no retry after a failed refresh");
  assert.equal(failures.length, 1);
  assert.ok(failures[0] instanceof GatepassError);
  assert.equal(failures[0].code, "refresh_token_reused");
  assert.equal(failures[0].status, 401);
});

test("a refresh that cannot reach the server also surfaces the 401", async () => {
  const { fetch } = fakeFetch(async (call) => {
    if (call.path === "/auth/refresh") throw new TypeError("fetch failed");
    return json(401, UNAUTHORIZED);
  });
  const client = createClient({ fetch, readCookies: () => "" });

  assert.equal((await client.fetch("/dashboard")).status, 401);
  await assert.rejects(client.refresh(), (err) => {
    assert.ok(err instanceof GatepassError);
    assert.equal(err.code, "network_error");
    assert.match(err.message, /Could not reach the gatepass server at \/auth\/refresh: fetch failed/);
    return true;
  });
});

test("the CSRF header comes from the CSRF cookie on state-changing requests only", async () => {
  // The plain name (a GATEPASS_COOKIE_SECURE=false server), and the __Host- name,
  // which wins when both are there.
  for (const cookies of [
    "theme=dark; gatepass_csrf=from%2Dcookie; other=1",
    "gatepass_csrf=plain; __Host-gatepass_csrf=from%2Dcookie",
  ]) {
    const { fetch, calls } = fakeFetch(async () => json(200, {}));
    const client = createClient({ fetch, readCookies: () => cookies });

    await client.fetch("/items", { method: "POST", body: "{}" });
    await client.fetch("/items/1", { method: "delete" });
    await client.fetch("/items");
    await client.fetch("/items", { method: "HEAD" });

    assert.equal(calls[0].headers.get("X-CSRF-Token"), "from-cookie");
    assert.equal(calls[1].headers.get("X-CSRF-Token"), "from-cookie");
    assert.equal(calls[2].headers.get("X-CSRF-Token"), null);
    assert.equal(calls[3].headers.get("X-CSRF-Token"), null);
    for (const call of calls) assert.equal(call.credentials, "include");
  }
});

test("without a readable cookie the CSRF token of the last login or refresh is sent", async () => {
  const { fetch, calls } = fakeFetch(async (call) => {
    if (call.path === "/auth/login") return json(200, { access_token: "a1", csrf_token: "c1" });
    if (call.path === "/auth/refresh") return json(200, { access_token: "a2", csrf_token: "c2" });
    if (call.path === "/items" && call.headers.get("X-CSRF-Token") === "c1") {
      return json(401, UNAUTHORIZED); // the access token expired since login
    }
    return json(201, { id: 1 });
  });
  const client = createClient({ fetch, readCookies: () => "" });

  const body = await client.login("ada@example.com", "correct horse battery");
  assert.equal(body.csrf_token, "c1");
  const loginCall = calls[0];
  assert.deepEqual(JSON.parse(loginCall.body), {
    email: "ada@example.com",
    password: "correct horse battery",
    cookies: true,
  });
  assert.equal(loginCall.headers.get("content-type"), "application/json");

  const response = await client.fetch("/items", { method: "POST", body: "{}" });

  assert.equal(response.status, 201);
  assert.deepEqual(pathsOf(calls), ["POST /auth/login", "POST /items", "POST /auth/refresh", "POST /items"]);
  assert.equal(calls[1].headers.get("X-CSRF-Token"), "c1");
  assert.equal(calls[2].headers.get("X-CSRF-Token"), "c1", "the refresh itself carries the CSRF header");
  assert.equal(calls[3].headers.get("X-CSRF-Token"), "c2", "the retry uses the refreshed token");
  assert.equal(client.csrfToken(), "c2");
});

test("the cookie wins over a remembered token (another tab may have refreshed)", async () => {
  let cookies = "";
  const { fetch, calls } = fakeFetch(async () => json(200, { csrf_token: "from-body" }));
  const client = createClient({ fetch, readCookies: () => cookies });
  await client.login("ada@example.com", "correct horse battery");
  cookies = "gatepass_csrf=from-other-tab";
  await client.fetch("/items", { method: "PUT" });
  assert.equal(calls[1].headers.get("X-CSRF-Token"), "from-other-tab");
});

test("an explicit X-CSRF-Token header is kept", async () => {
  const { fetch, calls } = fakeFetch(async () => json(200, {}));
  const client = createClient({ fetch, readCookies: () => "gatepass_csrf=cookie" });
  await client.fetch("/items", { method: "POST", headers: { "X-CSRF-Token": "mine" } });
  assert.equal(calls[0].headers.get("X-CSRF-Token"), "mine");
});

test("401s from login, register and refresh are never refreshed and retried", async () => {
  const { fetch, calls } = fakeFetch(async () =>
    json(401, { error: "invalid_credentials", message: "Invalid credentials" }),
  );
  const client = createClient({ fetch, readCookies: () => "" });

  await assert.rejects(client.login("ada@example.com", "wrong password"), (err) => {
    assert.ok(err instanceof GatepassError);
    assert.equal(err.status, 401);
    assert.equal(err.code, "invalid_credentials");
    assert.equal(err.message, "Invalid credentials");
    return true;
  });
  const direct = await client.fetch("/auth/login", { method: "POST", body: "{}" });
  assert.equal(direct.status, 401);
  assert.deepEqual(pathsOf(calls), ["POST /auth/login", "POST /auth/login"]);
});

test("Request objects with a body are retried with the same body", async () => {
  let refreshed = false;
  const { fetch, calls } = fakeFetch(async (call) => {
    if (call.path === "/auth/refresh") {
      refreshed = true;
      return json(200, {});
    }
    return refreshed ? json(200, {}) : json(401, UNAUTHORIZED);
  });
  const client = createClient({ fetch, baseUrl: "https://api.example.com", readCookies: () => "" });
  const request = new Request("https://api.example.com/items", { method: "POST", body: '{"n":1}' });

  const response = await client.fetch(request);

  assert.equal(response.status, 200);
  assert.deepEqual(calls.map((c) => c.body), ['{"n":1}', undefined, '{"n":1}']);
  assert.equal(calls[1].url, "https://api.example.com/auth/refresh");
});

test("baseUrl and authPrefix build the URLs", async () => {
  const { fetch, calls } = fakeFetch(async () => json(200, {}));
  const client = createClient({
    fetch,
    baseUrl: "https://auth.example.com/",
    authPrefix: "/api/auth",
    readCookies: () => "",
  });
  await client.fetch("/dashboard");
  await client.refresh();
  assert.deepEqual(
    calls.map((c) => c.url),
    ["https://auth.example.com/dashboard", "https://auth.example.com/api/auth/refresh"],
  );
});

test("logout posts with the CSRF header and treats 401 as already logged out", async () => {
  // What the server answers for each status: 204 empty, 401 and 500 with their
  // gatepass bodies (server/errors.py), 502 from a proxy in front of it (HTML).
  const INTERNAL = { error: "internal_error", message: "Internal server error" };
  let status = 204;
  const { fetch, calls } = fakeFetch(async (call) => {
    if (call.path !== "/auth/logout") return json(401, UNAUTHORIZED);
    if (status === 204) return new Response(null, { status });
    if (status === 401) return json(401, UNAUTHORIZED);
    if (status === 500) return json(500, INTERNAL);
    return new Response("<html>Bad Gateway</html>", {
      status,
      statusText: "Bad Gateway",
      headers: { "content-type": "text/html" },
    });
  });
  const client = createClient({ fetch, readCookies: () => "gatepass_csrf=c9" });

  await client.logout();
  assert.equal(calls[0].headers.get("X-CSRF-Token"), "c9");
  status = 401;
  await client.logout();
  // Any other failure rejects: with the server's own code and message when it sent one...
  status = 500;
  await assert.rejects(client.logout(), (err) => {
    assert.ok(err instanceof GatepassError);
    assert.equal(err.status, 500);
    assert.equal(err.code, "internal_error");
    assert.equal(err.message, "Internal server error");
    return true;
  });
  // ...and with the HTTP status in the message when it did not.
  status = 502;
  await assert.rejects(client.logout(), (err) => {
    assert.equal(err.status, 502);
    assert.equal(err.code, "http_502");
    assert.match(err.message, /HTTP 502 Bad Gateway without a gatepass error body/);
    return true;
  });
});

test("a non-JSON failure gets a message that names the likely cause", async () => {
  const { fetch } = fakeFetch(async () =>
    new Response("<html>Not Found</html>", { status: 404, statusText: "Not Found", headers: { "content-type": "text/html" } }),
  );
  const client = createClient({ fetch, readCookies: () => "" });
  await assert.rejects(client.register("ada@example.com", "correct horse battery"), (err) => {
    assert.equal(err.code, "http_404");
    assert.match(err.message, /HTTP 404 Not Found without a gatepass error body; is the gatepass server running/);
    return true;
  });
});

test("bad options and arguments are refused with a clear TypeError", async () => {
  assert.throws(() => createClient({ fetch: 42 }), /no fetch function|must be a function/);
  assert.throws(() => createClient({ baseUrl: 1, fetch() {} }), /baseUrl must be a string, got number/);
  assert.throws(() => createClient({ authPrefix: "auth", fetch() {} }), /authPrefix must start with "\/"/);
  assert.throws(() => createClient({ authPrefix: "/auth/", fetch() {} }), /not end with "\/"/);
  assert.throws(() => createClient({ onRefresh: "x", fetch() {} }), /onRefresh must be a function, got string/);
  assert.throws(() => createClient(null), /options must be an object/);
  const client = createClient({ fetch: async () => json(200, {}), readCookies: () => "" });
  await assert.rejects(client.login(undefined, "pw"), /login: email must be a string, got undefined/);
  await assert.rejects(client.fetch(42), /input must be a path, a URL or a Request/);
});

test("readCookie finds one cookie exactly", () => {
  assert.equal(readCookie("a=1; gatepass_csrf=x%20y; b=2", "gatepass_csrf"), "x y");
  assert.equal(readCookie("xgatepass_csrf=1", "gatepass_csrf"), null);
  assert.equal(readCookie("", "gatepass_csrf"), null);
  assert.equal(readCookie("gatepass_csrf=%E0%A4%A", "gatepass_csrf"), "%E0%A4%A");
});
