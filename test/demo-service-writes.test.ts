/**
 * The demo service's writable part (demo/orders.ts, demo/order-requests.ts, demo/batch.ts,
 * demo/csrf.ts) seen through the library: entity writes with ETags, CSRF tokens, operations,
 * multipart `$batch`, change tracking and `$metadata`. Each test starts its own service, so the
 * orders are the three it starts with; a recording `fetch` shows what went on the wire.
 */
import assert from "node:assert/strict";
import { describe, test, type TestContext } from "node:test";
import { ODataClient, ODataClientError, ODataHttpError, type BatchEntityHandle, type BatchHandle, type ODataClientOptions } from "../src/index.js";
import { productAt } from "../demo/products.js";
import { startDemoService, type DemoService } from "../demo/service.js";

interface Order {
  "@odata.etag"?: string;
  ID: number;
  customer: string;
  productID: number;
  quantity: number;
  status: "open" | "shipped" | "cancelled";
  carrier: string | null;
  amount: number;
  revision: number;
}

/** One request as the recording fetch saw it, and the status it got. */
interface Exchange {
  method: string;
  /** Relative to the service root, decoded. */
  path: string;
  headers: Headers;
  body: string | undefined;
  status: number;
  responseHeaders: Headers;
  responseBody: string;
}

interface Setup {
  service: DemoService;
  root: string;
  client: ODataClient;
  wire: Exchange[];
}

/** A fresh service and a client on it with CSRF handling and a recording fetch. */
async function setup(t: TestContext, options: Partial<ODataClientOptions> = {}): Promise<Setup> {
  const service = await startDemoService({ productCount: 100, orderPageSize: 100 });
  t.after(() => service.close());
  const root = service.serviceUrl;
  const wire: Exchange[] = [];
  const recording: typeof fetch = async (input, init) => {
    const url = String(input);
    const response = await fetch(input, init);
    const responseBody = await response.clone().text();
    wire.push({
      method: init?.method ?? "GET",
      path: decodeURIComponent(url.startsWith(root) ? url.slice(root.length) : url),
      headers: new Headers(init?.headers),
      body: typeof init?.body === "string" ? init.body : undefined,
      status: response.status,
      responseHeaders: response.headers,
      responseBody,
    });
    return response;
  };
  const client = new ODataClient({ serviceUrl: root, csrf: true, fetch: recording, retry: false, ...options });
  return { service, root, client, wire };
}

/** The expected amount of an order: the product's price times the quantity. */
const amountOf = (productID: number, quantity: number) => Math.round(productAt(productID).Price * quantity * 100) / 100;

function rejectsWith(status: number, code: string) {
  return (error: unknown) => {
    assert.ok(error instanceof ODataHttpError, String(error));
    assert.equal(error.status, status);
    assert.equal(error.odataError?.code, code);
    return true;
  };
}

