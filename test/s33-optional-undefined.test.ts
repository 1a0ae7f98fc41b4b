// Inputs the library takes back (a poller's token, a partition, service model data, an OData error
// detail) may hold an optional member set to `undefined` (built from JSON and spreads); under
// exactOptionalPropertyTypes they did not compile, their members typed without `| undefined`
// (test/s33-optional-undefined-cases.ts holds the type-level cases, checked here on their own).
// Each call then treats the undefined member as a missing one: asserted over node:http.
import { test } from "node:test";
import assert from "node:assert/strict";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { AsyncOperationFailedError, ODataClient } from "../src/index.js";
import { httpErrorWithUndefined, modelWithUndefined, partitionWithUndefined, resumeWithUndefined } from "./s33-optional-undefined-cases.js";
import { sendJson, startServer } from "./servers/recording-server.js";
import { fileDiagnostics } from "./virtual-program.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CASES = join(ROOT, "test", "s33-optional-undefined-cases.ts");

test("the cases compile: each input built with an optional member undefined is taken by the call that takes it", () => {
  assert.deepEqual(fileDiagnostics(CASES, ROOT), []);
});

test("a token, a partition, model data and an error detail with undefined members work as if the members were missing", async (t) => {
  const server = await startServer((request, res) => {
    if (request.path.startsWith("/svc/monitor")) return sendJson(res, 200, { status: "succeeded", value: 42 });
    sendJson(res, 200, { value: [{ ID: 7 }] }, { "odata-version": "4.0" });
  });
  t.after(() => server.close());
  const serviceUrl = server.url("svc/");
  const client = new ODataClient({ serviceUrl, retry: false });

  const { poller, failed } = resumeWithUndefined(client, `${serviceUrl}monitor/1`);
  assert.equal(poller.status(), "running");
  assert.equal(poller.isDone(), false);
  const result = await poller.wait();
  assert.equal(poller.isDone(), true);
  assert.deepEqual(result, { status: "succeeded", value: 42 });
  assert.equal(poller.status(), "succeeded");
  // A failed token's failure with undefined httpStatus and odataError: the error has neither.
  const failure = await failed.wait().catch((error: unknown) => error);
  assert.ok(failure instanceof AsyncOperationFailedError);
  assert.equal(failure.message, "no");
  assert.equal(failure.httpStatus, undefined);
  assert.equal(failure.odataError, undefined);

  const rows = await partitionWithUndefined(client, `${serviceUrl}Readings?$filter=ID lt 100`).list();
  assert.deepEqual(rows, [{ ID: 7 }]);
  assert.deepEqual(
    server.requests.map((request) => `${request.method} ${decodeURIComponent(request.path)}`),
    ["GET /svc/monitor/1", "GET /svc/Readings?$filter=ID lt 100"],
  );

  const model = modelWithUndefined();
  assert.equal(model.entitySet("Readings")?.entityType, "S.Reading");
  assert.deepEqual(model.keyOf("S.Reading"), [{ name: "ID", path: "ID" }]);
  assert.equal(model.functionImport("Latest")?.function, "S.Latest");
  assert.equal(model.resolveName("S.Reading"), "S.Reading");

  const error = httpErrorWithUndefined(`${serviceUrl}Readings`);
  assert.equal(error.odataError?.code, "E1");
  assert.equal(error.odataError?.details?.[0]?.message, "inner");
  assert.match(error.message, /broken/);
});
