/**
 * The wire log and error messages mask the values of credential query parameters (`password=`,
 * `credentials=`, `access_token=` ...). An OData v2 function import's parameters are such query
 * parameters and are masked; the same function in v4 sends a structured or collection parameter
 * as a parameter alias (`Check(credentials=@credentials)?@credentials={...}`), whose name starts
 * with `@`, and that value was shown as it is, in the wire log and in the error's message alike.
 * On a node:http service.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { sendJson, serveClient } from "./servers/recording-server.js";

const SECRET = "hunter2-secret-value";

test("a v2 function import's password parameter is masked in the wire log and the error", async (t) => {
  const lines: string[] = [];
  const { server, client } = await serveClient(t, (_r, res) => sendJson(res, 500, { error: { code: "x", message: { lang: "en", value: "boom" } } }), { version: "2.0", debug: (line) => lines.push(line) });
  const error = await client.function("Login", { password: SECRET }).get().then(() => assert.fail("resolved"), (e: Error) => e);
  assert.ok(server.requests[0]!.path.includes(SECRET), "the service gets the value");
  assert.ok(!error.message.includes(SECRET), error.message);
  assert.equal(lines.length, 2);
  for (const line of lines) assert.ok(!line.includes(SECRET), line);
});

test("a v4 function's parameter alias named like a credential is masked in the wire log and the error", async (t) => {
  const lines: string[] = [];
  const { server, client } = await serveClient(t, (_r, res) => sendJson(res, 500, { error: { code: "x", message: "boom" } }), { debug: (line) => lines.push(line) });
  const error = await client.function("Check", { credentials: { user: "u", password: SECRET } }).get().then(() => assert.fail("resolved"), (e: Error) => e);
  assert.ok(server.requests[0]!.path.startsWith("/odata/Check(credentials=@credentials)?@credentials="), server.requests[0]!.path);
  assert.ok(!error.message.includes(SECRET), error.message);
  assert.equal(lines.length, 2);
  for (const line of lines) assert.ok(!line.includes(SECRET), line);
});