describe("demo service: writing orders with ETags", () => {
  test("create answers 201 with Location, ETag header and @odata.etag; the order reads back the same", async (t) => {
    const { client, wire, root } = await setup(t);
    const created = await client.collection<Order>("Orders").create({ customer: "Linus", productID: 12, quantity: 3 });
    assert.ok(created);
    assert.equal(created.ID, 4, "after the three orders the service starts with");
    // The entity as the service returned it, without the response's @odata.context (which it sent).
    assert.deepEqual(
      { ...created },
      { "@odata.etag": 'W/"4"', ID: 4, customer: "Linus", productID: 12, quantity: 3, status: "open", carrier: null, amount: amountOf(12, 3), revision: 4 },
    );
    const post = wire.find((exchange) => exchange.method === "POST");
    assert.equal((JSON.parse(post?.responseBody ?? "{}") as Record<string, unknown>)["@odata.context"], `${root}$metadata#Orders/$entity`);
    assert.equal(post?.path, "Orders");
    assert.equal(post?.status, 201);
    assert.equal(post?.responseHeaders.get("location"), `${root}Orders(4)`);
    assert.equal(post?.responseHeaders.get("etag"), 'W/"4"');
    const read = await client.collection<Order>("Orders").key(4).get();
    assert.equal(read["@odata.etag"], 'W/"4"');
    assert.equal(read.amount, created.amount);
  });

  test("update sends If-Match from the entity read; 204 by default, the entity with a new ETag when asked", async (t) => {
    const { client, wire } = await setup(t);
    const orders = client.collection<Order>("Orders");
    const read = await orders.key(2).get();
    assert.equal(await orders.key(2).update({ quantity: 3 }, { etag: read }), undefined);
    const patch = wire.findLast((exchange) => exchange.method === "PATCH");
    assert.equal(patch?.headers.get("if-match"), read["@odata.etag"]);
    assert.equal(patch?.status, 204);
    assert.equal(patch?.body, JSON.stringify({ quantity: 3 }));

    const again = await orders.key(2).get();
    assert.notEqual(again["@odata.etag"], read["@odata.etag"]);
    const updated = await orders.key(2).update({ quantity: 5 }, { etag: again, prefer: "representation" });
    assert.equal(updated?.quantity, 5);
    assert.equal(updated?.amount, amountOf(again.productID, 5));
    assert.equal(updated?.["@odata.etag"], `W/"${updated?.revision}"`);
    assert.ok((updated?.revision ?? 0) > again.revision);
  });

  test("the whole entity sent back changed: its ETag rides along as If-Match and computed properties are ignored", async (t) => {
    const { client, wire } = await setup(t);
    const orders = client.collection<Order>("Orders");
    const read = await orders.key(1).get();
    const updated = await orders.key(1).update({ ...read, quantity: 9, amount: 0.01, status: "shipped" }, { prefer: "representation" });
    assert.equal(wire.findLast((exchange) => exchange.method === "PATCH")?.headers.get("if-match"), read["@odata.etag"]);
    assert.equal(updated?.quantity, 9);
    assert.equal(updated?.amount, amountOf(read.productID, 9), "amount is computed");
    assert.equal(updated?.status, "open", "status changes only through actions");
  });

  test("a stale ETag is refused with 412 and the order stays as it was", async (t) => {
    const { client } = await setup(t);
    const orders = client.collection<Order>("Orders");
    const read = await orders.key(1).get();
    await orders.key(1).update({ quantity: 2 }, { etag: read });
    await assert.rejects(orders.key(1).update({ quantity: 7 }, { etag: read }), (error: unknown) => {
      rejectsWith(412, "PreconditionFailed")(error);
      assert.match((error as ODataHttpError).odataError?.message ?? "", /^Order 1 was changed since W\/"1" was read; its ETag is now W\/"\d+"$/);
      return true;
    });
    assert.equal((await orders.key(1).get()).quantity, 2);
  });

  test("a change without If-Match is refused with 428; If-Match: * matches any version", async (t) => {
    const { client, wire } = await setup(t);
    const orders = client.collection<Order>("Orders");
    await assert.rejects(orders.key(1).update({ quantity: 7 }, { etag: false }), rejectsWith(428, "PreconditionRequired"));
    await assert.rejects(orders.key(1).delete(), rejectsWith(428, "PreconditionRequired"));
    assert.equal(wire.findLast((exchange) => exchange.method === "DELETE")?.headers.has("if-match"), false);
    await orders.key(1).update({ quantity: 7 }, { ifMatch: "*" });
    assert.equal((await orders.key(1).get()).quantity, 7);
  });

  test("replace (PUT) needs every writable property; a full one replaces them", async (t) => {
    const { client, wire } = await setup(t);
    const orders = client.collection<Order>("Orders");
    const read = await orders.key(3).get();
    await assert.rejects(orders.key(3).replace({ customer: "Ada" }, { etag: read }), (error: unknown) => {
      rejectsWith(400, "InvalidOrder")(error);
      assert.equal((error as ODataHttpError).odataError?.target, "productID");
      return true;
    });
    const replaced = await orders.key(3).replace({ customer: "Barbara", productID: 9, quantity: 1 }, { etag: read, prefer: "representation" });
    assert.equal(wire.findLast((exchange) => exchange.method === "PUT")?.status, 200);
    assert.deepEqual([replaced?.customer, replaced?.productID, replaced?.quantity, replaced?.amount], ["Barbara", 9, 1, amountOf(9, 1)]);
  });

  test("upsert to a new key creates the order there; If-None-Match: * on an existing one is 412", async (t) => {
    const { client, wire } = await setup(t);
    const orders = client.collection<Order>("Orders");
    const created = await orders.key(50).upsert({ customer: "Grace", productID: 4, quantity: 2 });
    assert.equal(wire.findLast((exchange) => exchange.method === "PATCH")?.status, 201);
    assert.equal(created?.ID, 50);
    await assert.rejects(orders.key(50).upsert({ quantity: 3 }, { ifNoneMatch: "*" }), rejectsWith(412, "PreconditionFailed"));
    assert.equal((await orders.create({ customer: "Ada", productID: 1, quantity: 1 }))?.ID, 51, "new IDs continue after the upserted one");
  });

  test("delete with the current ETag answers 204; the order is gone (404) afterwards", async (t) => {
    const { client, wire } = await setup(t);
    const orders = client.collection<Order>("Orders");
    const read = await orders.key(2).get();
    await orders.key(2).delete({ etag: read });
    assert.equal(wire.findLast((exchange) => exchange.method === "DELETE")?.status, 204);
    await assert.rejects(orders.key(2).get(), rejectsWith(404, "NotFound"));
    await assert.rejects(orders.key(2).delete({ etag: read }), rejectsWith(412, "PreconditionFailed"));
    assert.deepEqual((await orders.list()).map((order) => order.ID), [1, 3]);
  });

  test("bad bodies are refused with 400 naming the property; Prefer return=minimal gives 204", async (t) => {
    const { client, wire, root } = await setup(t);
    const orders = client.collection<Order>("Orders");
    for (const [body, target] of [
      [{ customer: "Ada", productID: 1, quantity: 1, colour: "red" }, "colour"],
      [{ customer: "Ada", productID: 101, quantity: 1 }, "productID"],
      [{ customer: "Ada", productID: 1, quantity: 0 }, "quantity"],
      [{ productID: 1, quantity: 1 }, "customer"],
    ] as const) {
      await assert.rejects(orders.create(body as never), (error: unknown) => {
        rejectsWith(400, "InvalidOrder")(error);
        assert.equal((error as ODataHttpError).odataError?.target, target);
        return true;
      });
    }
    assert.equal(await orders.create({ customer: "Ada", productID: 1, quantity: 1 }, { prefer: "minimal" }), undefined);
    const post = wire.findLast((exchange) => exchange.method === "POST");
    assert.equal(post?.status, 204);
    assert.equal(post?.responseHeaders.get("preference-applied"), "return=minimal");
    assert.equal(post?.responseHeaders.get("location"), `${root}Orders(4)`);
    assert.equal(post?.responseHeaders.get("odata-entityid"), `${root}Orders(4)`);
    assert.equal(await orders.countAll(), 4);
  });
});

