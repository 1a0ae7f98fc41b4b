// `first()` on a service whose first page is empty but names a next page: server-driven paging
// allows such a page (Microsoft Graph's signIns and delta rounds send them), so "no entity" is
// known only at the end of the next links. first() follows them as a walk does (the same origin
// rule and loop check) and stops at the first entity.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataClientError } from "../src/index.js";
import { ODataReader } from "../src/read.js";
import { sendJson, sendText, startServer, type RecordingServer } from "./servers/recording-server.js";

/**
 * `/svc/Items`: the page of skip token k holds the entities `pages[k]` gives (an empty list for an
 * empty page) and links to page k + 1 while there is one; `link` may name another next link.
 */
async function pagedService(pages: ReadonlyArray<ReadonlyArray<{ ID: number }>>, link?: (k: number) => string): Promise<RecordingServer> {
  return startServer((request, res) => {
    if (request.path.startsWith("/ping")) return sendText(res, 200, "pong");
    const k = Number(new URL(request.path, "http://x").searchParams.get("$skiptoken") ?? 0);
    const body: Record<string, unknown> = { value: pages[k] ?? [] };
    if (k + 1 < pages.length) body["@odata.nextLink"] = link?.(k) ?? `Items?$top=1&$skiptoken=${k + 1}`;
    sendJson(res, 200, body);
  });
}

async function settle(server: RecordingServer): Promise<void> {
  await (await fetch(server.url("ping"))).text();
  await new Promise((resolve) => setTimeout(resolve, 50));
}

const pagePaths = (server: RecordingServer): string[] => server.requests.map((request) => decodeURIComponent(request.path)).filter((path) => !path.startsWith("/ping"));

test("first() follows empty pages' next links to the first entity, and reads no page after it", async (t) => {
  const server = await pagedService([[], [], [{ ID: 7 }, { ID: 8 }], [{ ID: 9 }]]);
  t.after(() => server.close());
  for (const items of [new ODataClient({ serviceUrl: server.url("svc/"), retry: false }).collection("Items"), new ODataReader({ serviceUrl: server.url("svc/"), retry: false }).collection("Items")]) {
    server.requests.length = 0;
    assert.deepEqual(await items.first(), { ID: 7 });
    await settle(server);
    assert.deepEqual(pagePaths(server), ["/svc/Items?$top=1", "/svc/Items?$top=1&$skiptoken=1", "/svc/Items?$top=1&$skiptoken=2"]);
  }
});

test("first() gives undefined only at the end of the next links", async (t) => {
  const server = await pagedService([[], []]);
  t.after(() => server.close());
  const items = new ODataClient({ serviceUrl: server.url("svc/"), retry: false }).collection("Items");
  assert.equal(await items.first(), undefined);
  await settle(server);
  assert.deepEqual(pagePaths(server), ["/svc/Items?$top=1", "/svc/Items?$top=1&$skiptoken=1"]);
});

test("first() over empty pages keeps the walk's checks: a next link back to a page read is NEXT_LINK_LOOP, one to another origin UNTRUSTED_NEXT_LINK", async (t) => {
  const looping = await pagedService([[], [], [{ ID: 1 }]], () => "Items?$top=1");
  t.after(() => looping.close());
  await assert.rejects(new ODataClient({ serviceUrl: looping.url("svc/"), retry: false }).collection("Items").first(), (error: unknown) => error instanceof ODataClientError && error.code === "NEXT_LINK_LOOP");
  await settle(looping);
  assert.deepEqual(pagePaths(looping), ["/svc/Items?$top=1"]);

  const leaving = await pagedService([[], [{ ID: 1 }]], () => "https://elsewhere.example/svc/Items?$skiptoken=1");
  t.after(() => leaving.close());
  await assert.rejects(new ODataClient({ serviceUrl: leaving.url("svc/"), retry: false }).collection("Items").first(), (error: unknown) => error instanceof ODataClientError && error.code === "UNTRUSTED_NEXT_LINK");
  await settle(leaving);
  assert.deepEqual(pagePaths(leaving), ["/svc/Items?$top=1"]);
});
