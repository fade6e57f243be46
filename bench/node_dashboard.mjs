// The guide's /dashboard in node without express: node:http + jsonwebtoken HS256.
// A faster reference than express (no router, no middleware), so a ratio to it
// is a lower bound of the ratio to the guide's express server.
// Usage: BENCH_SECRET=... BENCH_NODE_MODULES=tests/interop/node_modules node node_dashboard.mjs PORT
import http from "node:http";
import { createRequire } from "node:module";

const require = createRequire(`${process.env.BENCH_NODE_MODULES}/`);
const jwt = require("jsonwebtoken");
const secret = process.env.BENCH_SECRET;

http
  .createServer((req, res) => {
    if (req.url !== "/dashboard") {
      res.writeHead(404, { "content-type": "application/json" });
      res.end('{"error":"not_found"}');
      return;
    }
    const header = req.headers.authorization || "";
    try {
      const token = header.startsWith("Bearer ") ? header.slice(7) : "";
      const user = jwt.verify(token, secret, { algorithms: ["HS256"] });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: `Welcome ${user.email}` }));
    } catch {
      res.writeHead(401, { "content-type": "application/json" });
      res.end('{"error":"Invalid or expired token"}');
    }
  })
  .listen(Number(process.argv[2]), "127.0.0.1");