describe("demo service: CSRF tokens", () => {
  test("a csrf: true client fetches one token for several changes and sends it with the session cookie", async (t) => {
    const { client, wire, service } = await setup(t);
    const orders = client.collection<Order>("Orders");
    const created = await orders.create({ customer: "Linus", productID: 2, quantity: 1 });
    await orders.key(created?.ID ?? 0).update({ quantity: 2 }, { etag: created ?? false });
    await client.action("cancelOpenOrders").invoke({ customer: "Linus" });
    const fetches = wire.filter((exchange) => exchange.headers.get("x-csrf-token") === "Fetch");
    assert.equal(fetches.length, 1);
    assert.equal(fetches[0]?.method, "GET");
    assert.equal(fetches[0]?.path, "");
    const token = fetches[0]?.responseHeaders.get("x-csrf-token");
    assert.match(token ?? "", /^[\w-]{20,}$/);
    assert.match(fetches[0]?.responseHeaders.get("set-cookie") ?? "", /^DEMO_SESSION=[\w-]+; Path=\/odata\/v4\/demo\/; HttpOnly/);
    const changes = wire.filter((exchange) => exchange.method !== "GET");
    assert.deepEqual(changes.map((exchange) => [exchange.method, exchange.status]), [["POST", 201], ["PATCH", 204], ["POST", 200]]);
    for (const change of changes) {
      assert.equal(change.headers.get("x-csrf-token"), token);
      assert.match(change.headers.get("cookie") ?? "", /^DEMO_SESSION=[\w-]+$/);
    }
    assert.deepEqual([service.stats().csrfTokenFetches, service.stats().csrfRefusals], [1, 0]);
  });

  test("changes without a token are refused with 403 and X-CSRF-Token: Required; reads need none", async (t) => {
    const { client, wire, service } = await setup(t, { csrf: false });
    const orders = client.collection<Order>("Orders");
    assert.equal((await orders.list()).length, 3);
    await assert.rejects(orders.create({ customer: "Linus", productID: 2, quantity: 1 }), rejectsWith(403, "CsrfTokenRequired"));
    const batch = client.batch();
    batch.get(orders.key(1));
    await assert.rejects(batch.send(), rejectsWith(403, "CsrfTokenRequired"));
    const refusals = wire.filter((exchange) => exchange.status === 403);
    assert.deepEqual(refusals.map((exchange) => exchange.path), ["Orders", "$batch"]);
    for (const refusal of refusals) assert.equal(refusal.responseHeaders.get("x-csrf-token"), "Required");
    assert.equal(service.stats().csrfRefusals, 2);
    assert.equal((await orders.list()).length, 3, "nothing was created");
  });

  test("a token of another session, or a made-up one, is refused", async (t) => {
    const { root } = await setup(t);
    const fetched = await fetch(root, { headers: { "x-csrf-token": "Fetch" } });
    const token = fetched.headers.get("x-csrf-token") ?? "";
    const cookie = (fetched.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const other = await fetch(root, { headers: { "x-csrf-token": "Fetch" } });
    const otherCookie = (other.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const post = (headers: Record<string, string>) =>
      fetch(`${root}Orders`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ customer: "X", productID: 1, quantity: 1 }) });
    assert.equal((await post({ "x-csrf-token": token, cookie: otherCookie })).status, 403);
    assert.equal((await post({ "x-csrf-token": "made-up", cookie })).status, 403);
    assert.equal((await post({ "x-csrf-token": token })).status, 403);
    assert.equal((await post({ "x-csrf-token": token, cookie })).status, 201);
  });
});

