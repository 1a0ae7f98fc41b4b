// Services that answer to harm the client, against node:http servers on 127.0.0.1: a next link that
// differs only in its #fragment (the walk and delta read the same page forever), OData v2 JSON
// nested thousands of levels deep (a bare RangeError from the stack), an answer nested so deep that
// the command line's output overflows the stack (taken for a usage error, exit 2), endless `$count`
// and entity bodies (memory without bound; `timeout` does not stop a body that keeps coming), and a
// delta removal whose "__proto__" member became its key's prototype.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { ODataClient, type ODataClientOptions } from "../src/index.js";
import { exitCodeOf } from "../src/cli/errors.js";
import { cliInProcess } from "./cli-in-process.js";
import { clientRejection, sendJson, sendText, startServer, type Handler, type RecordingServer } from "./servers/recording-server.js";

async function serve(t: { after(fn: () => Promise<void>): void }, handler: Handler): Promise<RecordingServer> {
  const server = await startServer(handler);
  t.after(() => server.close());
  return server;
}

function clientFor(server: RecordingServer, options: Partial<ODataClientOptions> = {}): ODataClient {
  return new ODataClient({ serviceUrl: server.url("svc/"), retry: false, ...options });
}

const paths = (server: RecordingServer): string[] => server.requests.map((r) => r.path);


/** `{"a":{"a":...1...}}`, `levels` objects deep. */
const nested = (levels: number): string => '{"a":'.repeat(levels) + "1" + "}".repeat(levels);

/** Writes `head`, then 1 MiB of `fill` after 1 MiB for as long as the client reads; resolves `closed` when it stops reading. */
function endless(res: ServerResponse, contentType: string, head: string, fill: string): Promise<void> {
  res.writeHead(200, { "content-type": contentType });
  res.write(head);
  const chunk = fill.repeat(1 << 20);
  const timer = setInterval(() => res.write(chunk), 1);
  return new Promise((resolve) =>
    res.on("close", () => {
      clearInterval(timer);
      resolve();
    }),
  );
}

describe("a next link that differs only in its #fragment", () => {
  test("a walk whose every page links to the same page with a new #n rejects with NEXT_LINK_LOOP after reading it once", async (t) => {
    let hits = 0;
    const server = await serve(t, (_request, res) => {
      hits++;
      sendJson(res, 200, { value: [{ ID: hits }], "@odata.nextLink": `Items?$skiptoken=1#${hits}` });
    });
    const pages: unknown[] = [];
    const error = await clientRejection(
      (async () => {
        for await (const page of clientFor(server).collection("Items").pages()) {
          pages.push(page.value);
          if (pages.length > 50) break;
        }
      })(),
    );
    assert.equal(error.code, "NEXT_LINK_LOOP");
    assert.match(error.message, /Items\?\$skiptoken=1\)/);
    assert.deepEqual(pages, [[{ ID: 1 }], [{ ID: 2 }]]);
    // (The early GET of the next page goes by the same key: the loop is never requested.)
    assert.deepEqual(paths(server), ["/svc/Items", "/svc/Items?$skiptoken=1"]);
  });

  test("the same with readAhead 0 and with stream()", async (t) => {
    let hits = 0;
    const server = await serve(t, (_request, res) => {
      hits++;
      sendJson(res, 200, { value: [{ ID: hits }], "@odata.nextLink": `Items?$skiptoken=1#${hits}` });
    });
    for (const walk of [() => clientFor(server).collection("Items").pages({ readAhead: 0 }), () => clientFor(server).collection("Items").stream()]) {
      server.requests.length = 0;
      const error = await clientRejection(
        (async () => {
          let n = 0;
          for await (const _ of walk() as AsyncIterable<unknown>) if (++n > 50) break;
        })(),
      );
      assert.equal(error.code, "NEXT_LINK_LOOP");
      assert.deepEqual(paths(server), ["/svc/Items", "/svc/Items?$skiptoken=1"]);
    }
  });

  test("a delta whose next links differ only in their #fragment rejects with NEXT_LINK_LOOP", async (t) => {
    let hits = 0;
    const server = await serve(t, (_request, res) => {
      hits++;
      sendJson(res, 200, { value: [{ ID: hits }], "@odata.nextLink": `Items?$skiptoken=1#${hits}` });
    });
    const changed: unknown[] = [];
    const error = await clientRejection(
      (async () => {
        for await (const page of clientFor(server).delta(server.url("svc/Items?$deltatoken=1#start"))) {
          changed.push(...page.changed);
          if (changed.length > 50) break;
        }
      })(),
    );
    assert.equal(error.code, "NEXT_LINK_LOOP");
    assert.deepEqual(changed, [{ ID: 1 }, { ID: 2 }]);
    assert.deepEqual(paths(server), ["/svc/Items?$deltatoken=1", "/svc/Items?$skiptoken=1"]);
  });
});

