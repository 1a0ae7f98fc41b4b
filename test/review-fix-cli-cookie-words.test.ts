// A `Cookie` header copied from a browser into `-H` carries settings besides the session: each
// cookie value that looks like an id or a token (a digit in it, or 20 characters or more) is a
// secret of the run, masked in all it writes to stderr; a value that is a word (`accepted`,
// `expanded`) is not, or every message that uses the word would lose it ("already ***"). The
// command line runs in this process against a node:http service on 127.0.0.1.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startServer, sendJson } from "./servers/recording-server.js";
import { cliInProcess } from "./cli-in-process.js";

const SESSION = "0123456789ABCDEF";
const COOKIE = `JSESSIONID=${SESSION}; cookie_consent=accepted; sidebar=expanded`;

test("get with -H 'Cookie: …': the service's words that are cookie values stay in the error, the session id is masked", async (t) => {
  const message = `Order 7 was already accepted; the sidebar is expanded; your session ${SESSION} may not edit it`;
  const server = await startServer((request, res) => {
    if (request.path.endsWith("/$metadata")) return sendJson(res, 404, { error: { code: "404", message: "none" } });
    sendJson(res, 409, { error: { code: "Conflict", message } });
  });
  t.after(() => server.close());
  const outcome = await cliInProcess(["get", server.url("odata/"), "Orders", "7", "-H", `Cookie: ${COOKIE}`, "--timeout", "2000"]);
  assert.equal(outcome.code, 3, outcome.stderr);
  assert.deepEqual(
    server.requests.map((request) => `${request.method} ${request.path} ${request.headers.cookie}`),
    [`GET /odata/$metadata ${COOKIE}`, `GET /odata/Orders(7) ${COOKIE}`],
  );
  assert.match(outcome.stderr, /\[Conflict\]: Order 7 was already accepted; the sidebar is expanded; your session \*\*\* may not edit it/);
  assert.ok(!outcome.stderr.includes(SESSION), outcome.stderr);
});
