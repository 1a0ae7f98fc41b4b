// An Azure long-running operation may answer 202 with its monitor in Azure-AsyncOperation and no
// Location. The contract keeps ASYNC_NO_LOCATION for it (spec/async-poller.md: a 202 without
// Location), as for Graph's Operation-Location, but the message said only "without a Location
// header, so there is no status monitor to poll", where the answer names one: the caller, told
// nothing, would send the operation again. Now the message names the header and the monitor
// (masked) and what follows it, as it does for Operation-Location. On node:http.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClientError } from "../src/index.js";
import { sendJson, serveClient, type RecordingServer } from "./servers/recording-server.js";

test("invokeAsync() of a 202 with only Azure-AsyncOperation names that monitor (its secret masked) and client.asyncPoller(url); nothing is polled", async (t) => {
  let server!: RecordingServer;
  let client!: Awaited<ReturnType<typeof serveClient>>["client"];
  ({ server, client } = await serveClient(t, (_request, res) =>
    sendJson(res, 202, { status: "InProgress" }, { "azure-asyncoperation": server.url("operations/op-1?api-version=2024-01-01&sig=SECRET-sig") }),
  ));
  const error = await client.action("restart").invokeAsync().then(
    () => assert.fail("resolved"),
    (failure: unknown) => failure,
  );
  assert.ok(error instanceof ODataClientError);
  assert.equal(error.code, "ASYNC_NO_LOCATION");
  assert.equal(
    error.message,
    `POST ${server.url("odata/restart")} answered 202 Accepted without a Location header; it names its status monitor in Azure-AsyncOperation instead, which this method does not follow: client.asyncPoller(url) follows it. The monitor: ${server.url("operations/op-1?api-version=2024-01-01&sig=***")}`,
  );
  assert.deepEqual(server.requests.map((request) => `${request.method} ${request.path}`), ["POST /odata/restart"]);
});
