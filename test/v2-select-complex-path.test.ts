/**
 * `select()` of a path on an OData v2 client: a path through an expanded navigation property
 * (`Customer/Name` with `$expand=Customer`) is sent, selecting only that of it, a path into a complex property
 * (`Address/City`) or through a navigation property left unexpanded, which v2's `$select` does not
 * have, is refused before anything is sent, naming the call and the path and saying to expand its
 * first segment or select that whole. Real HTTP (node:http, port 0), and the CAP v2 adapter for the legal form.
 */
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataClientError } from "../src/index.js";
import { answerJson, onlyRequest, serveClient } from "./servers/recording-server.js";
import { useCap } from "./servers/use-cap.js";
import type { Book } from "./servers/cap/types.js";

function refusal(error: unknown, call: string, property: string): true {
  assert.ok(error instanceof ODataClientError, `not an ODataClientError: ${String(error)}`);
  assert.equal(error.code, "UNSUPPORTED_BY_VERSION");
  assert.equal(
    error.message,
    `${call}: OData 2.0 follows only an expanded navigation property in $select: expand("${property}"), or select "${property}" whole`,
  );
  return true;
}

describe("OData v2 $select paths", () => {
  test("a path into a complex property is refused, naming select() and the path, and nothing is sent", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { d: { results: [] } }), { version: "2.0" });
    const orders = client.collection("Orders");
    assert.throws(() => orders.select("ID", "Address/City").url(), (error) => refusal(error, 'select("Address/City")', "Address"));
    await assert.rejects(orders.select("ID", "Address/City").list(), (error) => refusal(error, 'select("Address/City")', "Address"));
    // Expanding another navigation property does not make Address one.
    await assert.rejects(orders.select("Address/City").expand("Customer").list(), (error) => refusal(error, 'select("Address/City")', "Address"));
    assert.equal(server.requests.length, 0);
  });

  test("below an expanded navigation property, a path into its complex property is refused, naming the nested select", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { d: { results: [] } }), { version: "2.0" });
    const query = client.collection("Orders").expand("Customer", (q) => q.select("Address/City"));
    await assert.rejects(query.list(), (error) => refusal(error, 'expand("Customer", q => q.select("Address/City"))', "Address"));
    assert.equal(server.requests.length, 0);
  });

  test("a path through a navigation property left unexpanded is refused, saying to expand it or select it whole, and nothing is sent", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { d: { results: [] } }), { version: "2.0" });
    const orders = client.collection("Orders");
    await assert.rejects(orders.select("ID", "Customer/Name").list(), (error) => refusal(error, 'select("Customer/Name")', "Customer"));
    await assert.rejects(orders.expand("Customer", (q) => q.select("Orders/ID")).list(), (error) => refusal(error, 'expand("Customer", q => q.select("Orders/ID"))', "Orders"));
    assert.equal(server.requests.length, 0);
    // Expanded as the message says, it is sent.
    await orders.select("ID", "Customer/Name").expand("Customer").list();
    assert.equal(decodeURIComponent(onlyRequest(server).path), "/odata/Orders?$select=ID,Customer/Name&$expand=Customer");
  });

  test("a path through an expanded navigation property is sent, whether select() or expand() comes first", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { d: { results: [] } }), { version: "2.0" });
    const orders = client.collection("Orders");
    await orders.select("ID", "Customer/Name").expand("Customer").list();
    await orders.expand("Customer").select("ID", "Customer/Name").list();
    await orders.expand("Customer", (q) => q.select("Name", "Orders/ID").expand("Orders")).list();
    await orders.select("ID", "Address").list();
    await orders.select("ID", "Customer/Name").expand("Customer").expand("Items").list();
    await orders.select("ID").expand("Customer").list();
    assert.deepEqual(
      server.requests.map((r) => decodeURIComponent(r.path)),
      [
        // A selected path through an expanded navigation property selects it, and only what the
        // path names: selected whole as well, all of it would come.
        "/odata/Orders?$select=ID,Customer/Name&$expand=Customer",
        "/odata/Orders?$select=ID,Customer/Name&$expand=Customer",
        "/odata/Orders?$select=*,Customer/Name,Customer/Orders/ID&$expand=Customer/Orders",
        "/odata/Orders?$select=ID,Address",
        // An expanded navigation property no selected path goes through is selected whole (once
        // anything is selected, v2 gives only what is).
        "/odata/Orders?$select=ID,Customer/Name,Items&$expand=Customer,Items",
        "/odata/Orders?$select=ID,Customer&$expand=Customer",
      ],
    );
  });

  test("an OData v4 client sends the path into a complex property as it is", async (t) => {
    const { server, client } = await serveClient(t, answerJson(200, { value: [] }));
    await client.collection("Orders").select("ID", "Address/City").list();
    assert.equal(decodeURIComponent(onlyRequest(server).path), "/odata/Orders?$select=ID,Address/City");
  });
});

describe("CAP's v2 adapter", () => {
  const cap = useCap();

  test("answers a $select path through an expanded navigation property with the selected property of the related entity, and no other", async () => {
    const client = new ODataClient({ serviceUrl: cap.v2, version: "2.0" });
    // The untyped select(): the typed one selects a navigation property's members in its expand().
    const query = client.collection("Books").filter((f) => f.eq("ID", 1)).select("ID", "author/name").expand("author");
    assert.equal(decodeURIComponent(new URL(query.url()).search), "?$filter=ID eq 1&$select=ID,author/name&$expand=author");
    const [book] = (await query.list()) as Book[];
    assert.equal(book?.ID, 1);
    assert.equal(book?.author?.name, "Jane Austen");
    // The author's other properties stay home, as they come when it is expanded with no path into it.
    assert.equal(Object.hasOwn(book!.author!, "born"), false, JSON.stringify(book?.author));
    const [whole] = (await client.collection("Books").filter((f) => f.eq("ID", 1)).select("ID").expand("author").list()) as Book[];
    assert.match(String(whole?.author?.born), /^1775-12-16/);
  });
});