describe("demo service: actions and functions", () => {
  test("totalValue(status='...') sums the amounts of the orders with that status; quotes in strings are doubled on the wire", async (t) => {
    const { client, wire } = await setup(t);
    const open = await client.collection<Order>("Orders").list();
    const total = await client.function<number>("totalValue", { status: "open" }).get();
    assert.equal(wire.at(-1)?.path, "totalValue(status='open')");
    assert.equal(total, Math.round(open.reduce((sum, order) => sum + order.amount, 0) * 100) / 100);
    assert.equal(await client.function<number>("totalValue", { status: "o'pen" }).get(), 0);
    assert.equal(wire.at(-1)?.path, "totalValue(status='o''pen')");
    await assert.rejects(client.function("totalValue", { state: "open" }).get(), rejectsWith(400, "InvalidParameter"));
  });

  test("the bound function discountedAmount takes its percent in the URL", async (t) => {
    const { client, wire } = await setup(t);
    const order = await client.collection<Order>("Orders").key(1).get();
    const discounted = await client.collection<Order>("Orders").key(1).function<number>("Demo.discountedAmount", { percent: 25 }).get();
    assert.equal(wire.at(-1)?.path, "Orders(1)/Demo.discountedAmount(percent=25)");
    assert.equal(discounted, Math.round(order.amount * 0.75 * 100) / 100);
  });

  test("the bound action ship needs If-Match, answers the shipped order with a new ETag, and refuses a second shipping", async (t) => {
    const { client, wire } = await setup(t);
    const orders = client.collection<Order>("Orders");
    const order = await orders.key(2).get();
    const ship = orders.key(2).action<Order>("Demo.ship");
    await assert.rejects(ship.invoke({ carrier: "DHL" }), rejectsWith(428, "PreconditionRequired"));
    const shipped = await ship.invoke({ carrier: "DHL" }, { etag: order });
    const post = wire.findLast((exchange) => exchange.method === "POST" && exchange.status === 200);
    assert.equal(post?.path, "Orders(2)/Demo.ship");
    assert.equal(post?.headers.get("if-match"), order["@odata.etag"]);
    assert.equal(post?.body, JSON.stringify({ carrier: "DHL" }));
    assert.deepEqual([shipped.status, shipped.carrier], ["shipped", "DHL"]);
    assert.notEqual(shipped["@odata.etag"], order["@odata.etag"]);
    await assert.rejects(ship.invoke({ carrier: "DHL" }, { etag: order }), rejectsWith(412, "PreconditionFailed"));
    await assert.rejects(ship.invoke({ carrier: "DHL" }, { etag: shipped }), rejectsWith(400, "OrderNotOpen"));
  });

  test("the action import cancelOpenOrders answers how many it cancelled, as a number", async (t) => {
    const { client, wire } = await setup(t);
    const cancelled = await client.action<number>("cancelOpenOrders").invoke({ customer: "Ada" });
    assert.equal(wire.at(-1)?.path, "cancelOpenOrders");
    assert.equal(cancelled, 2);
    const statuses = (await client.collection<Order>("Orders").list()).map((order) => [order.customer, order.status]);
    assert.deepEqual(statuses, [["Ada", "cancelled"], ["Grace", "open"], ["Ada", "cancelled"]]);
    assert.equal(await client.action<number>("cancelOpenOrders").invoke({ customer: "Ada" }), 0);
  });
});

