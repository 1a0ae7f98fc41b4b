/**
 * The `onResponse` option (RequestOptions) of every call that sends a request: it is told the
 * status, headers and URL of each answer the call reads as its result (each page of a walk, the
 * answer of a read, a write, an operation, a `$batch`, a poller's start and polls), once, after the
 * client's retries and redirects and before the body is read; never of the CSRF token fetch. What it
 * throws rejects the call with that very error; a value that is no function is refused naming the
 * call, before anything is sent. Against node:http servers on 127.0.0.1.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { ODataClient, type ResponseInfo } from "../src/index.js";
import { sendJson, sendText, startServer, type RecordedRequest, type RecordingServer, type TestContextLike } from "./servers/recording-server.js";

/** Every answer says which request it answers, so that a test can tell whose headers it was shown. */
function answer(res: ServerResponse, request: RecordedRequest, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  const own = { "x-answer": `${request.method} ${request.path}`, ...headers };
  if (body === undefined) {
    res.writeHead(status, own);
    res.end();
  } else sendJson(res, status, body, own);
}

const BATCH_ANSWER =
  '--b1\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{"ID":1}\r\n--b1--\r\n';

/**
 * A service under /svc/: `Items` in two pages, `Items(1)` (read, updated, deleted), `Items/$count`,
 * a create, an action, a function and one with a paged result, `$batch`, the probes of a partition
 * plan (no `$metadata`: 404), `Moved(1)` redirected (307) to `Items(1)`,
 * `Flaky(1)` answered 503 once, then 200, and long-running creates: of `Items`, whose monitor
 * answers 202 once and can be cancelled, and of `Orders`, whose monitor sends the poller to the
 * result elsewhere (303).
 */
