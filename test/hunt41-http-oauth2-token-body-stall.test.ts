/**
 * A token endpoint that answers 200 and then stops sending its body (a token answer cut off in
 * the middle): the request waiting for the token ends at its `timeout` with a `TIMEOUT` that said
 * the endpoint "got no answer", as if it had never answered, where its answer had begun and its
 * body stalled. Now the message says so. On a node:http token endpoint and service on 127.0.0.1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { ODataClient, ODataClientError } from "../src/index.js";
import { activeTimers, startServer } from "./servers/recording-server.js";
import { rejectionOf } from "./async-poller-fixtures.js";

test("a token answer whose body stalls: TIMEOUT saying the endpoint answered 200 and its body did not come in full; the read is not sent", async (t) => {
  const tokens = await startServer((_request, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.write('{"access_token":"ab');
  });
  t.after(() => tokens.close());
  const svc = await startServer((_request, res) => void res.writeHead(200, { "content-type": "application/json" }).end('{"value":[]}'));
  t.after(() => svc.close());
  const client = new ODataClient({ serviceUrl: svc.url("odata/"), timeout: 150, auth: { oauth2: { tokenUrl: tokens.url("token"), clientId: "app", clientSecret: "s" } } });
  const timersBefore = activeTimers();
  const error = await rejectionOf(client.collection("Things").list());
  assert.ok(error instanceof ODataClientError && error.code === "TIMEOUT", inspect(error));
  assert.equal(
    error.message,
    `the OAuth2 token endpoint POST ${tokens.url("token")} (option "auth.oauth2.tokenUrl") answered 200 and its body did not come in full within the timeout (option "timeout") of GET ${svc.url("odata/Things")}, which was not sent`,
  );
  assert.equal(tokens.requests.length, 1);
  assert.equal(svc.requests.length, 0);
  assert.equal(activeTimers(), timersBefore);
});