describe("demo service: $batch", () => {
  test("reads and a changeset with a $<Content-ID> reference go in one POST; each result is typed", async (t) => {
    const { client, wire } = await setup(t);
    const orders = client.collection<Order>("Orders");
    const batch = client.batch();
    const one = batch.get(orders.key(1));
    const page = batch.page(orders.top(2));
    const count = batch.count(orders);
    const total = batch.function<number>("totalValue", { status: "open" });
    let created!: BatchEntityHandle<Order, Order | undefined>;
    let raised!: BatchHandle<Order | undefined>;
    batch.changeset((changeset) => {
      created = changeset.create(orders, { customer: "Margaret", productID: 5, quantity: 1 });
      raised = changeset.update(created.ref(), { quantity: 2 }, { ifMatch: "*", prefer: "representation" });
    });
    const results = await batch.send();
    assert.equal(results.ok, true);
    assert.deepEqual(wire.map((exchange) => [exchange.method, exchange.path]), [["GET", ""], ["POST", "$batch"]], "a token fetch, then one request");
    // The changeset is answered as a nested multipart with the Content-IDs of its requests.
    assert.match(wire[1]?.responseBody ?? "", /Content-Type: multipart\/mixed; boundary=changesetresponse_[\w-]+\r\n\r\n--changesetresponse_[\w-]+\r\nContent-Type: application\/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: 5\r\n\r\nHTTP\/1\.1 201 Created\r\n/);
    assert.match(wire[1]?.body ?? "", /\r\nContent-ID: 6\r\n\r\nPATCH \$5 HTTP\/1\.1\r\n/);

    const first = one.result();
    assert.ok(first.ok);
    assert.equal(first.value.customer, "Ada");
    assert.equal(first.value["@odata.etag"], 'W/"1"');
    const listed = page.result();
    assert.ok(listed.ok);
    assert.deepEqual(listed.value.value.map((order) => order.ID), [1, 2]);
    const counted = count.result();
    assert.ok(counted.ok);
    assert.equal(counted.value, 3);
    const sum = total.result();
    assert.ok(sum.ok && typeof sum.value === "number");
    const made = created.result();
    assert.ok(made.ok);
    assert.equal(made.status, 201);
    assert.equal(made.value?.ID, 4);
    const changed = raised.result();
    assert.ok(changed.ok);
    assert.deepEqual([changed.value?.ID, changed.value?.quantity], [4, 2]);
    assert.equal((await orders.key(4).get()).quantity, 2);
  });

  test("a changeset that fails answers one error for all its requests, and none of it stays", async (t) => {
    const { client, wire } = await setup(t);
    const orders = client.collection<Order>("Orders");
    const before = await orders.list();
    const batch = client.batch();
    let doomed!: BatchEntityHandle<Order, Order | undefined>;
    let stale!: BatchHandle<Order | undefined>;
    batch.changeset((changeset) => {
      doomed = changeset.create(orders, { customer: "Edsger", productID: 6, quantity: 1 });
      stale = changeset.update(orders.key(2), { quantity: 7 }, { etag: 'W/"0"' });
    });
    const results = await batch.send();
    assert.equal(results.ok, false);
    // On the wire: one application/http part in the changeset's place, the failing request's answer.
    const answer = wire.at(-1)?.responseBody ?? "";
    const boundary = /^multipart\/mixed; boundary=(\S+)$/.exec(wire.at(-1)?.responseHeaders.get("content-type") ?? "")?.[1] ?? "";
    const parts = answer.split(`--${boundary}`).slice(1, -1);
    assert.equal(parts.length, 1);
    assert.match(parts[0] ?? "", /^\r\nContent-Type: application\/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: 2\r\n\r\nHTTP\/1\.1 412 Precondition Failed\r\n/);
    assert.doesNotMatch(answer, /multipart\/mixed/);
    for (const result of [doomed.result(), stale.result()]) {
      assert.equal(result.ok, false);
      assert.equal(result.status, 412);
      assert.ok(result.error instanceof ODataHttpError);
      assert.equal(result.error.odataError?.code, "PreconditionFailed");
    }
    assert.deepEqual(await orders.list(), before, "the created order was rolled back");
    const next = await orders.create({ customer: "Edsger", productID: 6, quantity: 1 });
    assert.equal(next?.ID, 4, "the rolled-back order did not use up an ID");
    assert.equal(next?.revision, 4, "nor a revision");
  });

  test("the service stops after a failure unless asked to continue on error", async (t) => {
    const { client, wire } = await setup(t);
    const orders = client.collection<Order>("Orders");
    const build = () => {
      const batch = client.batch();
      const missing = batch.get(orders.key(99));
      const after = batch.get(orders.key(1));
      return { batch, missing, after };
    };
    const stopped = build();
    await stopped.batch.send();
    assert.equal(stopped.missing.result().status, 404);
    const skipped = stopped.after.result();
    assert.ok(!skipped.ok && skipped.error instanceof ODataClientError);
    assert.equal(skipped.error.code, "BATCH_NOT_EXECUTED");

    const going = build();
    await going.batch.send({ continueOnError: true });
    assert.equal(going.missing.result().status, 404);
    assert.equal(going.after.result().ok, true);
    assert.equal(wire.at(-1)?.headers.get("prefer"), "odata.continue-on-error");
    assert.equal(wire.at(-1)?.responseHeaders.get("preference-applied"), "odata.continue-on-error");
  });

  test("a JSON batch is refused with 415: the service reads the multipart form", async (t) => {
    const { client } = await setup(t);
    const batch = client.batch({ format: "json" });
    batch.get(client.collection<Order>("Orders").key(1));
    await assert.rejects(batch.send(), rejectsWith(415, "UnsupportedMediaType"));
  });
});

