// A client of OData 4.0 (the default) calling an operation of an OData v2 service with
// `invokeAsync()` / `getAsync()`: the final answer of the long-running operation says v2
// (`DataServiceVersion: 2.0`, no OData-Version) and wraps its result in `{"d": …}`. `invoke()` and
// `get()` refuse that answer as BAD_PAYLOAD naming `version: "2.0"` (hints-fix31b-operation-version
// test); the pollers resolved the wrapper itself as the result, since the headers of the final
// answer never reached the result's reader. Now `wait()`, `poll()` and `result()` reject the same
// way, wherever the final answer came from: the monitor's own 200, a result fetched after a 303, an
// `application/http` envelope (its inner headers), or the initial answer of a service that ran the
// operation at once. A v4 final answer still resolves, an object whose one property is `d` too.
// Against node:http services on 127.0.0.1.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { ODataClientError } from "../src/index.js";
import { sendJson, serveClient, type RecordedRequest } from "./servers/recording-server.js";

const V2 = { dataserviceversion: "2.0" };
const V4 = { "odata-version": "4.0" };
const V2_HINT = `; the answer is OData v2's (DataServiceVersion: 2.0, no OData-Version), which a client of OData 4.0 does not read: create the client with version: "2.0"`;
const CRLF = "\r\n";
const FAST = { pollInterval: 0 };

const V2_ENTITY = { d: { __metadata: { uri: "Products(1)", type: "NS.Product" }, ID: 1, Stock: 9 } };
const V4_ENTITY = { "@odata.context": "$metadata#Products/$entity", ID: 1, Stock: 9 };

type Final = "monitor-200" | "see-other" | "envelope" | "at-once";

/**
 * A service whose operations run long: `POST Restock` and `GET CountBooks()` answer 202 with a
 * monitor, which answers 202 once and then the final answer of form `final`, its headers and body
 * those of `version`.
 */
function service(version: "v2" | "v4", final: Final, v4Body: unknown = V4_ENTITY) {
  const headers = version === "v2" ? V2 : V4;
  const body = version === "v2" ? V2_ENTITY : v4Body;
  let polls = 0;
  return (request: RecordedRequest, res: ServerResponse): void => {
    // A v2 client sends an action's parameters as query options.
    const path = request.path.split("?")[0];
    if (path === "/odata/Restock" || path === "/odata/CountBooks()") {
      if (final === "at-once") return sendJson(res, 200, body, headers);
      polls = 0;
      res.writeHead(202, { location: "/odata/monitor/1", "content-length": 0, ...headers });
      return void res.end();
    }
    if (path === "/odata/monitor/1") {
      polls += 1;
      if (polls === 1) {
        res.writeHead(202, { "content-length": 0, ...headers });
        return void res.end();
      }
      if (final === "monitor-200") return sendJson(res, 200, body, headers);
      if (final === "see-other") {
        res.writeHead(303, { location: "/odata/results/1", "content-length": 0 });
        return void res.end();
      }
      // The OData 4.0 form: the outer answer says nothing of the version, the inner one does.
      const own = Object.entries(headers).map(([name, value]) => `${name}: ${value}${CRLF}`).join("");
      const message = `HTTP/1.1 200 OK${CRLF}Content-Type: application/json${CRLF}${own}${CRLF}${JSON.stringify(body)}`;
      res.writeHead(200, { "content-type": "application/http", "content-length": Buffer.byteLength(message) });
      return void res.end(message);
    }
    if (path === "/odata/results/1") return sendJson(res, 200, body, headers);
    sendJson(res, 404, { error: { code: "404", message: "not found" } }, headers);
  };
}

const seen = (requests: RecordedRequest[]) => requests.map((request) => `${request.method} ${request.path}`);

const WIRE: Record<Final, string[]> = {
  "monitor-200": ["GET /odata/monitor/1", "GET /odata/monitor/1"],
  "see-other": ["GET /odata/monitor/1", "GET /odata/monitor/1", "GET /odata/results/1"],
  envelope: ["GET /odata/monitor/1", "GET /odata/monitor/1"],
  "at-once": [],
};

