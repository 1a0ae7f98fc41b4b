// `top(n)` bounds a walk: OData 4.01 URL Conventions §5.1.4 says `$top` limits the items returned
// in total, while Microsoft Graph reads it as a page size and keeps sending next links
// (`GET /users?$top=5` gives 5 users and a nextLink with `$top=5&$skiptoken=…`). A walk from the
// query hands out at most n entities and sends no request past the page that reaches n; a walk
// resumed from a saved link cannot know what was read before it and is left unbounded.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient } from "../src/index.js";
import { ODataReader } from "../src/read.js";
import { DEFAULT_BUFFER_LIMIT } from "../src/payload/collection-body.js";
import { sendJson, sendText, startServer, type RecordingServer } from "./servers/recording-server.js";

const TENANT = 23;

interface User {
  id: string;
}

/**
 * Graph's paging of `/v1.0/users`: a page holds `$top` users (or `pageSize` where given, which
 * ignores `$top`, as a service that pages by its own size does) and links to the next one, before
 * its `value` as Graph writes it or, with `trailing`, after it (which lets a walk request the next
 * page while it parses this one).
 */
async function graphUsers(pageSize?: number, trailing = false): Promise<RecordingServer> {
  return startServer((request, res) => {
    if (request.path.startsWith("/ping")) return sendText(res, 200, "pong");
    const url = new URL(request.path, "http://x");
    const size = pageSize ?? Number(url.searchParams.get("$top") ?? 100);
    const at = Number(url.searchParams.get("$skiptoken")?.slice(2) ?? 0);
    const value = Array.from({ length: Math.max(0, Math.min(size, TENANT - at)) }, (_, i) => ({ id: `u${at + i + 1}` }));
    const top = url.searchParams.get("$top");
    const next = at + size < TENANT ? { "@odata.nextLink": `users?${top === null ? "" : `$top=${top}&`}$skiptoken=RF${at + size}` } : {};
    sendJson(res, 200, trailing ? { "@odata.context": "$metadata#users", value, ...next } : { "@odata.context": "$metadata#users", ...next, value });
  });
}

/** A round trip to the server and a pause: time for a request the client should not send. */
async function settle(server: RecordingServer): Promise<void> {
  await (await fetch(server.url("ping"))).text();
  await new Promise((resolve) => setTimeout(resolve, 50));
}

const pagePaths = (server: RecordingServer): string[] => server.requests.map((request) => decodeURIComponent(request.path)).filter((path) => !path.startsWith("/ping"));

const idsOf = (users: readonly User[]): string[] => users.map((user) => user.id);

test("top(5).list() on a service that reads $top as a page size gives 5 entities from one request", async (t) => {
  const server = await graphUsers();
  t.after(() => server.close());
  const users = new ODataClient({ serviceUrl: server.url("v1.0/"), retry: false }).collection<User>("users");
  assert.deepEqual(idsOf(await users.top(5).list()), ["u1", "u2", "u3", "u4", "u5"]);
  await settle(server);
  assert.deepEqual(pagePaths(server), ["/v1.0/users?$top=5"]);
});

