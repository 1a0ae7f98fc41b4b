// A JSON batch answer reached through a status monitor's 303 See Other: its relative next link
// resolves against the URL the 303 led to (the URL that answered, JSON Format §4.6), not against
// the monitor's. The poller's succeeded phase keeps the URL its result came from, and its token too.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ODataClient } from "../src/index.js";
import { json, serve, type Reply } from "./batch-server.js";

test("sendAsync(): a relative next link of the answer a monitor's 303 led to is read against the 303's target", async (t) => {
  const service = await serve((request): Reply => {
    if (request.method === "POST") return { status: 202, headers: { Location: "/svc/monitor" } };
    if (request.url === "/svc/monitor") return { status: 303, headers: { Location: "/svc/results/1" } };
    if (request.url === "/svc/results/1") {
      return { status: 200, headers: json, body: JSON.stringify({ responses: [{ id: "1", status: 200, headers: json, body: { ID: 1 } }], "@nextLink": "more?page=2" }) };
    }
    if (request.url === "/svc/results/more?page=2") return { status: 200, headers: json, body: JSON.stringify({ responses: [{ id: "2", status: 200, headers: json, body: { ID: 2 } }] }) };
    return { status: 404, headers: json, body: '{"error":{"code":"404","message":"no such page"}}' };
  });
  t.after(service.close);
  const client = new ODataClient({ serviceUrl: service.url, retry: false });
  const batch = client.batch({ format: "json" });
  const books = client.collection<{ ID: number }>("Books");
  const first = batch.get(books.key(1));
  const second = batch.get(books.key(2));
  await (await batch.sendAsync({ pollInterval: 1 })).wait();
  assert.deepEqual(
    service.seen.map((seen) => `${seen.method} ${seen.url}`),
    ["POST /svc/$batch", "GET /svc/monitor", "GET /svc/results/1", "GET /svc/results/more?page=2"],
  );
  assert.deepEqual([first.result(), second.result()].map((result) => (result as { value?: unknown }).value), [{ ID: 1 }, { ID: 2 }]);
});

test("a poller whose monitor's 303 led to its result keeps that URL in its token, and a poller resumed from the token keeps it too", async (t) => {
  const service = await serve((request): Reply => {
    if (request.url === "/svc/monitor") return { status: 303, headers: { Location: "/svc/results/1" } };
    if (request.url === "/svc/results/1") return { status: 200, headers: json, body: JSON.stringify({ ID: 1 }) };
    return { status: 404, headers: json, body: '{"error":{"code":"404","message":"no such page"}}' };
  });
  t.after(service.close);
  const client = new ODataClient({ serviceUrl: service.url, retry: false });
  const poller = client.asyncPoller<{ ID: number }>(`${service.url}monitor`, { pollInterval: 1 });
  assert.deepEqual(await poller.wait(), { ID: 1 });
  const token = JSON.parse(JSON.stringify(poller.toJSON())) as { resultUrl?: string; outcome?: string };
  assert.equal(token.outcome, "succeeded");
  assert.equal(token.resultUrl, `${service.url}results/1`);
  const again = client.resumeAsync<{ ID: number }>(token as never);
  assert.deepEqual(again.result(), { ID: 1 });
  assert.equal((again.toJSON() as { resultUrl?: string }).resultUrl, `${service.url}results/1`);
  assert.deepEqual(
    service.seen.map((seen) => `${seen.method} ${seen.url}`),
    ["GET /svc/monitor", "GET /svc/results/1"],
  );
});