async function itemsService(t: TestContextLike): Promise<RecordingServer> {
  let flaky = 0;
  let polls = 0;
  const server = await startServer((request, res) => {
    const path = request.path.replace(/^\/svc\//, "");
    if (path === "Items" && String(request.headers["prefer"]).includes("respond-async")) return answer(res, request, 202, undefined, { location: "Jobs(1)" });
    if (path === "Jobs(1)" && request.method === "DELETE") return answer(res, request, 204);
    if (path === "Jobs(1)") return ++polls === 1 ? answer(res, request, 202, { status: "Running" }) : answer(res, request, 200, { ID: 7 });
    // A monitor that sends the poller to the result elsewhere.
    if (path === "Orders" && String(request.headers["prefer"]).includes("respond-async")) return answer(res, request, 202, undefined, { location: "Jobs(2)" });
    if (path === "Jobs(2)") return answer(res, request, 303, undefined, { location: "Results(2)" });
    if (path === "Results(2)") return answer(res, request, 200, { ID: 2 });
    if (path === "Items" && request.method === "GET") return answer(res, request, 200, { value: [{ ID: 1 }], "@odata.nextLink": "Items?$skiptoken=2" });
    if (path === "Items?$skiptoken=2") return answer(res, request, 200, { value: [{ ID: 2 }] });
    if (path === "Items" && request.method === "POST") return answer(res, request, 201, { ID: 3 }, { location: `${server.origin}/svc/Items(3)` });
    if (path === "Items/$count") return sendText(res, 200, "2", { "x-answer": `${request.method} ${request.path}` });
    if (path === "Items(1)" && request.method === "GET") return answer(res, request, 200, { ID: 1 });
    if (path === "Items(1)") return answer(res, request, 204);
    if (path === "Moved(1)") return answer(res, request, 307, undefined, { location: "/svc/Items(1)" });
    if (path === "Flaky(1)") return ++flaky === 1 ? answer(res, request, 503, { error: { code: "busy", message: "try again" } }, { "retry-after": "0" }) : answer(res, request, 200, { ID: 1 });
    if (path === "submitOrder") return answer(res, request, 200, { value: 3 });
    if (path === "countBooks(minStock=1)") return answer(res, request, 200, { value: 5 });
    if (path === "listBooks()") return answer(res, request, 200, { value: [1], "@odata.nextLink": "listBooks()?$skiptoken=2" });
    if (path === "listBooks()?$skiptoken=2") return answer(res, request, 200, { value: [2] });
    // A partition plan's probes: one entity each.
    if (path.startsWith("Items?$")) return answer(res, request, 200, { value: [{ ID: 2 }] });
    if (path === "$batch") return sendText(res, 200, BATCH_ANSWER, { "content-type": "multipart/mixed; boundary=b1", "x-answer": "POST /svc/$batch" });
    answer(res, request, 404, { error: { code: "404", message: "no such resource" } });
  });
  t.after(() => server.close());
  return server;
}

/** A recorder for `onResponse`: what it was told, as `status x-answer url`. */
function recorder(): { seen: string[]; onResponse: (answer: ResponseInfo) => void } {
  const seen: string[] = [];
  return { seen, onResponse: ({ status, headers, url }) => void seen.push(`${status} ${headers.get("x-answer")} ${url}`) };
}

const client = (server: RecordingServer, options: Partial<ConstructorParameters<typeof ODataClient>[0]> = {}) =>
  new ODataClient({ serviceUrl: server.url("svc/"), retry: false, ...options });

describe("onResponse", () => {
  test("a walk of two pages tells of each page's answer in order, each before that page is handed out: status, headers and URL", async (t) => {
    const server = await itemsService(t);
    const events: string[] = [];
    const onResponse = ({ status, headers, url }: ResponseInfo) => void events.push(`answer ${status} ${headers.get("x-answer")} ${url}`);
    for await (const page of client(server).collection<{ ID: number }>("Items").pages({ onResponse, readAhead: 0 })) events.push(`page ${page.value.map((item) => item.ID).join()}`);
    const root = server.url("svc/");
    assert.deepEqual(events, [`answer 200 GET /svc/Items ${root}Items`, "page 1", `answer 200 GET /svc/Items?$skiptoken=2 ${root}Items?$skiptoken=2`, "page 2"]);
    // With a page read ahead (the default), still once per page and in order.
    const { seen, onResponse: told } = recorder();
    assert.deepEqual(await client(server).collection<{ ID: number }>("Items").list({ onResponse: told }), [{ ID: 1 }, { ID: 2 }]);
    assert.deepEqual(seen, [`200 GET /svc/Items ${root}Items`, `200 GET /svc/Items?$skiptoken=2 ${root}Items?$skiptoken=2`]);
  });

  test("get(), countAll(), create(), update(), delete(), an action's invoke(), a function's get() and batch.send() each tell of their one answer", async (t) => {
    const server = await itemsService(t);
    const c = client(server);
    const root = server.url("svc/");
    const items = c.collection("Items");
    const calls: Array<[string, (onResponse: (answer: ResponseInfo) => void) => Promise<unknown>, string]> = [
      ["get()", (onResponse) => items.key(1).get({ onResponse }), `200 GET /svc/Items(1) ${root}Items(1)`],
      ["countAll()", (onResponse) => items.countAll({ onResponse }), `200 GET /svc/Items/$count ${root}Items/$count`],
      ["create()", (onResponse) => items.create({ ID: 3 }, { onResponse }), `201 POST /svc/Items ${root}Items`],
      ["update()", (onResponse) => items.key(1).update({ name: "x" }, { onResponse }), `204 PATCH /svc/Items(1) ${root}Items(1)`],
      ["delete()", (onResponse) => items.key(1).delete({ onResponse }), `204 DELETE /svc/Items(1) ${root}Items(1)`],
      ["invoke()", (onResponse) => c.action("submitOrder").invoke({ quantity: 2 }, { onResponse }), `200 POST /svc/submitOrder ${root}submitOrder`],
      ["function get()", (onResponse) => c.function("countBooks", { minStock: 1 }).get({ onResponse }), `200 GET /svc/countBooks(minStock=1) ${root}countBooks(minStock=1)`],
      [
        "send()",
        (onResponse) => {
          const batch = c.batch();
          batch.get(items.key(1));
          return batch.send({ onResponse });
        },
        `200 POST /svc/$batch ${root}$batch`,
      ],
    ];
    for (const [name, call, expected] of calls) {
      const { seen, onResponse } = recorder();
      await call(onResponse);
      assert.deepEqual(seen, [expected], name);
    }
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path}`),
      calls.map(([, , expected]) => expected.split(" ").slice(1, 3).join(" ")),
      "one request each",
    );
  });

  test("a function's paged result tells of each page's answer; partitions(n) of its count's and probes', not of $metadata's", async (t) => {
    const server = await itemsService(t);
    const c = client(server);
    const root = server.url("svc/");
    const paged = recorder();
    assert.deepEqual(await c.function("listBooks").get({ onResponse: paged.onResponse }), [1, 2]);
    assert.deepEqual(paged.seen, [`200 GET /svc/listBooks() ${root}listBooks()`, `200 GET /svc/listBooks()?$skiptoken=2 ${root}listBooks()?$skiptoken=2`]);
    const plan = recorder();
    const partitions = await c.collection("Items").partitions(2, { key: "ID", onResponse: plan.onResponse });
    assert.equal(partitions.length, 2);
    const sent = server.requests.slice(2).map((r) => `${r.method} ${r.path}`);
    assert.ok(sent.includes("GET /svc/$metadata"), sent.join());
    // Every request of the plan but $metadata, each told of once (the count and the probe run at once).
    assert.deepEqual(
      plan.seen.map((line) => line.split(" ").slice(1, 3).join(" ")).sort(),
      sent.filter((line) => line !== "GET /svc/$metadata").sort(),
    );
    assert.ok(plan.seen.length >= 2, plan.seen.join());
  });

  test("an answer after a redirect and after a retry: one call, the last hop's URL, the last attempt's status", async (t) => {
    const server = await itemsService(t);
    const c = client(server, { retry: { retries: 2, delay: 1 } });
    const root = server.url("svc/");
    const moved = recorder();
    await c.collection("Moved").key(1).get({ onResponse: moved.onResponse });
    assert.deepEqual(moved.seen, [`200 GET /svc/Items(1) ${root}Items(1)`]);
    const flaky = recorder();
    await c.collection("Flaky").key(1).get({ onResponse: flaky.onResponse });
    assert.deepEqual(flaky.seen, [`200 GET /svc/Flaky(1) ${root}Flaky(1)`]);
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path}`),
      ["GET /svc/Moved(1)", "GET /svc/Items(1)", "GET /svc/Flaky(1)", "GET /svc/Flaky(1)"],
    );
  });

  test("after a redirect, a fetch that makes each answer anew (no url of its own): the last hop's URL, not the first's", async (t) => {
    const server = await itemsService(t);
    // As instrumentation does: the answer made again, here with a header of its own; its url is "".
    const remade: typeof fetch = async (input, init) => {
      const answered = await fetch(input, init);
      const headers = new Headers(answered.headers);
      headers.set("x-seen", "yes");
      return new Response(answered.body, { status: answered.status, statusText: answered.statusText, headers });
    };
    const root = server.url("svc/");
    const moved = recorder();
    assert.deepEqual(await client(server, { fetch: remade }).collection("Moved").key(1).get({ onResponse: moved.onResponse }), { ID: 1 });
    assert.deepEqual(moved.seen, [`200 GET /svc/Items(1) ${root}Items(1)`]);
    const plain = recorder();
    await client(server, { fetch: remade }).collection("Items").key(1).get({ onResponse: plain.onResponse });
    assert.deepEqual(plain.seen, [`200 GET /svc/Items(1) ${root}Items(1)`]);
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path}`),
      ["GET /svc/Moved(1)", "GET /svc/Items(1)", "GET /svc/Items(1)"],
    );
  });

  test("an error answer is told of before the call rejects with its error", async (t) => {
    const server = await itemsService(t);
    const { seen, onResponse } = recorder();
    await assert.rejects(client(server).collection("Nothing").key(1).get({ onResponse }), { code: "HTTP_ERROR", status: 404 });
    assert.deepEqual(seen, [`404 GET /svc/Nothing(1) ${server.url("svc/Nothing(1)")}`]);
  });

  test("a write on a service that wants a CSRF token: the token fetch is not the write's answer and is not told of", async (t) => {
    const server = await startServer((request, res) => {
      if (request.headers["x-csrf-token"] === "Fetch") return answer(res, request, 200, {}, { "x-csrf-token": "tok-1" });
      if (request.headers["x-csrf-token"] === "tok-1") return answer(res, request, 201, { ID: 1 });
      sendText(res, 403, "CSRF token validation failed", { "x-csrf-token": "Required" });
    });
    t.after(() => server.close());
    const { seen, onResponse } = recorder();
    assert.deepEqual(await client(server, { csrf: true }).collection("Items").create({ ID: 1 }, { onResponse }), { ID: 1 });
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path} ${r.headers["x-csrf-token"]}`),
      ["GET /svc/ Fetch", "POST /svc/Items tok-1"],
    );
    assert.deepEqual(seen, [`201 POST /svc/Items ${server.url("svc/Items")}`]);
  });

  test("a read by a client with OAuth2 credentials: the token request is not the read's answer and is not told of", async (t) => {
    const server = await startServer((request, res) => {
      if (request.path === "/token") return sendJson(res, 200, { access_token: "at-1", token_type: "Bearer", expires_in: 3600 });
      if (request.headers.authorization === "Bearer at-1") return answer(res, request, 200, { ID: 1 });
      sendText(res, 401, "no token");
    });
    t.after(() => server.close());
    const { seen, onResponse } = recorder();
    const oauth2 = { tokenUrl: server.url("token"), clientId: "app", clientSecret: "s3cret" };
    assert.deepEqual(await client(server, { auth: { oauth2 } }).collection("Items").key(1).get({ onResponse }), { ID: 1 });
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path}`),
      ["POST /token", "GET /svc/Items(1)"],
    );
    assert.deepEqual(seen, [`200 GET /svc/Items(1) ${server.url("svc/Items(1)")}`]);
  });

  test("a poller tells of the start's answer and of each poll's, the result's and a cancel's", async (t) => {
    const server = await itemsService(t);
    const root = server.url("svc/");
    const { seen, onResponse } = recorder();
    const poller = await client(server).collection("Items").createAsync({ ID: 7 }, { onResponse, pollInterval: 1 });
    assert.deepEqual(await poller.wait(), { ID: 7 });
    assert.deepEqual(seen, [`202 POST /svc/Items ${root}Items`, `202 GET /svc/Jobs(1) ${root}Jobs(1)`, `200 GET /svc/Jobs(1) ${root}Jobs(1)`]);
    const elsewhere = recorder();
    const order = await client(server).collection("Orders").createAsync({ ID: 2 }, { onResponse: elsewhere.onResponse, pollInterval: 1 });
    assert.deepEqual(await order.wait(), { ID: 2 });
    assert.deepEqual(elsewhere.seen, [`202 POST /svc/Orders ${root}Orders`, `303 GET /svc/Jobs(2) ${root}Jobs(2)`, `200 GET /svc/Results(2) ${root}Results(2)`]);
    const cancelled = recorder();
    const other = await client(server).collection("Items").createAsync({ ID: 8 }, { onResponse: cancelled.onResponse, pollInterval: 1 });
    await other.cancel();
    assert.deepEqual(cancelled.seen, [`202 POST /svc/Items ${root}Items`, `204 DELETE /svc/Jobs(1) ${root}Jobs(1)`]);
  });

  test("it is called once the headers have come, before the body is read", async (t) => {
    let release: (() => void) | undefined;
    const server = await startServer((_request, res) => {
      const rest = '{"ID":2}]}';
      const start = '{"value":[{"ID":1},';
      res.writeHead(200, { "content-type": "application/json", "content-length": String(start.length + rest.length), "x-held": "yes" });
      res.write(start);
      // The rest of the body comes only after the client was told of the answer.
      release = () => res.end(rest);
    });
    t.after(() => server.close());
    const held: string[] = [];
    const items = await client(server).collection<{ ID: number }>("Items").list({
      onResponse: ({ headers }) => {
        held.push(headers.get("x-held") ?? "");
        release?.();
      },
    });
    assert.deepEqual(items, [{ ID: 1 }, { ID: 2 }]);
    assert.deepEqual(held, ["yes"]);
  });

  test("a promise it returns is waited for before the body is read; its rejection rejects the call", async (t) => {
    const server = await itemsService(t);
    const events: string[] = [];
    const items = client(server).collection<{ ID: number }>("Items");
    const onResponse = async ({ url }: ResponseInfo) => {
      events.push(`told ${new URL(url).search || "first"}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
      events.push("settled");
    };
    for await (const page of items.pages({ readAhead: 0, onResponse })) events.push(`page ${page.value[0]?.ID}`);
    assert.deepEqual(events, ["told first", "settled", "page 1", "told ?$skiptoken=2", "settled", "page 2"]);
    const refused = new Error("logger down");
    await assert.rejects(items.key(1).get({ onResponse: async () => Promise.reject(refused) }), (error) => error === refused);
  });

  test("what it throws rejects the call with that very error: a read, a page of a walk, a write, an operation", async (t) => {
    const server = await itemsService(t);
    const c = client(server);
    const boom = new Error("a bug in the caller's callback");
    const throwing = () => {
      throw boom;
    };
    const thrown = (error: unknown) => error === boom;
    await assert.rejects(c.collection("Items").key(1).get({ onResponse: throwing }), thrown);
    await assert.rejects(c.collection("Items").create({ ID: 3 }, { onResponse: throwing }), thrown);
    await assert.rejects(c.action("submitOrder").invoke({ quantity: 1 }, { onResponse: throwing }), thrown);
    // On the second page: the first was handed out, the walk then rejects with the callback's error.
    const pages: number[] = [];
    await assert.rejects(
      (async () => {
        for await (const page of c.collection<{ ID: number }>("Items").pages({ onResponse: ({ url }) => (url.includes("skiptoken") ? throwing() : undefined) })) pages.push(page.value[0]!.ID);
      })(),
      thrown,
    );
    assert.deepEqual(pages, [1]);
  });

  test("a value that is no function is refused naming the call, before anything is sent", async (t) => {
    const server = await itemsService(t);
    const c = client(server);
    const items = c.collection("Items");
    const bad = "log" as never;
    const refusals: Array<[string, () => Promise<unknown>]> = [
      ["get()", () => items.key(1).get({ onResponse: bad })],
      ["first()", () => items.first({ onResponse: bad })],
      ["countAll()", () => items.countAll({ onResponse: bad })],
      ["list()", () => items.list({ onResponse: bad })],
      ["create(entity)", () => items.create({ ID: 1 }, { onResponse: bad })],
      ["update(patch)", () => items.key(1).update({ name: "x" }, { onResponse: bad })],
      ["delete()", () => items.key(1).delete({ onResponse: bad })],
      ["media().bytes()", () => items.key(1).media().bytes({ onResponse: bad })],
      ['action("submitOrder").invoke()', () => c.action("submitOrder").invoke({ quantity: 1 }, { onResponse: bad })],
      ['function("countBooks").get()', () => c.function("countBooks", { minStock: 1 }).get({ onResponse: bad })],
      ["createAsync(body)", () => items.createAsync({ ID: 1 }, { onResponse: bad })],
      ["partitions(n)", () => items.partitions(2, { key: "ID", onResponse: bad })],
      [
        "send()",
        () => {
          const batch = c.batch();
          batch.get(items.key(1));
          return batch.send({ onResponse: bad });
        },
      ],
    ];
    for (const [where, call] of refusals) {
      await assert.rejects(call(), (error: unknown) => {
        assert.ok(error instanceof TypeError, `${where}: ${String(error)}`);
        assert.ok(error.message.startsWith(`${where}: option "onResponse" must be a function; got `), error.message);
        return true;
      });
    }
    assert.deepEqual(server.requests, [], "nothing was sent");
  });

  test("metadata() and the requests of a $batch take none: each refuses it, saying where to give it", async (t) => {
    const server = await itemsService(t);
    const c = client(server);
    const onResponse = () => {};
    await assert.rejects(c.metadata({ onResponse } as never), { name: "TypeError", message: 'metadata(): option "onResponse" is not taken: the $metadata request is shared by its callers' });
    const batch = c.batch();
    batch.create(c.collection("Items"), { ID: 1 }, { onResponse } as never);
    await assert.rejects(batch.send(), {
      name: "TypeError",
      message: 'create(entity): option "onResponse" is not taken by a request in a $batch, which is never sent alone: give it to batch.send() or batch.sendAsync()',
    });
    assert.deepEqual(server.requests, []);
  });
});
