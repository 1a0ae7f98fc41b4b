// A collection-valued function's result whose next link is no URL was quoted with the bearer token
// a hostile service echoed into it; a page's such link was masked already (secrets-fix32b-links).
import { test } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { ODataClientError } from "../src/index.js";
import { sendJson, serveClient } from "./servers/recording-server.js";

const TOKEN = "zFnTok-7c1d93a5e2";

test("a function result's next link that is no URL is refused with the token sent masked", async (t) => {
  const { server, client, root } = await serveClient(t, (request, res) => {
    const sent = String(request.headers.authorization ?? "").replace(/^Bearer /, "");
    sendJson(res, 200, { value: [{ ID: 1 }], "@odata.nextLink": `http://[${sent}/p2` });
  }, { auth: { bearer: TOKEN } });
  const error = await client.function<Array<{ ID: number }>>("TopProducts").get().then(
    () => assert.fail("resolved"),
    (failure: unknown) => failure,
  );
  assert.ok(error instanceof ODataClientError);
  assert.equal(error.code, "BAD_PAYLOAD");
  assert.equal(error.message, 'the service sent a next link that is not a URL: "http://[***/p2"');
  assert.deepEqual(server.requests.map((request) => `${request.method} ${request.path} ${String(request.headers.authorization)}`), [`GET /odata/TopProducts() Bearer ${TOKEN}`]);
  assert.equal(root, server.url("odata/"));
  assert.doesNotMatch(`${error.message}${error.stack}${inspect(error, { depth: 10 })}${JSON.stringify(error)}`, /zFnTok/);
});
