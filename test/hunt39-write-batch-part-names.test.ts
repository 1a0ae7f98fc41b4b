// A `$batch` message that names a request by its number, method and path ("request 2 (POST
// Authors?api_key=…)") masks the values of the path's credential query parameters, as every URL
// in a message is (README "Errors"): the TypeErrors of a batch that cannot be written (an OData v2
// reference across changesets, a JSON batch body that is no JSON) quoted them bare, and the
// ODataClientError messages, masked as a whole, lost the `)` after a masked value ("request 2 (GET
// Books(2)?sig=*** got no response"). Against a node:http service on 127.0.0.1, which gets nothing
// for a batch refused before it is sent.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient } from "../src/index.js";
import { sendJson, startServer } from "./servers/recording-server.js";

test("OData v2: a reference across changesets is refused naming the referenced create without its api_key", async (t) => {
  const server = await startServer((_request, res) => sendJson(res, 500, {}));
  t.after(() => server.close());
  const client = new ODataClient({ serviceUrl: server.url("svc/"), version: "2.0", retry: false });
  const batch = client.batch();
  const author = batch.create(client.collection("Authors").param("api_key", "TOPSECRET1"), { ID: "x" });
  batch.create(author.navigation("books"), { ID: 1 });
  const error = await batch.send().then(
    () => assert.fail("the batch was sent"),
    (failure: unknown) => failure,
  );
  assert.ok(error instanceof TypeError);
  assert.equal(
    error.message,
    "request 2 (POST $1/books) references $1, request 1 (POST Authors?api_key=***), which is not in the same changeset: " +
      "an OData v2 service resolves $<Content-ID> only within one changeset, and a write added to the batch itself goes in a changeset of its own; add both writes to one batch.changeset()",
  );
  assert.equal(server.requests.length, 0);
});

test("JSON batch: a raw request whose JSON body is no JSON is refused naming it without its access_token", async (t) => {
  const server = await startServer((_request, res) => sendJson(res, 500, {}));
  t.after(() => server.close());
  const client = new ODataClient({ serviceUrl: server.url("svc/"), version: "4.01", retry: false });
  const batch = client.batch();
  batch.request({ method: "POST", url: "Books?access_token=TOPSECRET2", headers: { "Content-Type": "application/json" }, body: "{not json" });
  const error = await batch.send().then(
    () => assert.fail("the batch was sent"),
    (failure: unknown) => failure,
  );
  assert.ok(error instanceof TypeError);
  assert.match(error.message, /^request 1 \(POST Books\?access_token=\*\*\*\): body: a JSON body must be JSON text \(/);
  assert.doesNotMatch(error.message, /TOPSECRET/);
  assert.equal(server.requests.length, 0);
});

test("a request the service never answered is named with its path's secret masked and its parenthesis closed", async (t) => {
  const answer = `--b\r\nContent-Type: application/http\r\nContent-ID: 1\r\n\r\nHTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n\r\n{"error":{"code":"x","message":"boom"}}\r\n--b--\r\n`;
  const server = await startServer((_request, res) => {
    res.writeHead(200, { "content-type": "multipart/mixed; boundary=b" });
    res.end(answer);
  });
  t.after(() => server.close());
  const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false });
  const books = client.collection("Books");
  const batch = client.batch();
  batch.get(books.key(1));
  const second = batch.get(books.key(2).param("sig", "TOPSECRET3"));
  await batch.send();

  assert.equal(server.requests.length, 1);
  assert.match(server.requests[0]!.body, /\r\nGET Books\(2\)\?sig=TOPSECRET3 HTTP\/1\.1\r\n/);
  const result = second.result();
  assert.equal(result.ok, false);
  assert.equal(result.error.code, "BATCH_NOT_EXECUTED");
  assert.equal(
    result.error.message,
    "request 2 (GET Books(2)?sig=***) got no response: the service stopped processing the batch before it (send with { continueOnError: true } to ask it to go on after a failure)",
  );
});
