// A batch poller rebuilt with batch.resumeAsync(token) reads the monitor's final answer as the
// poller of sendAsync() does: an answer that cannot be read, whose error quotes a secret the
// service echoed (here the bearer token as the multipart boundary, quoted in "ends without the
// closing delimiter --…--"), rejects with BAD_BATCH_RESPONSE with that secret masked.
import assert from "node:assert/strict";
import { test } from "node:test";
import { inspect } from "node:util";
import { ODataClient, ODataClientError } from "../src/index.js";
import { serve } from "./batch-server.js";

const BEARER = "resumeBearer-77c1d9e4";

test("batch.resumeAsync(token): a final answer that cannot be read, echoing the bearer token, rejects with BAD_BATCH_RESPONSE with it masked, as sendAsync()'s poller does", async (t) => {
  const service = await serve((request) => {
    if (request.method === "POST") return { status: 202, headers: { Location: "monitor/1", "Retry-After": "0" } };
    const token = String(request.headers.authorization).split(" ")[1];
    // Cut off: the closing delimiter never comes.
    return {
      status: 200,
      headers: { "Content-Type": `multipart/mixed; boundary=${token}` },
      body: `--${token}\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{}\r\n`,
    };
  });
  t.after(service.close);
  const client = new ODataClient({ serviceUrl: service.url, retry: false, auth: { bearer: BEARER } });
  const build = () => {
    const batch = client.batch();
    batch.get(client.collection("Items").key(1));
    return batch;
  };
  const poller = await build().sendAsync({ pollInterval: 1 });
  const token = JSON.parse(JSON.stringify(poller.toJSON()));
  const rejection = (promise: Promise<unknown>) => promise.then((value) => assert.fail(`resolved ${inspect(value)}`), (error: unknown) => error);
  const errors = { sendAsync: await rejection(poller.wait()), resumeAsync: await rejection(build().resumeAsync(token, { pollInterval: 1 }).wait()) };

  assert.deepEqual(
    service.seen.map((request) => `${request.method} ${request.url} ${request.headers.authorization}`),
    [`POST /svc/$batch Bearer ${BEARER}`, `GET /svc/monitor/1 Bearer ${BEARER}`, `GET /svc/monitor/1 Bearer ${BEARER}`],
  );
  for (const [what, error] of Object.entries(errors)) {
    assert.ok(error instanceof ODataClientError && error.code === "BAD_BATCH_RESPONSE", `${what}: ${inspect(error)}`);
    assert.equal(error.message, "malformed multipart batch response: the batch response ends without the closing delimiter --***-- (cut off?)", what);
    assert.ok(!inspect(error).includes(BEARER), `${what}: ${inspect(error)}`);
  }
});
