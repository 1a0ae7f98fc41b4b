// A singleton's `204 No Content` rejects (BAD_PAYLOAD) unless the singleton was made with
// `singleton(name, { nullable: true })`, since nothing else tells the client that it may have no
// entity. The rejection now names that option, with the singleton's name, so that the caller
// learns the fix from the message; an entity by key answered 204 is not told to use it. Against a
// node:http service that answers every request 204.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ODataClient, ODataReader } from "../src/index.js";
import { clientRejection, startServer } from "./servers/recording-server.js";

test("a singleton answered 204 rejects with a message that names singleton(name, { nullable: true }); made so, it reads null", async (t) => {
  const server = await startServer((_request, res) => {
    res.writeHead(204, { "odata-version": "4.01" });
    res.end();
  });
  t.after(() => server.close());
  const options = { serviceUrl: server.url("svc/"), version: "4.01" as const, retry: false as const };
  const client = new ODataClient(options);
  const reader = new ODataReader(options);
  const hint = '; where the singleton "Deputy" may have no entity, make it with singleton("Deputy", { nullable: true }), whose get() then gives null';

  // One at a time: a read started before the one awaited rejects unheard meanwhile.
  for (const read of [() => client.singleton("Deputy").get(), () => reader.singleton("Deputy").get(), () => client.singleton("Deputy").select("Name").get()]) {
    const error = await clientRejection(read());
    assert.equal(error.code, "BAD_PAYLOAD");
    assert.ok(error.message.endsWith(`did not answer with an entity object (got an empty body)${hint}`), error.message);
    assert.match(error.message, /^GET http:\/\/127\.0\.0\.1:\d+\/svc\/Deputy(\?\$select=Name)? /);
  }
  assert.equal(await client.singleton("Deputy", { nullable: true }).get(), null);
  // An entity by key has no such option: its 204 keeps the plain message.
  const byKey = await clientRejection(client.collection("People").key(1).get());
  assert.equal(byKey.code, "BAD_PAYLOAD");
  assert.match(byKey.message, /^GET http:\/\/127\.0\.0\.1:\d+\/svc\/People\(1\) did not answer with an entity object \(got an empty body\)$/);
  assert.deepEqual(
    server.requests.map((request) => `${request.method} ${decodeURIComponent(request.path)}`),
    ["GET /svc/Deputy", "GET /svc/Deputy", "GET /svc/Deputy?$select=Name", "GET /svc/Deputy", "GET /svc/People(1)"],
  );
});
