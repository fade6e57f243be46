// The guide's server as written (/work/shared/guide/how-jwt-works.txt, sections 2
// and 6): express + express.json() + jsonwebtoken, POST /login and the protected
// GET /dashboard behind verifyToken. Only additions: the guide never shows
// app.listen, so the port comes from argv; JWT_SECRET from the environment as in
// the guide. Dependencies pinned in bench/package.json (npm ci --prefix bench).
// Usage: JWT_SECRET=... node bench/guide_express.cjs PORT
const express = require("express");
const jwt = require("jsonwebtoken");
const app = express();
app.use(express.json());
app.post("/login", (req, res) => {
  const { email, password } = req.body;
  // Validate credentials
  if (email !== "user@gmail.com" || password !== "123456") {
    return res.status(401).json({ message: "Invalid credentials" });
  }
  const payload = {
    id: 101,
    email: email,
    role: "admin"
  };
  const token = jwt.sign(
    payload,
    process.env.JWT_SECRET,
    { expiresIn: "1h" }
  );
  res.json({ token });
});
function verifyToken(req, res, next) {
  const authHeader = req.headers.authorization;
  if (!authHeader) {
    return res.status(401).json({ message: "No token provided" });
  }
  const token = authHeader.split(" ")[1]; // Extract after "Bearer "
  jwt.verify(token, process.env.JWT_SECRET, (err, decoded) => {
    if (err) {
      return res.status(401).json({ message: "Invalid or expired token" });
    }
    req.user = decoded; // Attach user data to request
    next();
  });
}
// Protected route
app.get("/dashboard", verifyToken, (req, res) => {
  res.json({ message: "Welcome " + req.user.email });
});
app.listen(Number(process.argv[2]), "127.0.0.1");