describe("demo service: change tracking", () => {
  test("a tracked read asks on every page and gets the delta link on the last one only", async (t) => {
    const { client, wire, root } = await setup(t);
    const pages = [];
    for await (const page of client.collection<Order>("Orders").trackChanges().pages({ maxPageSize: 2, readAhead: 0 })) pages.push(page);
    assert.deepEqual(pages.map((page) => page.value.map((order) => order.ID)), [[1, 2], [3]]);
    assert.equal(pages[0]?.deltaLink, undefined);
    assert.equal(pages[1]?.deltaLink, `${root}Orders?$deltatoken=3`);
    for (const exchange of wire) {
      assert.match(exchange.headers.get("prefer") ?? "", /odata\.track-changes/);
      assert.equal(exchange.responseHeaders.get("preference-applied"), "odata.maxpagesize=2, odata.track-changes");
    }
  });

  test("the delta link answers what was created, changed and deleted since (OData 4.01 form for a 4.01 client)", async (t) => {
    const { client, root } = await setup(t, { version: "4.01" });
    const orders = client.collection<Order>("Orders");
    const deltaLink = (await orders.trackChanges().page()).deltaLink;
    assert.ok(deltaLink);
    const added = await orders.create({ customer: "Barbara", productID: 8, quantity: 2 });
    await orders.key(1).update({ quantity: 4 }, { ifMatch: "*" });
    await orders.key(3).delete({ ifMatch: "*" });
    // Created and deleted after the link: no change as far as the link's reader knows.
    const brief = await orders.create({ customer: "Temp", productID: 1, quantity: 1 });
    await orders.key(brief?.ID ?? 0).delete({ ifMatch: "*" });

    const raw = (await (await fetch(deltaLink, { headers: { "odata-maxversion": "4.01" } })).json()) as { "@context": string; value: unknown[] };
    assert.equal(raw["@context"], `${root}$metadata#Orders/$delta`);
    assert.deepEqual(raw.value.at(-1), { "@removed": { reason: "deleted" }, "@id": "Orders(3)", ID: 3 });

    const pages = [];
    for await (const page of client.delta<Order>(deltaLink)) pages.push(page);
    assert.equal(pages.length, 1);
    const page = pages[0];
    assert.deepEqual(page?.changed.map((order) => [order.ID, order.quantity]), [[1, 4], [added?.ID, 2]]);
    assert.deepEqual(page?.removed, [{ id: "Orders(3)", key: { ID: 3 }, reason: "deleted" }]);
    assert.match(page?.deltaLink ?? "", /Orders\?\$deltatoken=\d+$/);

    // The next link reports only what happens after it.
    for await (const later of client.delta<Order>(page?.deltaLink ?? "")) assert.deepEqual([later.changed, later.removed], [[], []]);
    await orders.key(2).update({ quantity: 8 }, { ifMatch: "*" });
    for await (const later of client.delta<Order>(page?.deltaLink ?? "")) assert.deepEqual(later.changed.map((order) => order.ID), [2]);
  });

  test("a client that caps the version (headers: OData-MaxVersion 4.0) gets the 4.0 form ($deletedEntity entries) and reads it the same", async (t) => {
    const { client, root, wire } = await setup(t, { version: "4.0", headers: { "OData-MaxVersion": "4.0" } });
    const orders = client.collection<Order>("Orders");
    const deltaLink = (await orders.trackChanges().page()).deltaLink ?? "";
    await orders.key(2).delete({ ifMatch: "*" });
    const pages = [];
    for await (const page of client.delta<Order>(deltaLink)) pages.push(page);
    assert.deepEqual(
      pages.map((page) => page.removed),
      [[{ id: `${root}Orders(2)`, reason: "deleted", context: `${root}$metadata#Orders/$deletedEntity` }]],
    );
    // What the client was sent: the 4.0 form, asked for with the configured header.
    const read = wire.at(-1);
    assert.equal(read?.path, deltaLink.slice(root.length));
    assert.equal(read?.headers.get("odata-maxversion"), "4.0");
    const raw = JSON.parse(read?.responseBody ?? "") as { value: unknown[]; "@odata.deltaLink": unknown };
    assert.deepEqual(raw.value, [{ "@odata.context": `${root}$metadata#Orders/$deletedEntity`, id: `${root}Orders(2)`, reason: "deleted" }]);
    assert.equal(typeof raw["@odata.deltaLink"], "string");
  });

  test("a 4.0 client that sends no OData-MaxVersion (its reads never do) gets the service's 4.01 form and reads it", async (t) => {
    const { client, root, wire } = await setup(t, { version: "4.0" });
    const orders = client.collection<Order>("Orders");
    const deltaLink = (await orders.trackChanges().page()).deltaLink ?? "";
    await orders.key(2).delete({ ifMatch: "*" });
    const pages = [];
    for await (const page of client.delta<Order>(deltaLink)) pages.push(page);
    assert.deepEqual(
      pages.map((page) => page.removed),
      [[{ id: "Orders(2)", key: { ID: 2 }, reason: "deleted" }]],
    );
    const read = wire.at(-1);
    assert.equal(read?.path, deltaLink.slice(root.length));
    assert.equal(read?.headers.get("odata-maxversion"), null, "the delta read sends no OData-MaxVersion");
    assert.match(read?.responseBody ?? "", /"@removed"/, "the service answered in the 4.01 form");
  });

  test("a delta token the service never issued is refused with 400", async (t) => {
    const { client, root } = await setup(t);
    await assert.rejects(client.delta(`${root}Orders?$deltatoken=999`).next(), rejectsWith(400, "InvalidDeltaToken"));
  });
});

