/**
 * The `headers` option of operation calls: `invoke()`/`invokeAsync()` of actions and
 * `get()`/`getAsync()` of functions send more headers on that request alone (Dataverse's
 * `MSCRM.SuppressDuplicateDetection`, `MSCRM.BypassCustomPluginExecution`, `CallerObjectId`),
 * checked as a write's are, their secrets masked as a write's are.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { ODataHttpError } from "../src/index.js";
import { sendJson, serveClient, type RecordedRequest } from "./servers/recording-server.js";

const DATAVERSE = {
  "MSCRM.SuppressDuplicateDetection": "false",
  "MSCRM.BypassCustomPluginExecution": "true",
  CallerObjectId: "0d6f4b6e-1f3a-4c1e-9a2b-7c1d2e3f4a5b",
} as const;

/** The Dataverse headers a request carried (node:http gives names in lower case). */
function dataverseHeaders(request: RecordedRequest | undefined): Record<string, unknown> {
  return {
    "mscrm.suppressduplicatedetection": request?.headers["mscrm.suppressduplicatedetection"],
    "mscrm.bypasscustompluginexecution": request?.headers["mscrm.bypasscustompluginexecution"],
    callerobjectid: request?.headers["callerobjectid"],
  };
}

const SENT = { "mscrm.suppressduplicatedetection": "false", "mscrm.bypasscustompluginexecution": "true", callerobjectid: DATAVERSE.CallerObjectId };
const NOT_SENT = { "mscrm.suppressduplicatedetection": undefined, "mscrm.bypasscustompluginexecution": undefined, callerobjectid: undefined };

