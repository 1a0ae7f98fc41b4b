/**
 * The demo service's delta read (`Orders?$deltatoken=…`, demo/order-requests.ts), over HTTP on
 * 127.0.0.1. It ignored `$top`, `$skip` and `$count` added to a delta link and answered every change
 * as if they were not there. OData 4.01 Part 1 §11.3 (Using Delta Links) says a client MUST NOT append
 * system query options to a delta link, and a delta link never carries a client's top or skip: the
 * service now refuses each with 400, naming it. And `Orders/$count?$deltatoken=…`, the count of a
 * delta link's changes the same section defines, counted every order: it now counts the changes.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startDemoService, type DemoService } from "../demo/service.js";

interface Answer {
  status: number;
  body: { value?: unknown[]; "@deltaLink"?: string; "@odata.deltaLink"?: string; error?: { code: string; message: string; target?: string } };
}

let service: DemoService;
let root: string;
let session: Record<string, string>;
/** Every request the service answered, `METHOD url status`, the URL as it arrived. */
const answered: string[] = [];

before(async () => {
  service = await startDemoService({ productCount: 20, onRequest: (method, url, status) => answered.push(`${method} ${url} ${status}`) });
  root = service.serviceUrl;
  const fetched = await fetch(root, { headers: { "X-CSRF-Token": "Fetch" } });
  await fetched.text();
  session = { "X-CSRF-Token": fetched.headers.get("x-csrf-token") as string, Cookie: (fetched.headers.get("set-cookie") as string).split(";")[0] as string };
});
after(() => service.close());

async function get(path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${root}${path}`, { headers });
  return { status: response.status, body: (await response.json()) as Answer["body"] };
}

/** The delta token of a tracked read of the orders as they are now. */
async function deltaToken(): Promise<string> {
  const read = await fetch(`${root}Orders`, { headers: { Prefer: "odata.track-changes, odata.maxpagesize=1000" } });
  const body = (await read.json()) as Answer["body"];
  const match = /\$deltatoken=(\d+)$/.exec(body["@odata.deltaLink"] ?? "");
  assert.ok(match, `a delta link: ${JSON.stringify(body)}`);
  return match[1] as string;
}

/** Creates two orders and deletes the first of the orders there were: three changes. Resolves with its ID. */
async function threeChanges(): Promise<number> {
  const before = (await get("Orders")).body.value as { ID: number }[];
  const firstId = (before[0] as { ID: number }).ID;
  for (const order of [{ customer: "Ada", productID: 2, quantity: 1 }, { customer: "Linus", productID: 3, quantity: 4 }]) {
    const created = await fetch(`${root}Orders`, { method: "POST", headers: { ...session, "Content-Type": "application/json" }, body: JSON.stringify(order) });
    assert.equal(created.status, 201);
    await created.text();
  }
  const first = await fetch(`${root}Orders(${firstId})`);
  const etag = first.headers.get("etag") as string;
  await first.text();
  const removed = await fetch(`${root}Orders(${firstId})`, { method: "DELETE", headers: { ...session, "If-Match": etag } });
  assert.equal(removed.status, 204);
  return firstId;
}

test("$top, $skip and $count added to a delta link are refused 400, naming the option; the link alone answers every change", async () => {
  const token = await deltaToken();
  const removedId = await threeChanges();
  for (const [option, name] of [["$top=1", "$top"], ["$skip=1", "$skip"], ["$count=true", "$count"], ["$Top=1", "$Top"]] as const) {
    answered.length = 0;
    const refused = await get(`Orders?$deltatoken=${token}&${option}`);
    assert.equal(refused.status, 400, option);
    const named = name.toLowerCase();
    assert.deepEqual(refused.body.error, { code: "InvalidQuery", message: `${named} cannot be added to a delta link ($deltatoken): a delta link is used as the service sent it`, target: named }, option);
    assert.deepEqual(answered, [`GET /odata/v4/demo/Orders?$deltatoken=${token}&${option} 400`], option);
  }
  // Without them, the delta link answers the three changes (4.01 form: the removal last).
  const changes = await get(`Orders?$deltatoken=${token}`);
  assert.equal(changes.status, 200);
  assert.equal(changes.body.value?.length, 3);
  assert.deepEqual(changes.body.value?.[2], { "@removed": { reason: "deleted" }, "@id": `Orders(${removedId})`, ID: removedId });
});

test("Orders/$count with a delta link's $deltatoken counts its changes, not the orders", async () => {
  const token = await deltaToken();
  answered.length = 0;
  const none = await fetch(`${root}Orders/$count?$deltatoken=${token}`);
  assert.equal(none.status, 200);
  assert.equal(await none.text(), "0");
  await threeChanges();
  const all = await fetch(`${root}Orders/$count`);
  const orders = Number(await all.text());
  const counted = await fetch(`${root}Orders/$count?$deltatoken=${token}`);
  assert.equal(counted.status, 200);
  assert.equal(await counted.text(), "3");
  assert.notEqual(orders, 3, "the orders are not three: the count is of the changes");
  const refused = await get("Orders/$count?$deltatoken=999999");
  assert.equal(refused.status, 400);
  assert.equal(refused.body.error?.code, "InvalidDeltaToken");
});
