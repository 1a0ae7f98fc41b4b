/**
 * `$orderby` on the demo service's `Orders` (demo/order-requests.ts), over HTTP on 127.0.0.1: it is
 * applied as on `Products` (ties by ID, with `$filter`, `$top`, `$skip` and `$count`), next links
 * carry it and a skiptoken that holds the place in the order, so the pages join into the sorted
 * result even when the order sent last is deleted between pages; inside a `$batch` too. A filtered
 * read still tracks no changes (the refusal OData 4.01 §11.3 allows, kept), and a delta request with
 * `$orderby` is refused 501 as one with `$filter` is. Each expected order is computed here by plain
 * JavaScript from the orders as an unsorted read gives them.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startDemoService, type DemoService } from "../demo/service.js";

interface Order {
  ID: number;
  customer: string;
  productID: number;
  quantity: number;
  status: string;
  amount: number;
}

interface Page {
  status: number;
  headers: Headers;
  body: { value: Order[]; "@odata.nextLink"?: string; "@odata.deltaLink"?: string; "@odata.count"?: number; error?: { code: string; message: string; target?: string } };
}

let service: DemoService;
let root: string;
let session: Record<string, string>;
/** Every request the service answered, `METHOD url status`, the URL as it arrived. */
const answered: string[] = [];

const CREATED = [
  { customer: "Grace", productID: 5, quantity: 3 },
  { customer: "Linus", productID: 9, quantity: 2 },
  { customer: "Ada", productID: 11, quantity: 2 },
  { customer: "Grace", productID: 1, quantity: 3 },
  { customer: "Barbara", productID: 8, quantity: 7 },
  { customer: "Linus", productID: 4, quantity: 2 },
];

before(async () => {
  service = await startDemoService({ productCount: 50, onRequest: (method, url, status) => answered.push(`${method} ${url} ${status}`) });
  root = service.serviceUrl;
  const fetched = await fetch(root, { headers: { "X-CSRF-Token": "Fetch" } });
  await fetched.text();
  session = { "X-CSRF-Token": fetched.headers.get("x-csrf-token") as string, Cookie: (fetched.headers.get("set-cookie") as string).split(";")[0] as string };
  for (const order of CREATED) {
    const response = await fetch(`${root}Orders`, { method: "POST", headers: { ...session, "Content-Type": "application/json" }, body: JSON.stringify(order) });
    assert.equal(response.status, 201, await response.text());
  }
});
after(() => service.close());

async function get(url: string, headers: Record<string, string> = {}): Promise<Page> {
  const response = await fetch(url.startsWith("http") ? url : root + url, { headers });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Page["body"] };
}

/** Every page of a read, following next links; `between` runs after each page but the last. */
async function allPages(path: string, prefer: string, between?: (page: Page) => Promise<void>): Promise<{ rows: Order[]; nextLinks: string[]; last: Page }> {
  const rows: Order[] = [];
  const nextLinks: string[] = [];
  let url: string | undefined = root + path;
  for (;;) {
    const page = await get(url, { prefer });
    assert.equal(page.status, 200, `${url}: ${JSON.stringify(page.body)}`);
    rows.push(...page.body.value);
    url = page.body["@odata.nextLink"];
    if (url === undefined) return { rows, nextLinks, last: page };
    nextLinks.push(url);
    if (between) await between(page);
  }
}

async function allOrders(): Promise<Order[]> {
  return (await get("Orders")).body.value;
}

const ids = (rows: readonly { ID: number }[]) => rows.map((row) => row.ID);
const textOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const sortedBy = (rows: readonly Order[], compare: (a: Order, b: Order) => number) => [...rows].sort((a, b) => compare(a, b) || a.ID - b.ID);