describe("OData v2 JSON nested 10,000 levels deep", () => {
  const depth = 10_000;
  const deep = '{"a":'.repeat(depth) + '"/Date(0)/"' + "}".repeat(depth);
  /** The innermost value of `deep`, reached through its `a` members. */
  const innermost = (value: unknown): unknown => {
    for (let i = 0; i < depth; i++) value = (value as { a: unknown }).a;
    return value;
  };
  const v2Service = (t: Parameters<typeof serve>[0]) =>
    serve(t, (request, res) => {
      if (request.path.includes("Items(1)")) return sendText(res, 200, `{"d":{"ID":1,"x":${deep}}}`, { "content-type": "application/json" });
      if (request.path.includes("deltatoken")) return sendText(res, 200, `{"d":{"results":[{"ID":1,"x":${deep}}],"__delta":"Items?!deltatoken=2"}}`, { "content-type": "application/json" });
      sendText(res, 200, `{"d":{"results":[{"ID":1},{"ID":2,"x":${deep}}]}}`, { "content-type": "application/json" });
    });

  test("page(), a walk, stream(), get() and a delta read it whole, as JSON.parse did, its innermost date converted; no stack overflow", async (t) => {
    const server = await v2Service(t);
    const client = clientFor(server, { version: "2.0" });
    type Item = { ID: number; x?: unknown };
    const page = await client.collection<Item>("Items").page();
    assert.deepEqual(page.value.map((item) => item.ID), [1, 2]);
    assert.equal(innermost(page.value[1]?.x), "1970-01-01T00:00:00Z");
    const walked: Item[] = [];
    for await (const item of client.collection<Item>("Items").stream()) walked.push(item);
    assert.equal(innermost(walked[1]?.x), "1970-01-01T00:00:00Z");
    let pages = 0;
    for await (const _ of client.collection<Item>("Items").pages()) pages += 1;
    assert.equal(pages, 1);
    assert.equal(innermost((await client.collection<Item>("Items").key(1).get()).x), "1970-01-01T00:00:00Z");
    for await (const delta of client.delta<Item>(server.url("svc/Items?!deltatoken=1"))) assert.equal(innermost(delta.changed[0]?.x), "1970-01-01T00:00:00Z");
  });
});

