/**
 * Which query parameters count as credentials, end to end over node:http: signed JWTs that
 * authenticate (`client_assertion`, `jwt`, `assertion`), AWS's `AWSAccessKeyId`, single sign-on
 * tickets (`ticket`) and `sap-password` are masked in an error's `message` and `url`, in
 * `util.inspect` and in the wire log; paging cursors named with "token" (`skiptoken`,
 * `deltatoken`, `pageToken`, `nextPageToken`, `continuationToken`), `sap-user` and `sap-client`
 * stay readable, since they are what a failed page is debugged with. Headers keep their own rule:
 * one named like a token is masked whatever it holds.
 */
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { test } from "node:test";
import { inspect } from "node:util";
import { ODataClient, ODataHttpError } from "../src/index.js";
import { startServer } from "./servers/recording-server.js";
import { rejectionOf } from "./async-poller-fixtures.js";
import { regExpText } from "./regexp-text.js";

/** Credential parameters and their values; every value holds "5ecret", so a leak is easy to spot. */
const CREDENTIALS: ReadonlyArray<readonly [string, string]> = [
  ["client_assertion", "eyJhbGciOiJSUzI1NiJ9.CA-5ecret.sig"],
  ["jwt", "eyJ0eXAiOiJKV1QifQ.JWT-5ecret.sig"],
  ["assertion", "PHNhbWw-ASSERT-5ecret"],
  ["AWSAccessKeyId", "AKIA-5ecret-0001"],
  ["ticket", "ST-1-TICKET-5ecret"],
  ["sap-password", "SAPPW-5ecret"],
];
/** Parameters that are no credential: paging state and SAP's user and client. */
const VISIBLE: ReadonlyArray<readonly [string, string]> = [
  ["sap-client", "100"],
  ["sap-user", "ALICE"],
  ["skiptoken", "skip-42"],
  ["deltatoken", "delta-7"],
  ["pageToken", "page-3"],
  ["nextPageToken", "page-4"],
  ["continuationToken", "cont-9"],
];

function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}


test("a failed request masks client_assertion, jwt, assertion, AWSAccessKeyId, ticket and sap-password in message, url, inspect and wire log; paging cursors, sap-user and sap-client stay", async (t) => {
  const server = await startServer((_request, res) => reply(res, 400, { error: { code: "BAD", message: "the request is wrong" } }, { "x-continuation-token": "HDR-5ecret-1" }));
  t.after(() => server.close());
  const lines: string[] = [];
  const client = new ODataClient({ serviceUrl: server.url("odata/"), retry: false, debug: (line) => lines.push(line) });
  let query = client.collection("Items");
  for (const [name, value] of [...VISIBLE, ...CREDENTIALS]) query = query.param(name, value);

  const error = await rejectionOf(query.list());
  assert.ok(error instanceof ODataHttpError && error.status === 400, inspect(error));

  const queryOf = (pairs: ReadonlyArray<readonly [string, string]>, masked: boolean) => pairs.map(([name, value]) => `${name}=${masked ? "***" : value}`).join("&");
  assert.equal(server.requests.length, 1);
  assert.equal(server.requests[0]?.path, `/odata/Items?${queryOf(VISIBLE, false)}&${queryOf(CREDENTIALS, false)}`, "every parameter went out as given");

  const shown = `${server.url("odata/Items")}?${queryOf(VISIBLE, false)}&${queryOf(CREDENTIALS, true)}`;
  assert.equal(error.url, shown);
  assert.equal(error.message, `GET ${shown} failed with HTTP 400 Bad Request [BAD]: the request is wrong`);
  assert.equal(lines.length, 2, lines.join("\n"));
  assert.match(lines[0] ?? "", new RegExp(`^#1 > GET ${regExpText(shown)} \\{`));
  assert.match(lines[1] ?? "", new RegExp(`^#1 < 400 GET ${regExpText(shown)} \\d+ ms \\{.*"x-continuation-token":"\\*\\*\\*"`));
  for (const text of [error.message, inspect(error, { showHidden: true }), JSON.stringify(error), ...lines]) assert.ok(!text.includes("5ecret"), text);
});

test("a next link's paging cursors stay readable in the error and wire log of the page that failed, while a jwt beside them is masked", async (t) => {
  const server = await startServer((request, res) => {
    if (request.path === "/odata/Items") return reply(res, 200, { value: [{ ID: 1 }], "@odata.nextLink": "Items?$skiptoken=S-2&continuationToken=C-2&jwt=J-5ecret-2" });
    reply(res, 503, { error: { code: "DOWN", message: "try later" } });
  });
  t.after(() => server.close());
  const lines: string[] = [];
  const client = new ODataClient({ serviceUrl: server.url("odata/"), retry: false, debug: (line) => lines.push(line) });

  const error = await rejectionOf(client.collection("Items").list());
  assert.equal(server.requests.at(-1)?.path, "/odata/Items?$skiptoken=S-2&continuationToken=C-2&jwt=J-5ecret-2");
  assert.ok(error instanceof ODataHttpError && error.status === 503, inspect(error));
  const shown = `${server.url("odata/Items")}?$skiptoken=S-2&continuationToken=C-2&jwt=***`;
  assert.equal(error.url, shown);
  assert.equal(error.message, `GET ${shown} failed with HTTP 503 Service Unavailable [DOWN]: try later`);
  assert.ok(lines.some((line) => line.startsWith(`#2 > GET ${shown}`)), lines.join("\n"));
  assert.ok(lines.some((line) => line.startsWith(`#2 < 503 GET ${shown} `)), lines.join("\n"));
  for (const text of [inspect(error, { showHidden: true }), JSON.stringify(error), ...lines]) assert.ok(!text.includes("5ecret"), text);
});

/** `text` as a regular expression that matches it literally. */
