// OData v2 Atom: an expanded collection that the service pages inside `$expand` comes as an inline
// feed with its own `<link rel="next">` and `<m:count>`. The reader keeps them on the entity as
// v2 JSON's `__next` and `__count` are kept, with v4's names (`Items@odata.nextLink`, the link
// resolved against `xml:base` as a page's is, and `Items@odata.count`, a number); the rest is read
// with `navigate("Items").list({ from })`, and a write of the entity sends neither.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ODataClient } from "../src/index.js";
import { sendText, startServer, type RecordingServer } from "./servers/recording-server.js";

interface Order {
  ID: number;
  Note: string;
  Items: { ID: number }[];
}

const NAMESPACES = `xmlns="http://www.w3.org/2005/Atom" xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"`;
const RELATED = "http://schemas.microsoft.com/ado/2007/08/dataservices/related/";

const itemEntry = (id: number) =>
  `<entry><id>Items(${id})</id><link rel="edit" href="Items(${id})"/><content type="application/xml"><m:properties><d:ID m:type="Edm.Int32">${id}</d:ID></m:properties></content></entry>`;
const itemEntries = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => itemEntry(from + i)).join("");

/** An order entry whose Items are expanded inline; `feedExtra` goes into the inline feed (a next link, a count). */
const orderEntry = (id: number, inlineItems: string, feedExtra: string, root?: string) =>
  `<entry${root === undefined ? "" : ` ${NAMESPACES} xml:base="${root}"`} m:etag="W/&quot;5&quot;"><id>Orders(${id})</id><link rel="edit" href="Orders(${id})"/>` +
  `<link rel="${RELATED}Items" type="application/atom+xml;type=feed" href="Orders(${id})/Items"><m:inline><feed>${feedExtra}${inlineItems}</feed></m:inline></link>` +
  `<content type="application/xml"><m:properties><d:ID m:type="Edm.Int32">${id}</d:ID><d:Note>order ${id}</d:Note></m:properties></content></entry>`;

const PAGED = `<m:count>7</m:count><link rel="next" href="Orders(1)/Items?$skiptoken=2"/>`;

async function atomService(answers: (root: string) => Record<string, string>): Promise<RecordingServer & { root: string }> {
  let root = "";
  const server = await startServer((request, res) => {
    if (request.method !== "GET") {
      res.writeHead(204);
      res.end();
      return;
    }
    const answer = answers(root)[decodeURIComponent(request.path.replace(/^\/svc\//, ""))];
    if (answer === undefined) return sendText(res, 404, `no ${request.path}`);
    sendText(res, 200, `<?xml version="1.0" encoding="utf-8"?>${answer}`, { "Content-Type": answer.startsWith("<entry") ? "application/atom+xml;type=entry" : "application/atom+xml;type=feed" });
  });
  root = server.url("svc/");
  return Object.assign(server, { root });
}

const client = (server: { root: string }) => new ODataClient({ serviceUrl: server.root, version: "2.0", retry: false });
const paths = (server: RecordingServer) => server.requests.map((r) => `${r.method} ${decodeURIComponent(r.path)}`);
const ids = (list: unknown) => (list as { ID: number }[]).map((entity) => entity.ID);

test("v2 Atom get(): an inline feed's <link rel=next> and <m:count> are kept as Items@odata.nextLink and Items@odata.count, navigate().list({ from }) reads the rest, and a write sends neither", async (t) => {
  const server = await atomService((root) => ({
    "Orders(1)?$expand=Items": orderEntry(1, itemEntries(1, 2), PAGED, root),
    "Orders(1)/Items?$skiptoken=2": `<feed ${NAMESPACES} xml:base="${root}">${itemEntries(3, 7)}</feed>`,
  }));
  t.after(() => server.close());
  const orders = client(server).collection<Order>("Orders");
  const order = (await orders.key(1).expand("Items").get()) as unknown as Record<string, unknown>;
  assert.deepEqual(ids(order["Items"]), [1, 2]);
  assert.equal(order["Items@odata.nextLink"], `${server.root}Orders(1)/Items?$skiptoken=2`);
  assert.equal(order["Items@odata.count"], 7);

  const rest = await orders.key(1).navigate("Items").list({ from: order["Items@odata.nextLink"] as string });
  assert.deepEqual([...ids(order["Items"]), ...ids(rest)], [1, 2, 3, 4, 5, 6, 7]);

  await orders.key(1).update({ ...(order as unknown as Order), Note: "changed" });
  await orders.key(1).update({ ...(order as unknown as Order), Note: "deep" }, { deep: true });
  assert.deepEqual(paths(server), ["GET /svc/Orders(1)?$expand=Items", "GET /svc/Orders(1)/Items?$skiptoken=2", "MERGE /svc/Orders(1)", "MERGE /svc/Orders(1)"]);
  assert.deepEqual(
    server.requests.slice(2).map((r) => JSON.parse(r.body) as unknown),
    [
      { ID: 1, Note: "changed" },
      { ID: 1, Note: "deep", Items: [{ ID: 1 }, { ID: 2 }] },
    ],
  );
});

test("v2 Atom pages(): each entry keeps its inline feed's next link and count; an inline feed without them adds neither; the page's own next link is the page's", async (t) => {
  const server = await atomService((root) => ({
    "Orders?$expand=Items": `<feed ${NAMESPACES} xml:base="${root}"><m:count>9</m:count>${orderEntry(1, itemEntries(1, 2), PAGED)}${orderEntry(2, itemEntries(8, 8), "")}<link rel="next" href="Orders?$expand=Items&amp;$skiptoken=2"/></feed>`,
  }));
  t.after(() => server.close());
  const orders = client(server).collection<Order>("Orders");
  const page = await orders.expand("Items").page();
  const [paged, whole] = page.value as unknown as Record<string, unknown>[];
  assert.equal(paged!["Items@odata.nextLink"], `${server.root}Orders(1)/Items?$skiptoken=2`);
  assert.equal(paged!["Items@odata.count"], 7);
  assert.deepEqual(Object.keys(whole!).sort(), ["ID", "Items", "Note", "__metadata"]);
  assert.deepEqual([page.nextLink, page.count], [`${server.root}Orders?$expand=Items&$skiptoken=2`, 9]);
  assert.deepEqual(paths(server), ["GET /svc/Orders?$expand=Items"]);
});