describe("headers of an operation call", () => {
  test("invoke() and get() send the given headers on that request only, beside the built ones, and read the answer as before", async (t) => {
    const { server, client } = await serveClient(t, (request, res) => {
      if (request.method === "POST") return sendJson(res, 200, { "@odata.context": "$metadata#Edm.String", value: `merged ${request.body}` });
      sendJson(res, 200, { "@odata.context": "$metadata#Edm.Int32", value: 7 });
    });
    const merged = await client.collection("accounts").key("a1").action("Microsoft.Dynamics.CRM.Merge").invoke({ Target: { id: 2 } }, { headers: DATAVERSE, etag: 'W/"5"' });
    assert.equal(merged, 'merged {"Target":{"id":2}}');
    const count = await client.function<number>("CountOpen", { days: 3 }).get({ headers: { CallerObjectId: DATAVERSE.CallerObjectId, Prefer: 'odata.include-annotations="*"' } });
    assert.equal(count, 7);
    await client.collection("accounts").key("a1").action("Microsoft.Dynamics.CRM.Merge").invoke({ Target: { id: 3 } });
    await client.function<number>("CountOpen", { days: 3 }).get();

    const [action, fn, actionAgain, fnAgain] = server.requests;
    assert.equal(`${action?.method} ${action?.path}`, "POST /odata/accounts('a1')/Microsoft.Dynamics.CRM.Merge");
    assert.deepEqual(dataverseHeaders(action), SENT);
    // The built headers stay: If-Match from etag, the JSON body's type, the version headers.
    assert.equal(action?.headers["if-match"], 'W/"5"');
    assert.equal(action?.headers["content-type"], "application/json");
    assert.equal(action?.headers["odata-version"], "4.0");
    assert.equal(`${fn?.method} ${fn?.path}`, "GET /odata/CountOpen(days=3)");
    assert.equal(fn?.headers["callerobjectid"], DATAVERSE.CallerObjectId);
    assert.equal(fn?.headers["prefer"], 'odata.include-annotations="*"');
    assert.equal(fn?.headers["accept"], "application/json");
    // The next calls, without the option, carry none of them.
    assert.deepEqual(dataverseHeaders(actionAgain), NOT_SENT);
    assert.deepEqual(dataverseHeaders(fnAgain), NOT_SENT);
    assert.equal(fnAgain?.headers["prefer"], undefined);
  });

  test("a function's own Prefer joins the client's maxPageSize preference, its preferences winning", async (t) => {
    const { server, client } = await serveClient(t, (_request, res) => sendJson(res, 200, { value: [1] }), { maxPageSize: 50 });
    await client.function("Top").get({ headers: { prefer: 'odata.include-annotations="*"' } });
    await client.function("Top").get({ headers: { prefer: "odata.maxpagesize=10" } });
    assert.deepEqual(
      server.requests.map((request) => request.headers["prefer"]),
      ['odata.maxpagesize=50, odata.include-annotations="*"', "odata.maxpagesize=10"],
    );
  });

  test("invokeAsync() and getAsync() send the given headers on the request that starts the operation, beside Prefer: respond-async, not on its polls", async (t) => {
    let polls = 0;
    const { server, client } = await serveClient(t, (request, res) => {
      if (request.path.startsWith("/monitor/")) {
        polls++;
        return sendJson(res, 200, { status: "Succeeded", value: `done ${request.path}` });
      }
      sendJson(res, 202, { status: "Running" }, { location: request.method === "POST" ? "/monitor/action" : "/monitor/function" });
    });
    const action = await client.action("ImportSolution").invokeAsync({ Overwrite: true }, { headers: DATAVERSE, pollInterval: 1 });
    assert.equal(action.statusUrl, server.url("monitor/action"));
    await action.wait();
    const fn = await client.function("ExportReport").getAsync({ headers: { CallerObjectId: DATAVERSE.CallerObjectId, Prefer: "return=minimal" }, pollInterval: 1 });
    await fn.wait();
    assert.equal(polls, 2);

    const [start, actionPoll, fnStart, fnPoll] = server.requests;
    assert.equal(`${start?.method} ${start?.path}`, "POST /odata/ImportSolution");
    assert.deepEqual(dataverseHeaders(start), SENT);
    assert.equal(start?.headers["prefer"], "respond-async");
    assert.equal(start?.body, '{"Overwrite":true}');
    assert.equal(`${actionPoll?.method} ${actionPoll?.path}`, "GET /monitor/action");
    assert.deepEqual(dataverseHeaders(actionPoll), NOT_SENT);
    assert.equal(`${fnStart?.method} ${fnStart?.path}`, "GET /odata/ExportReport()");
    assert.equal(fnStart?.headers["callerobjectid"], DATAVERSE.CallerObjectId);
    assert.equal(fnStart?.headers["prefer"], "return=minimal, respond-async");
    assert.equal(`${fnPoll?.method} ${fnPoll?.path}`, "GET /monitor/function");
    assert.equal(fnPoll?.headers["callerobjectid"], undefined);
  });

  test("a bad headers option is refused naming the call and the option, before anything is sent", async (t) => {
    const { server, client } = await serveClient(t, (_request, res) => sendJson(res, 200, { value: 1 }));
    const action = client.action("Merge");
    const fn = client.function("CountOpen");
    const cases = [
      [() => action.invoke({}, { headers: { CallerObjectId: "a\r\nX-Injected: 1" } }), /^action\("Merge"\)\.invoke\(\): option "headers" must give "CallerObjectId" a string without control characters or characters beyond U\+00FF; got one with them$/],
      [() => action.invokeAsync({}, { headers: { "MSCRM.BypassCustomPluginExecution": true as unknown as string } }), /^action\("Merge"\)\.invokeAsync\(\): option "headers" must give "MSCRM\.BypassCustomPluginExecution" a string .*; got true$/],
      [() => fn.get({ headers: { "bad name": "x" } }), /^function\("CountOpen"\)\.get\(\): option "headers" has "bad name", which is not a header name$/],
      [() => fn.getAsync({ headers: { "Content-Length": "5" } }), /^function\("CountOpen"\)\.getAsync\(\): option "headers" names "Content-Length", which the HTTP transport sets itself$/],
      [() => fn.get({ headers: new Headers({ a: "b" }) as unknown as Record<string, string> }), /^function\("CountOpen"\)\.get\(\): option "headers" must be an object of header names to strings; got a Headers instance/],
    ] as const;
    for (const [call, message] of cases) await assert.rejects(call(), (error: unknown) => error instanceof TypeError && message.test(error.message));
    assert.deepEqual(server.requests, [], "nothing was sent");
  });

  test("a secret header given to invoke() is masked where the service echoes it in its error, as a write's own is", async (t) => {
    const key = "call-only-KEY-9876543";
    const { server, client } = await serveClient(t, (request, res) => sendJson(res, 403, { error: { code: "Denied", message: `no access for [${String(request.headers["x-api-key"])}]` } }));
    const error = await client.action("Merge").invoke({}, { headers: { "x-api-key": key } }).then(
      () => assert.fail("the 403 resolved"),
      (failure: unknown) => failure,
    );
    assert.equal(server.requests[0]?.headers["x-api-key"], key, "the key went on the wire");
    assert.ok(error instanceof ODataHttpError && error.status === 403, String(error));
    assert.equal(error.odataError?.message, "no access for [***]");
    assert.ok(!inspect(error).includes(key));
  });
});
