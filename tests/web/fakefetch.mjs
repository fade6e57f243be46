// The fake server of the JavaScript client's tests (tests/web/*.test.mjs).

export function json(status, body, headers = {}) {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

export const UNAUTHORIZED = { error: "invalid_token", message: "Invalid or expired token" };
export const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

/**
 * A fake server: `handler(call)` answers each request; every call is recorded
 * with its url, method, headers and credentials.
 */
export function fakeFetch(handler) {
  const calls = [];
  const fetch = async (input, init = {}) => {
    const url = typeof input === "string" ? input : input.url;
    const headers = new Headers(init.headers ?? input.headers);
    const call = {
      url,
      path: new URL(url, "http://test.invalid").pathname,
      method: init.method ?? input.method ?? "GET",
      headers,
      credentials: init.credentials,
      body: init.body ?? (typeof input === "string" ? undefined : await input.clone().text()),
    };
    calls.push(call);
    return handler(call, calls);
  };
  return { fetch, calls };
}

export const pathsOf = (calls) => calls.map((c) => `${c.method} ${c.path}`);