describe("demo service: $metadata", () => {
  test("the model has Orders with its key, ETag property, change tracking, computed properties and operations", async (t) => {
    const { client } = await setup(t);
    const model = await client.metadata();
    assert.deepEqual(model.container()?.entitySets.map((set) => set.name), ["ExportJobs", "Products", "ProductsUnpaged", "Orders"]);
    const orders = model.entitySet("Orders");
    assert.ok(orders);
    const type = model.entityTypeOf(orders);
    assert.equal(type.qualifiedName, "Demo.Order");
    assert.deepEqual(model.keyOf(type), [{ name: "ID", path: "ID" }]);
    assert.deepEqual(model.etagProperties(orders), ["revision"]);
    assert.deepEqual(model.etagProperties("Products"), []);
    assert.deepEqual(model.annotation(orders, "Capabilities.ChangeTracking"), { Supported: true });
    assert.deepEqual(
      model.propertiesOf(type).filter((property) => model.annotation(property, "Core.Computed") === true).map((property) => property.name),
      ["status", "carrier", "amount", "revision"],
    );
    assert.deepEqual(model.boundOperations(type).map((operation) => `${operation.kind} ${operation.qualifiedName}`), ["Action Demo.ship", "Function Demo.discountedAmount"]);
    assert.equal(model.functionImport("totalValue")?.function, "Demo.totalValue");
    assert.equal(model.actions(model.actionImport("cancelOpenOrders")?.action ?? "")[0]?.returnType?.type, "Edm.Int32");
    // Every key, property and ETag property the model names is what the service sends.
    const order = await client.collection<Order>("Orders").key(1).get();
    for (const property of model.propertiesOf(type)) assert.ok(property.name in order, property.name);
    assert.equal(order["@odata.etag"], `W/"${order.revision}"`);
  });
});
