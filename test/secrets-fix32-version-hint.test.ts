/**
 * The hint that an answer is the other OData version's quotes its version header (`DataServiceVersion`,
 * `OData-Version`) only where the value reads as a version number: a service that echoes its
 * request may fill the header with a token, and a value cut to a few characters escapes the masks
 * of whole secrets. Otherwise the hint names the header without its value. The same in the
 * library's `BAD_PAYLOAD` and in the command line's version errors. Real HTTP on 127.0.0.1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { ODataClient, ODataClientError } from "../src/index.js";
import { runCli, show } from "./cli-harness.js";
import { sendJson, startServer } from "./servers/recording-server.js";

const TOKEN = "eyJhbGciOiJIUzI1NiJ9.hint-secret-0123456789";

/** A service that answers every read with `body` and, as its version header, what `header` makes of the request's bearer token. */
async function echoingService(t: { after(fn: () => Promise<void>): void }, body: unknown, header: (token: string) => Record<string, string>) {
  const server = await startServer((request, res) => sendJson(res, 200, body, header(String(request.headers.authorization).slice(7))));
  t.after(() => server.close());
  return server;
}

async function failure(promise: Promise<unknown>): Promise<ODataClientError> {
  const error = await promise.then(
    () => assert.fail("resolved"),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof ODataClientError, inspect(error));
  return error;
}

function assertNowhere(error: Error, secret: string): void {
  const shown = [error.message, String(error.stack), inspect(error, { depth: 10 }), JSON.stringify(error)].join("\n");
  // Its first 8 characters are enough to give it away.
  assert.ok(!shown.includes(secret.slice(0, 8)), shown);
}

test("a DataServiceVersion that echoes the token: the v2 hint names the header without its value; 2.0;NetFx is quoted as 2.0", async (t) => {
  const server = await echoingService(t, { d: { results: [] } }, (token) => ({ dataserviceversion: token }));
  const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false, auth: { bearer: TOKEN } });
  const error = await failure(client.collection("Items").page());
  assert.equal(server.requests[0]?.headers.authorization, `Bearer ${TOKEN}`);
  assert.equal(error.code, "BAD_PAYLOAD");
  assert.equal(
    error.message,
    `GET ${server.url("svc/Items")}: the collection body has no "value" member; the answer is OData v2's (DataServiceVersion with no version number, no OData-Version), which a client of OData 4.0 does not read: create the client with version: "2.0"`,
  );
  assertNowhere(error, TOKEN);

  const netfx = await echoingService(t, { d: { results: [] } }, () => ({ dataserviceversion: "2.0;NetFx" }));
  const read = await failure(new ODataClient({ serviceUrl: netfx.url("svc/"), retry: false }).collection("Items").page());
  assert.match(read.message, /; the answer is OData v2's \(DataServiceVersion: 2\.0, no OData-Version\), which a client of OData 4\.0 does not read/);
});

test("an OData-Version of 4. followed by the token, to a client of OData 2.0: the v4 hint names the header without its value", async (t) => {
  const server = await echoingService(t, { value: [] }, (token) => ({ "odata-version": `4.${token}` }));
  const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false, version: "2.0", auth: { bearer: TOKEN } });
  const error = await failure(client.collection("Items").page());
  assert.equal(error.code, "BAD_PAYLOAD");
  assert.match(error.message, /; the answer is OData v4's \(OData-Version with no version number, no DataServiceVersion\), which a client of OData 2\.0 does not read: leave version out/);
  assertNowhere(error, TOKEN);
});

test("the command line: DataServiceVersion or OData-Version echoing the token is named without its value; a version number is quoted", async (t) => {
  const v2 = await echoingService(t, { d: { results: [] } }, (token) => ({ dataserviceversion: token }));
  const env = { TRAVERSE_ODATA_TOKEN: TOKEN };
  const query = await runCli(["query", v2.url("svc/"), "Items", "--format", "json"], { env });
  assert.equal(v2.requests[0]?.headers.authorization, `Bearer ${TOKEN}`);
  assert.equal(query.code, 2, show(query));
  assert.equal(
    query.stderr,
    `error: GET ${v2.url("svc/Items")} was answered by an OData v2 service (DataServiceVersion with no version number), which the command read as OData 4.0, the default: give --odata-version 2.0\n`,
  );

  const v4 = await echoingService(t, { ID: 1, value: [] }, (token) => ({ "odata-version": `4.${token}` }));
  const get = await runCli(["get", v4.url("svc/"), "Items", "1", "--odata-version", "2.0"], { env });
  assert.equal(get.code, 2, show(get));
  assert.equal(get.stdout, "");
  assert.equal(
    get.stderr,
    `error: GET ${v4.url("svc/Items(1)")}: the service looks like OData v4 (it answered OData-Version with no version number), which the command read as OData 2.0 (--odata-version 2.0): leave the option out, or give --odata-version 4.0\n`,
  );
  const listed = await runCli(["query", v4.url("svc/"), "Items", "--odata-version", "2.0", "--format", "json"], { env });
  assert.equal(listed.code, 1, show(listed));
  assert.match(listed.stderr, /the service looks like OData v4 \(it answered OData-Version with no version number\), which the command read as OData 2\.0/);
  for (const result of [query, get, listed]) assert.ok(!`${result.stdout}${result.stderr}`.includes(TOKEN.slice(0, 8)), show(result));

  const plain = await echoingService(t, { d: { results: [] } }, () => ({ dataserviceversion: "2.0" }));
  const quoted = await runCli(["query", plain.url("svc/"), "Items", "--format", "json"]);
  assert.match(quoted.stderr, /was answered by an OData v2 service \(DataServiceVersion: "2\.0"\), which the command read/);
});
