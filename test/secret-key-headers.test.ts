/**
 * Custom `x-` headers whose names end in "key" (`x-functions-key`, Azure Functions' key header;
 * `x-access-key`) are credentials as `x-api-key` is: left out of an error's headers,
 * masked where a service echoes them, shown as `***` in the wire log and not carried to another
 * origin by a redirect. Names that only hold "key" (`Idempotency-Key`, `RowKey`, `foreign-key`,
 * `sort_key`) stay readable in an error's details and messages. Real HTTP on 127.0.0.1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { ODataClient, ODataClientError, ODataHttpError } from "../src/index.js";
import { isSecretHeaderName } from "../src/util/redact.js";
import { sendJson, startServer } from "./servers/recording-server.js";

const SECRET = "fnkey-0123456789abcdef";

test("a custom x- header whose name ends in key, and a private, access, master, application ... key, is a credential's; other names with key in them are not", () => {
  const secret = [
    "x-functions-key", "X-Access-Key", "x-accesskey", "x_secret_key", "x-goog-api-key", "apikey", "Ocp-Apim-Subscription-Key", "x-api-key",
    "x_functions_key", "Fastly-Key", "DD-APPLICATION-KEY", "aeg-sas-key", "AccessKey", "Private-Key", "Master-Key", "Auth-Key", "private_key", "access_key", "client_key", "account_key",
  ];
  const plain = ["keep-alive", "x-keyword", "x-keys-count", "x-key-id", "key", "Idempotency-Key", "Sec-WebSocket-Key", "foreign-key", "sort_key", "entity_key", "partition_key", "RowKey", "primaryKey", "x-tenant", "Accept-Language"];
  assert.deepEqual(secret.filter((name) => !isSecretHeaderName(name)), []);
  assert.deepEqual(plain.filter((name) => isSecretHeaderName(name)), []);
  // In text, a `Name: value` pair of such a header is masked; a key, a foreign key or an option stays.
  assert.equal(new ODataClientError("test:X", "sent x-functions-key: fnkey-98765\nX-Access-Key: 'ak-12345678'").message, "sent x-functions-key: ***\nX-Access-Key: '***'");
  assert.equal(new ODataClientError("test:X", "Fastly-Key: fk_LIVE_0123456\naeg-sas-key: sas-0123456789").message, "Fastly-Key: ***\naeg-sas-key: ***");
  assert.equal(
    new ODataClientError("test:X", "no entity with key: Books(1); --key: one entity; primaryKey: ID\nViolation of foreign-key: FK_Orders_Customers").message,
    "no entity with key: Books(1); --key: one entity; primaryKey: ID\nViolation of foreign-key: FK_Orders_Customers",
  );
});

test("x-functions-key and x-access-key: masked in an error's headers and body and in the wire log, a key not sent left out of the headers", async (t) => {
  const server = await startServer((_request, res) => {
    res.writeHead(500, { "content-type": "text/plain", "x-functions-key": SECRET, "x-access-key": SECRET, "x-other-key": "other-0123456789", "x-tenant": "acme" });
    res.end(`denied for ${SECRET}`);
  });
  t.after(() => server.close());
  for (const name of ["x-functions-key", "x-access-key"]) {
    const lines: string[] = [];
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false, headers: { [name]: SECRET }, debug: (line) => lines.push(line) });
    const error = await client.collection("Books").list().then(
      () => assert.fail("resolved"),
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof ODataHttpError && error.status === 500, inspect(error));
    assert.equal(server.requests.at(-1)?.headers[name], SECRET, "the header went to the service");
    // The value the client sent reads *** wherever it is echoed; a key it did not send is left out.
    assert.equal(error.headers["x-functions-key"], "***");
    assert.equal(error.headers["x-access-key"], "***");
    assert.equal(error.headers["x-other-key"], undefined);
    assert.equal(error.headers["x-tenant"], "acme");
    assert.equal(error.body, "denied for ***");
    assert.doesNotMatch(inspect(error, { depth: 10 }), /fnkey-/);
    const sent = lines.find((line) => line.includes("> GET"));
    assert.ok(sent?.includes(`"${name}":"***"`), sent);
    assert.ok(!lines.some((line) => line.includes(SECRET)), lines.join("\n"));
  }
});

test("a write's x-functions-key is not carried to another origin by a 307, as x-api-key is not", async (t) => {
  const other = await startServer((_request, res) => sendJson(res, 201, { ID: 1 }));
  t.after(() => other.close());
  const server = await startServer((_request, res) => {
    res.writeHead(307, { location: other.url("elsewhere/Books") });
    res.end();
  });
  t.after(() => server.close());
  const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false });
  for (const name of ["x-api-key", "x-functions-key"]) {
    await client.collection("Books").create({ ID: 1 }, { headers: { [name]: SECRET } });
    assert.equal(server.requests.at(-1)?.headers[name], SECRET, `${name} went to the service's own origin`);
    assert.deepEqual([other.requests.at(-1)?.method, other.requests.at(-1)?.headers[name]], ["POST", undefined], `${name} stayed behind`);
  }
});

test("an OData error's innererror keeps members named RowKey, primaryKey, key, entity_key and sort_key readable; x-functions-key quoted there is masked", async (t) => {
  const server = await startServer((_request, res) =>
    sendJson(res, 400, { error: { code: "Dup", message: "duplicate", innererror: { RowKey: "r-0001", primaryKey: "ID", key: "Books(1)", entity_key: "7", sort_key: "name", "x-functions-key": SECRET } } }),
  );
  t.after(() => server.close());
  const error = await new ODataClient({ serviceUrl: server.url("svc/"), retry: false })
    .collection("Books")
    .create({ ID: 1 })
    .then(
      () => assert.fail("resolved"),
      (caught: unknown) => caught,
    );
  assert.ok(error instanceof ODataHttpError, inspect(error));
  assert.deepEqual(error.odataError?.innererror, { RowKey: "r-0001", primaryKey: "ID", key: "Books(1)", entity_key: "7", sort_key: "name", "x-functions-key": "***" });
});