describe("$orderby on Orders", () => {
  test("sorted by the items given, ties by ID, with $filter, $skip, $top and $count", async () => {
    const orders = await allOrders();
    assert.equal(orders.length, 9);
    const cases: [string, Order[], number][] = [
      ["$orderby=customer desc,quantity", sortedBy(orders, (a, b) => textOrder(b.customer, a.customer) || a.quantity - b.quantity), 9],
      ["$orderby=quantity", sortedBy(orders, (a, b) => a.quantity - b.quantity), 9],
      ["$orderby=ID desc", [...orders].sort((a, b) => b.ID - a.ID), 9],
      ["$orderby=tolower(customer),amount desc", sortedBy(orders, (a, b) => textOrder(a.customer.toLowerCase(), b.customer.toLowerCase()) || b.amount - a.amount), 9],
    ];
    const filtered = orders.filter((order) => order.quantity >= 2);
    cases.push(["$filter=quantity%20ge%202&$orderby=amount%20desc&$skip=1&$top=3", sortedBy(filtered, (a, b) => b.amount - a.amount).slice(1, 4), filtered.length]);
    for (const [query, expected, count] of cases) {
      const page = await get(`Orders?${query}&$count=true`);
      assert.equal(page.status, 200, `${query}: ${JSON.stringify(page.body)}`);
      assert.deepEqual(ids(page.body.value), ids(expected), query);
      assert.equal(page.body["@odata.count"], count, query);
    }
  });

  test("paged by the server: every next link carries the filter and the order, percent-encoded, and the pages join into the sorted result", async () => {
    const orders = await allOrders();
    const expected = sortedBy(orders.filter((order) => order.customer !== "Ada"), (a, b) => b.quantity - a.quantity || textOrder(a.customer, b.customer));
    const read = await allPages(`Orders?$filter=${encodeURIComponent("customer ne 'Ada'")}&$orderby=${encodeURIComponent("quantity desc,customer")}`, "odata.maxpagesize=2");
    assert.deepEqual(ids(read.rows), ids(expected));
    assert.equal(read.nextLinks.length, Math.ceil(expected.length / 2) - 1);
    for (const link of read.nextLinks) {
      // A space is written %20: a `+` would be read back as a plus sign.
      assert.match(link, /\?\$filter=customer%20ne%20'Ada'&\$orderby=quantity%20desc%2Ccustomer&\$skiptoken=\d+\.\d+\.[\w-]+$/, link);
      const sent = new URL(link);
      assert.ok(answered.includes(`GET ${sent.pathname}${sent.search} 200`), `${link} was requested and answered`);
    }
  });

  test("the order sent last is deleted between pages: the next page starts after its place in the order", async () => {
    const orders = await allOrders();
    const expected = sortedBy(orders, (a, b) => b.amount - a.amount);
    let deleted: number | undefined;
    const read = await allPages("Orders?$orderby=amount%20desc", "odata.maxpagesize=3", async (page) => {
      if (deleted !== undefined) return;
      const last = page.body.value.at(-1) as Order;
      const etag = (await fetch(`${root}Orders(${last.ID})`)).headers.get("etag") as string;
      const removed = await fetch(`${root}Orders(${last.ID})`, { method: "DELETE", headers: { ...session, "If-Match": etag } });
      assert.equal(removed.status, 204);
      deleted = last.ID;
    });
    assert.deepEqual(ids(read.rows), ids(expected));
    assert.ok(deleted !== undefined && !ids(await allOrders()).includes(deleted));
  });

  test("a skiptoken of another $orderby, or none, is refused 400", async () => {
    for (const query of ["$orderby=ID&$skiptoken=3.1", "$skiptoken=3.1.WyJBZGEiXQ", "$orderby=customer,ID&$skiptoken=3.1.WyJBZGEiXQ", "$orderby=customer&$skiptoken=3.1.%21%21"]) {
      const page = await get(`Orders?${query}`);
      assert.equal(page.status, 400, query);
      assert.equal(page.body.error?.code, "InvalidQuery", query);
    }
  });

  test("an $orderby the demo does not read is refused as on Products: 400 or 501, naming it", async () => {
    const unknown = await get("Orders?$orderby=nope");
    assert.deepEqual([unknown.status, unknown.body.error], [400, { code: "InvalidQuery", message: "$orderby: nope is not a property of Order (at character 1)", target: "$orderby" }]);
    const unsupported = await get("Orders?$orderby=length(customer)");
    assert.equal(unsupported.status, 501);
    assert.equal(unsupported.body.error?.target, "$orderby");
  });

  test("inside a $batch: a GET of Orders with $orderby is sorted", async () => {
    const orders = await allOrders();
    const body = `--b\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nGET Orders?$orderby=customer%20desc,ID%20desc HTTP/1.1\r\nAccept: application/json\r\n\r\n\r\n--b--\r\n`;
    const response = await fetch(`${root}$batch`, { method: "POST", headers: { ...session, "Content-Type": "multipart/mixed; boundary=b" }, body });
    const text = await response.text();
    assert.equal(response.status, 200);
    assert.match(text, /HTTP\/1\.1 200 OK/);
    const json = JSON.parse(text.slice(text.indexOf("{"), text.lastIndexOf("}") + 1)) as { value: Order[] };
    assert.deepEqual(ids(json.value), ids([...orders].sort((a, b) => textOrder(b.customer, a.customer) || b.ID - a.ID)));
  });
});

describe("change tracking with $orderby and $filter", () => {
  test("an ordered read tracks changes (delta link on the last page); a delta request with $orderby is 501, as one with $filter", async () => {
    const read = await allPages("Orders?$orderby=quantity", "odata.track-changes,odata.maxpagesize=4");
    assert.match(read.last.body["@odata.deltaLink"] ?? "", /\/Orders\?\$deltatoken=\d+$/);
    assert.equal(read.last.headers.get("preference-applied"), "odata.maxpagesize=4, odata.track-changes");
    for (const option of ["$orderby=quantity", "$filter=quantity%20gt%201"]) {
      const delta = await get(`Orders?$deltatoken=0&${option}`);
      assert.equal(delta.status, 501, option);
      assert.deepEqual(delta.body.error, { code: "NotImplemented", message: `The demo service does not implement ${option.split("=")[0]} on the changes of Orders ($deltatoken)`, target: option.split("=")[0] });
    }
  });

  test("a filtered, ordered read tracks no changes: no delta link, the preference left out of Preference-Applied", async () => {
    const page = await get("Orders?$filter=customer%20eq%20'Grace'&$orderby=quantity%20desc", { prefer: "odata.track-changes" });
    assert.equal(page.status, 200);
    assert.ok(page.body.value.length >= 1 && page.body.value.every((order) => order.customer === "Grace"));
    assert.equal(page.body["@odata.deltaLink"], undefined);
    assert.equal(page.headers.get("preference-applied"), null);
  });
});