test("top(5).stream() and for await stop at 5 entities, with no read-ahead of the next page", async (t) => {
  const server = await graphUsers(undefined, true);
  t.after(() => server.close());
  const users = new ODataReader({ serviceUrl: server.url("v1.0/"), retry: false }).collection<User>("users");
  const streamed: User[] = [];
  for await (const user of users.top(5).stream()) streamed.push(user);
  await settle(server);
  assert.deepEqual(idsOf(streamed), ["u1", "u2", "u3", "u4", "u5"]);
  assert.deepEqual(pagePaths(server), ["/v1.0/users?$top=5"]);
  // The consumer slower than the network: read-ahead would have the next page requested by now.
  const iterated: User[] = [];
  for await (const user of users.top(5)) {
    iterated.push(user);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await settle(server);
  assert.deepEqual(idsOf(iterated), ["u1", "u2", "u3", "u4", "u5"]);
  assert.deepEqual(pagePaths(server), ["/v1.0/users?$top=5", "/v1.0/users?$top=5"]);
});

test("pages() of top(7) over pages of 3 cuts the last page to what is left, without its nextLink", async (t) => {
  const server = await graphUsers(3);
  t.after(() => server.close());
  const users = new ODataClient({ serviceUrl: server.url("v1.0/"), retry: false }).collection<User>("users");
  for (const readAhead of [0, 1, 3]) {
    server.requests.length = 0;
    const pages: Array<{ ids: string[]; nextLink: string | undefined }> = [];
    for await (const page of users.top(7).pages({ readAhead })) pages.push({ ids: idsOf(page.value), nextLink: page.nextLink });
    await settle(server);
    assert.deepEqual(
      pages.map((page) => page.ids),
      [["u1", "u2", "u3"], ["u4", "u5", "u6"], ["u7"]],
      `readAhead ${readAhead}`,
    );
    assert.equal(pages[0]?.nextLink, server.url("v1.0/users?$top=7&$skiptoken=RF3"));
    assert.equal(pages[2]?.nextLink, undefined, `readAhead ${readAhead}: the cut page names no next page`);
    assert.deepEqual(pagePaths(server), ["/v1.0/users?$top=7", "/v1.0/users?$top=7&$skiptoken=RF3", "/v1.0/users?$top=7&$skiptoken=RF6"], `readAhead ${readAhead}`);
  }
  // top(0): the one request, nothing handed out.
  server.requests.length = 0;
  assert.deepEqual(await users.top(0).list(), []);
  await settle(server);
  assert.deepEqual(pagePaths(server), ["/v1.0/users?$top=0"]);
});

test("a walk resumed from a saved next link is not bounded by top(n): it reads to the end", async (t) => {
  const server = await graphUsers();
  t.after(() => server.close());
  const users = new ODataClient({ serviceUrl: server.url("v1.0/"), retry: false }).collection<User>("users").top(5);
  // page() reads one page and keeps its next link, to resume from.
  const first = await users.page();
  assert.deepEqual(idsOf(first.value), ["u1", "u2", "u3", "u4", "u5"]);
  assert.ok(first.nextLink);
  const rest = await users.list({ from: first.nextLink });
  assert.equal(rest.length, TENANT - 5);
  // And the walk from the query after it stops at 5 again.
  server.requests.length = 0;
  assert.equal((await users.list()).length, 5);
  await settle(server);
  assert.deepEqual(pagePaths(server), ["/v1.0/users?$top=5"]);
});

test("a cut that falls inside a page too large to parse whole reads no more of it, and that page carries no count (as the README says)", { timeout: 60_000 }, async (t) => {
  // One unpaged answer of rows enough to outgrow the reader's buffer, its count before value.
  const filler = "x".repeat(280);
  const rowCount = Math.ceil((DEFAULT_BUFFER_LIMIT * 1.25) / 300);
  const server = await startServer(async (_request, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.write(`{"@odata.count":${rowCount},"value":[`);
    for (let at = 0; at < rowCount && !res.destroyed; at += 1000) {
      const rows = [];
      for (let id = at; id < Math.min(at + 1000, rowCount); id++) rows.push(JSON.stringify({ ID: id, Text: filler }));
      if (!res.write((at === 0 ? "" : ",") + rows.join(","))) await new Promise((resolve) => res.once("drain", resolve));
    }
    res.end("]}");
  });
  t.after(() => server.close());
  const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false });
  const pages = [];
  for await (const page of client.collection<{ ID: number }>("Items").count().top(3).pages()) pages.push(page);
  assert.equal(pages.length, 1);
  assert.deepEqual(pages[0]!.value.map((row) => row.ID), [0, 1, 2]);
  assert.equal(pages[0]!.count, undefined);
  assert.equal(pages[0]!.nextLink, undefined);
  // The whole page, uncut, gives its count.
  let whole: number | undefined;
  for await (const page of client.collection<{ ID: number }>("Items").count().top(rowCount).pages()) whole = page.count;
  assert.equal(whole, rowCount);
});
