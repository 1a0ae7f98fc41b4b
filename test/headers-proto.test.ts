/**
 * A `headers` option with an own member named `__proto__` (as `JSON.parse` makes one from a
 * configuration file), over node:http. `__proto__` is a valid header name, but Node's `fetch`
 * copies the headers it sends into a plain object, where that name hits the prototype setter and
 * the header is lost without a word (and a write's own headers were merged the same way). So it
 * is refused with a `TypeError` that names it, as a client option and per request, and nothing
 * goes out; the other members of the same object, `constructor` among them, are sent as given.
 * The servers read `rawHeaders`: node:http leaves `__proto__` out of `req.headers` too.
 */
import assert from "node:assert/strict";
import type { IncomingMessage, ServerResponse } from "node:http";
import { test } from "node:test";
import { ODataClient } from "../src/index.js";
import { startServer } from "./servers/recording-server.js";

/** The headers a configuration file would give: `__proto__` an own member, as JSON.parse makes it. */
const fromJson = (name = "__proto__"): Record<string, string> => JSON.parse(`{"${name}":"proto-1","X-Tenant":"acme","constructor":"ctor-1"}`) as Record<string, string>;

/** The header lines of a request as they came on the wire, names in lower case. */
function rawHeaderLines(req: IncomingMessage): string[] {
  const lines: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]?.toLowerCase()}: ${req.rawHeaders[i + 1]}`);
  return lines;
}

function reply(res: ServerResponse, status: number, body?: unknown): void {
  const text = body === undefined ? "" : JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "odata-version": "4.0", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

async function startService() {
  const wire: string[][] = [];
  const server = await startServer((request, res, req) => {
    wire.push(rawHeaderLines(req));
    if (request.method === "POST") return reply(res, 201, { ID: 1 });
    reply(res, 200, { value: [] });
  });
  return { server, wire };
}

test("a client headers option naming __proto__ (in any case) is refused with a TypeError when the client is made, and nothing is sent", async (t) => {
  const { server, wire } = await startService();
  t.after(() => server.close());
  const serviceUrl = server.url("odata/");
  for (const name of ["__proto__", "__PROTO__"]) {
    const headers = fromJson(name);
    assert.deepEqual(Object.keys(headers), [name, "X-Tenant", "constructor"], "JSON.parse made it an own member");
    assert.throws(
      () => new ODataClient({ serviceUrl, headers }),
      (error: unknown) => error instanceof TypeError && error.message === `ODataClient option "headers" names "${name}", a header Node's fetch drops unsent`,
    );
  }
  assert.equal(server.requests.length, 0);

  // Without it, the rest of the same object goes out as given.
  const { ["__proto__"]: _dropped, ...rest } = Object.fromEntries(Object.entries(fromJson()));
  const client = new ODataClient({ serviceUrl, retry: false, headers: rest });
  await client.collection("Items").list();
  assert.equal(server.requests.length, 1);
  assert.ok(wire[0]?.includes("x-tenant: acme") && wire[0].includes("constructor: ctor-1"), wire[0]?.join("\n"));
});

test("a write's or a $batch part's headers naming __proto__ are refused with a TypeError naming the call, and nothing is sent", async (t) => {
  const { server, wire } = await startService();
  t.after(() => server.close());
  const client = new ODataClient({ serviceUrl: server.url("odata/"), retry: false });
  const items = client.collection("Items");

  await assert.rejects(items.create({ ID: 1 }, { headers: fromJson() }), { name: "TypeError", message: /^create\(\S*\): option "headers" names "__proto__", a header Node's fetch drops unsent$/ });
  await assert.rejects(
    Promise.resolve().then(() => items.key(1).delete({ headers: fromJson("__Proto__") })),
    { name: "TypeError", message: /: option "headers" names "__Proto__", a header Node's fetch drops unsent$/ },
  );
  const batch = client.batch();
  batch.request({ method: "GET", url: "Items(1)", headers: fromJson() });
  await assert.rejects(Promise.resolve().then(() => batch.send()), { name: "TypeError", message: 'request(request): option "headers" names "__proto__", a header Node\'s fetch drops unsent' });
  assert.equal(server.requests.length, 0, server.requests.map((request) => `${request.method} ${request.path}`).join(", "));

  const { ["__proto__"]: _dropped, ...rest } = Object.fromEntries(Object.entries(fromJson()));
  await items.create({ ID: 1 }, { headers: rest });
  assert.equal(server.requests.at(-1)?.method, "POST");
  assert.ok(wire.at(-1)?.includes("x-tenant: acme") && wire.at(-1)?.includes("constructor: ctor-1"), wire.at(-1)?.join("\n"));
});