describe("the command line and an answer too deep to process", () => {
  const cli = cliInProcess;

  test("get and query of a v4 entity nested 100,000 levels: exit 1 (an answer that cannot be processed), not 2 (usage)", async (t) => {
    const deep = nested(100_000);
    const server = await serve(t, (request, res) => {
      if (request.path.includes("$metadata")) return sendText(res, 404, "");
      if (request.path.includes("Items(1)")) return sendText(res, 200, `{"ID":1,"x":${deep}}`, { "content-type": "application/json" });
      sendText(res, 200, `{"value":[{"ID":1,"x":${deep}}]}`, { "content-type": "application/json" });
    });
    for (const args of [
      ["get", server.url("svc/"), "Items", "1"],
      ["query", server.url("svc/"), "Items"],
    ]) {
      const result = await cli(args);
      assert.equal(result.code, 1, `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, /too deep or too large to process \(Maximum call stack size exceeded\)/);
    }
  });

  test("a RangeError of the library's checks is still a usage error (exit 2); the engine's limits are not", () => {
    assert.equal(exitCodeOf(new RangeError('option "maxPageSize" must be a positive integer; got 0')), 2);
    assert.equal(exitCodeOf(new RangeError("Maximum call stack size exceeded")), 1);
    assert.equal(exitCodeOf(new RangeError("Invalid string length")), 1);
    assert.equal(exitCodeOf(new RangeError("Invalid array length")), 1);
  });
});

describe("endless bodies", () => {
  test("countAll() on a $count answer that never ends rejects with BAD_PAYLOAD naming the request after 1 KiB, and stops reading", { timeout: 30_000 }, async (t) => {
    let closed: Promise<void> | undefined;
    const server = await serve(t, (_request, res) => {
      closed = endless(res, "text/plain", "", "1");
    });
    const error = await clientRejection(clientFor(server, { timeout: 2_000 }).collection("Items").countAll());
    assert.equal(error.code, "BAD_PAYLOAD");
    assert.equal(error.message, `GET ${server.url("svc/Items/$count")} answered more than 1024 bytes`);
    await closed; // the client cancelled the body
    assert.deepEqual(paths(server), ["/svc/Items/$count"]);
  });

  test("a count of 1 KiB, its white space among it, is still read", async (t) => {
    const server = await serve(t, (_request, res) => sendText(res, 200, `${" ".repeat(1020)}42\r\n`));
    assert.equal(await clientFor(server).collection("Items").countAll(), 42);
  });

  test("get() of an entity whose answer never ends rejects with BAD_PAYLOAD after 64 MiB, and stops reading", { timeout: 30_000 }, async (t) => {
    let closed: Promise<void> | undefined;
    const server = await serve(t, (_request, res) => {
      closed = endless(res, "application/json", '{"ID":1,"x":"', "a");
    });
    const error = await clientRejection(clientFor(server, { timeout: 5_000 }).collection("Items").key(1).get());
    assert.equal(error.code, "BAD_PAYLOAD");
    assert.equal(error.message, `GET ${server.url("svc/Items(1)")} answered more than ${64 * 1024 * 1024} bytes`);
    await closed;
  });
  test("an OAuth2 token endpoint whose answer never ends is cut at 1 MiB with AUTH_FAILED naming auth.oauth2.tokenUrl and the limit; the service is never asked", { timeout: 30_000 }, async (t) => {
    let closed: Promise<void> | undefined;
    const server = await serve(t, (_request, res) => {
      closed = endless(res, "application/json", '{"access_token":"', "a");
    });
    const client = clientFor(server, { timeout: 5_000, auth: { oauth2: { tokenUrl: server.url("oauth/token"), clientId: "app", clientSecret: "s3cret" } } });
    const error = await clientRejection(client.collection("Items").page());
    assert.equal(error.code, "AUTH_FAILED");
    assert.equal(error.message, `the OAuth2 token endpoint POST ${server.url("oauth/token")} (option "auth.oauth2.tokenUrl") answered 200 with a body over 1 MiB, the limit of a token answer`);
    await closed;
    assert.deepEqual(paths(server), ["/oauth/token"]);
  });
});

describe("a delta removal's key", () => {
  test('a "__proto__" member stays a member of the key: the key\'s prototype is Object.prototype', async (t) => {
    const server = await serve(t, (_request, res) =>
      sendText(
        res,
        200,
        '{"value":[{"@removed":{"reason":"deleted"},"@id":"Items(1)","__proto__":{"evil":1},"ID":1}],"@odata.deltaLink":"Items?$deltatoken=2"}',
        { "content-type": "application/json" },
      ),
    );
    const pages = [];
    for await (const page of clientFor(server).delta(server.url("svc/Items?$deltatoken=1"))) pages.push(page);
    const key = pages[0]?.removed[0]?.key as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(key), Object.prototype);
    assert.deepEqual(Object.keys(key), ["__proto__", "ID"]);
    assert.deepEqual(Object.getOwnPropertyDescriptor(key, "__proto__")?.value, { evil: 1 });
    assert.equal(key["evil"], undefined);
    assert.equal(pages[0]?.removed[0]?.id, "Items(1)");
  });
});