async function refusal(promise: Promise<unknown>): Promise<ODataClientError> {
  const error = await promise.then(
    (value: unknown) => assert.fail(`resolved with ${JSON.stringify(value)}`),
    (failure: unknown) => failure,
  );
  assert.ok(error instanceof ODataClientError, String(error));
  return error;
}

for (const final of ["monitor-200", "see-other", "envelope", "at-once"] as const) {
  test(`a v4 client's invokeAsync() and getAsync() reject a v2 final answer (${final}) as invoke() does: BAD_PAYLOAD naming version: "2.0"`, async (t) => {
    const { server, client, root } = await serveClient(t, service("v2", final));
    const calls: [string, () => Promise<import("../src/index.js").AsyncPoller<unknown>>, string][] = [
      ["invokeAsync()", () => client.action("Restock").invokeAsync({ ID: 1 }, FAST), "POST /odata/Restock"],
      ["getAsync()", () => client.function("CountBooks").getAsync(FAST), "GET /odata/CountBooks()"],
    ];
    for (const [label, start, sent] of calls) {
      const before = server.requests.length;
      const poller = await start();
      const [method, path] = sent.split(" ") as [string, string];
      const named = final === "at-once" ? `${method} ${root}${path.slice("/odata/".length)}` : `${method} ${root}${path.slice("/odata/".length)} (a long-running operation, status monitor ${root}monitor/1)`;
      // An action answered with success at once ran: its message says so, as invoke()'s does (test/hints-fix31b-operation-version.test.ts).
      const said = final === "at-once" && method === "POST" ? " was answered 200 OK, so the service ran the action, but its answer could not be read: the body is" : " answered with";
      const message = `${named}${said} {"d": …}, not the operation's result${V2_HINT}`;
      const error = await refusal(poller.wait());
      assert.equal(error.code, "BAD_PAYLOAD", `${label}: ${error.message}`);
      assert.equal(error.message, message, label);
      // result() and a later poll() refuse it the same way; the operation itself succeeded.
      assert.throws(() => poller.result(), (thrown: unknown) => thrown instanceof ODataClientError && thrown.code === "BAD_PAYLOAD" && thrown.message === message, label);
      assert.equal((await refusal(poller.poll())).message, message, label);
      assert.equal(poller.status(), "Succeeded", label);
      assert.deepEqual(seen(server.requests.slice(before)), [sent, ...WIRE[final]], label);
      // The request went as a v4 client sends it.
      assert.equal(server.requests[before]?.headers["prefer"], "respond-async", label);
    }
  });

  test(`a v4 final answer (${final}) still resolves, an entity whose one property is d among them`, async (t) => {
    for (const [body, expected] of [
      [V4_ENTITY, { ID: 1, Stock: 9 }],
      [{ "@odata.context": "$metadata#NS.Letter", d: 1 }, { d: 1 }],
    ] as const) {
      const { server, client } = await serveClient(t, service("v4", final, body));
      const poller = await client.action("Restock").invokeAsync({ ID: 1 }, FAST);
      assert.deepEqual(await poller.wait(), expected);
      assert.deepEqual(poller.result(), expected);
      assert.deepEqual(seen(server.requests), ["POST /odata/Restock", ...WIRE[final]]);
    }
  });
}

test("a client of OData 2.0 still unwraps the v2 final answer of its poller", async (t) => {
  const { server, client } = await serveClient(t, service("v2", "monitor-200"), { version: "2.0" });
  const poller = await client.action("Restock").invokeAsync({ ID: 1 }, FAST);
  const result = (await poller.wait()) as Record<string, unknown>;
  assert.equal(result["ID"], 1);
  assert.equal(result["Stock"], 9);
  assert.deepEqual(seen(server.requests), ["POST /odata/Restock?ID=1", ...WIRE["monitor-200"]]);
});
