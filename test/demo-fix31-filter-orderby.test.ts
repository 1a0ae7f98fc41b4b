/**
 * The demo service's `$filter` and `$orderby` (demo/filter.ts, demo/product-query.ts), over HTTP on
 * 127.0.0.1 with the service started in-process: filters the library's own builder writes are read
 * and applied; `$orderby` sorts by one or more properties (ties by ID) and pages across next links
 * that carry the filter and the order; `$count` and `/$count` count the filtered rows; the parts of
 * the language the demo does not implement are refused 501 naming them, and text that is no
 * expression 400 naming the character. Also: `exportProducts` takes `null` for its nullable
 * parameters as their default. Each expected result is computed here from the catalogue itself
 * (demo/products.ts `productAt`), by plain JavaScript rather than by the service's evaluator.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { productAt, type Product } from "../demo/products.js";
import { startDemoService, type DemoService } from "../demo/service.js";
import { ODataClient, edm, type FilterBuilder, type FilterExpression } from "../src/index.js";

const PRODUCTS = 300;
const PAGE_SIZE = 40;
const EXPORT_ROWS = 25;

let service: DemoService;
let root: string;
/** Every request the service answered: `METHOD url status`, the URL as the service read it. */
const answered: string[] = [];

before(async () => {
  service = await startDemoService({ productCount: PRODUCTS, pageSize: PAGE_SIZE, exportRows: EXPORT_ROWS, jobDuration: 30, retryAfter: 0, onRequest: (method, url, status) => answered.push(`${method} ${decodeURIComponent(url)} ${status}`) });
  root = service.serviceUrl;
});
after(() => service.close());

const catalogue: Product[] = Array.from({ length: PRODUCTS }, (_, index) => productAt(index + 1));

interface Page {
  status: number;
  body: { value: Product[]; "@odata.nextLink"?: string; "@odata.count"?: number; "@odata.deltaLink"?: string; error?: { code: string; message: string; target?: string } };
  headers: Headers;
}

async function get(url: string, headers: Record<string, string> = {}): Promise<Page> {
  const response = await fetch(url.startsWith("http") ? url : root + url, { headers });
  return { status: response.status, body: (await response.json()) as Page["body"], headers: response.headers };
}

/** Every page of a read, next link after next link, with the next links the service gave. */
async function allPages(path: string, headers: Record<string, string> = {}): Promise<{ rows: Product[]; nextLinks: string[]; counts: (number | undefined)[] }> {
  const rows: Product[] = [];
  const nextLinks: string[] = [];
  const counts: (number | undefined)[] = [];
  for (let url: string | undefined = root + path; url !== undefined; ) {
    const page = await get(url, headers);
    assert.equal(page.status, 200, `${url}: ${JSON.stringify(page.body)}`);
    rows.push(...page.body.value);
    counts.push(page.body["@odata.count"]);
    url = page.body["@odata.nextLink"];
    if (url !== undefined) nextLinks.push(url);
  }
  return { rows, nextLinks, counts };
}

const ids = (rows: readonly { ID: number }[]) => rows.map((row) => row.ID);

/** The catalogue sorted by `compare`, then by ID. */
function sortedBy(rows: readonly Product[], compare: (a: Product, b: Product) => number): Product[] {
  return [...rows].sort((a, b) => compare(a, b) || a.ID - b.ID);
}

const textOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

describe("$filter on Products: what the library's filter builder writes", () => {
  type Case = [name: string, build: (f: FilterBuilder<Product>) => FilterExpression, expected: (p: Product) => boolean];
  const cases: Case[] = [
    ["gt and startswith", (f) => f.and(f.gt("Stock", 0), f.startsWith("Name", "P")), (p) => p.Stock > 0 && p.Name.startsWith("P")],
    ["eq or le on a decimal", (f) => f.or(f.eq("Category", "Books"), f.le("Price", 50)), (p) => p.Category === "Books" || p.Price <= 50],
    ["not contains", (f) => f.not(f.contains("Name", "1")), (p) => !p.Name.includes("1")],
    ["endswith, ne", (f) => f.and(f.endsWith("Name", "7"), f.ne("Category", "Toys")), (p) => p.Name.endsWith("7") && p.Category !== "Toys"],
    ["tolower, toupper", (f) => f.or(f.eq(f.tolower("Category"), "garden"), f.eq(f.toupper("Name"), "PRODUCT 42")), (p) => p.Category === "Garden" || p.ID === 42],
    ["dates: ge and lt edm.date", (f) => f.and(f.ge("ReleaseDate", edm.date("2015-03-01")), f.lt("ReleaseDate", edm.date("2015-04-01"))), (p) => p.ReleaseDate >= "2015-03-01" && p.ReleaseDate < "2015-04-01"],
    ["edm.decimal and a fraction", (f) => f.and(f.ge("Price", edm.decimal("500.5")), f.lt("Price", 900.25)), (p) => p.Price >= 500.5 && p.Price < 900.25],
    ["a quote in a string: O'Brien", (f) => f.or(f.eq("Name", "O'Brien"), f.eq("Name", "Product 9")), (p) => p.ID === 9],
    ["null: eq null matches nothing, ne null everything", (f) => f.and(f.ne("Name", null), f.not(f.eq("Category", null))), () => true],
    ["a comparison compared with true", (f) => f.eq(f.gt("Stock", 400), true), (p) => p.Stock > 400],
    ["in (4.0 writes eq terms joined by or)", (f) => f.in("Category", ["Books", "Toys"]), (p) => p.Category === "Books" || p.Category === "Toys"],
    ["f.and() is true", (f) => f.and(), () => true],
    ["f.in(field, []) is false", (f) => f.in("ID", []), () => false],
    ["nested parentheses: (a or b) and not (c)", (f) => f.and(f.or(f.lt("ID", 10), f.gt("ID", 290)), f.not(f.eq("Category", "Garden"))), (p) => (p.ID < 10 || p.ID > 290) && p.Category !== "Garden"],
  ];

  for (const version of ["4.0", "4.01"] as const) {
    test(`OData ${version}: each filter is sent as the builder wrote it and answers the products it selects, across pages`, async () => {
      const client = new ODataClient({ serviceUrl: root, version, maxPageSize: 70 });
      const products = client.collection<Product>("Products");
      for (const [name, build, expected] of cases) {
        const query = products.filter(build);
        const text = new URL(query.url()).searchParams.get("$filter") as string;
        const from = answered.length;
        const rows = await query.list();
        assert.deepEqual(ids(rows), ids(catalogue.filter(expected)), `${name}: ${text}`);
        const asked = answered.slice(from);
        assert.ok(asked.length >= 1 && asked.every((line) => line.startsWith("GET ") && line.endsWith(" 200") && line.includes(`$filter=${text}`)), `${name}: every page carries the filter\n${asked.join("\n")}`);
        assert.equal(await query.countAll(), rows.length, `${name}: countAll`);
      }
    });
  }

  test("OData 4.01: f.in writes the in operator, which the demo reads", async () => {
    const client = new ODataClient({ serviceUrl: root, version: "4.01" });
    const query = client.collection<Product>("Products").filter((f) => f.in("Category", ["Books", "Toys"]));
    assert.equal(new URL(query.url()).searchParams.get("$filter"), "Category in ('Books','Toys')");
    const rows = await query.list();
    assert.deepEqual(ids(rows), ids(catalogue.filter((p) => p.Category === "Books" || p.Category === "Toys")));
    const page = await get(`Products?$filter=${encodeURIComponent("not (ID in (1,2,3)) and ID le 5")}`);
    assert.deepEqual(ids(page.body.value), [4, 5]);
  });

  test("a filter on ProductsUnpaged is applied in its one response", async () => {
    const page = await get(`ProductsUnpaged?$filter=${encodeURIComponent("Stock lt 20")}&$count=true`);
    const expected = catalogue.filter((p) => p.Stock < 20);
    assert.equal(page.status, 200);
    assert.deepEqual(ids(page.body.value), ids(expected));
    assert.equal(page.body["@odata.count"], expected.length);
    assert.equal(page.body["@odata.nextLink"], undefined);
  });
});

describe("$orderby on Products", () => {
  test("one property descending, then ID: the README's Price desc,ID", async () => {
    const page = await get(`Products?$orderby=${encodeURIComponent("Price desc,ID")}&$top=3`);
    assert.equal(page.status, 200);
    assert.deepEqual(ids(page.body.value), ids(sortedBy(catalogue, (a, b) => b.Price - a.Price).slice(0, 3)));
  });

  test("ties keep ID order (stable), asc is the default, several items sort in turn", async () => {
    const byCategory = await allPages("Products?$orderby=Category");
    assert.deepEqual(ids(byCategory.rows), ids(sortedBy(catalogue, (a, b) => textOrder(a.Category, b.Category))));
    const twoItems = await allPages(`Products?$orderby=${encodeURIComponent("Category desc,Stock asc")}`);
    assert.deepEqual(ids(twoItems.rows), ids(sortedBy(catalogue, (a, b) => textOrder(b.Category, a.Category) || a.Stock - b.Stock)));
    const dates = await allPages(`Products?$orderby=${encodeURIComponent("ReleaseDate desc")}`);
    assert.deepEqual(ids(dates.rows), ids(sortedBy(catalogue, (a, b) => textOrder(b.ReleaseDate, a.ReleaseDate))));
    const descId = await get("Products?$orderby=ID%20desc&$top=2");
    assert.deepEqual(ids(descId.body.value), [PRODUCTS, PRODUCTS - 1]);
  });

  test("filtered, ordered and paged by the server: every next link carries the filter and the order, and the pages join into the whole result", async () => {
    const filter = "Stock gt 100 and not startswith(Category,'T')";
    const orderBy = "Price desc,Name";
    const expected = sortedBy(catalogue.filter((p) => p.Stock > 100 && !p.Category.startsWith("T")), (a, b) => b.Price - a.Price || textOrder(a.Name, b.Name));
    const read = await allPages(`Products?$filter=${encodeURIComponent(filter)}&$orderby=${encodeURIComponent(orderBy)}&$count=true`, { prefer: "odata.maxpagesize=17" });
    assert.deepEqual(ids(read.rows), ids(expected));
    assert.equal(read.nextLinks.length, Math.ceil(expected.length / 17) - 1);
    for (const [index, link] of read.nextLinks.entries()) {
      const params = new URL(link).searchParams;
      assert.equal(params.get("$filter"), filter, link);
      assert.equal(params.get("$orderby"), orderBy, link);
      // The skiptoken is the ID of the last product of the page before.
      assert.equal(params.get("$skiptoken"), String(expected[(index + 1) * 17 - 1]!.ID), link);
    }
    assert.ok(read.counts.every((count) => count === expected.length), `@odata.count on every page: ${read.counts.join()}`);
  });

  test("$skip and $top select a window of the ordered, filtered rows; server pages within it", async () => {
    const filter = "Category ne 'Books'";
    const expected = sortedBy(catalogue.filter((p) => p.Category !== "Books"), (a, b) => a.Stock - b.Stock).slice(5, 5 + 50);
    const read = await allPages(`Products?$filter=${encodeURIComponent(filter)}&$orderby=Stock&$skip=5&$top=50`, { prefer: "odata.maxpagesize=12" });
    assert.deepEqual(ids(read.rows), ids(expected));
    assert.equal(read.nextLinks.length, 4);
    assert.ok(read.nextLinks.every((link) => /\$skip=5&\$top=50&/.test(link)), read.nextLinks.join("\n"));
  });

  test("the library: filter, orderBy and top with the client's page size, through next links", async () => {
    const client = new ODataClient({ serviceUrl: root, maxPageSize: 9 });
    const from = answered.length;
    const rows = await client
      .collection<Product>("Products")
      .filter((f) => f.lt("Stock", 250))
      .orderBy("Name", "desc")
      .top(30)
      .list();
    assert.deepEqual(ids(rows), ids(sortedBy(catalogue.filter((p) => p.Stock < 250), (a, b) => textOrder(b.Name, a.Name)).slice(0, 30)));
    const asked = answered.slice(from);
    assert.equal(asked.length, 4, asked.join("\n"));
    assert.ok(asked.every((line) => line.includes("$filter=Stock lt 250") && line.includes("$orderby=Name desc") && line.endsWith(" 200")), asked.join("\n"));
  });
});

describe("$count with $filter", () => {
  test("/$count and $count=true count the filtered rows; ProductsUnpaged/$count too", async () => {
    const expected = catalogue.filter((p) => p.Stock > 0 && p.Name.endsWith("5")).length;
    for (const path of ["Products/$count", "ProductsUnpaged/$count"]) {
      const response = await fetch(`${root}${path}?$filter=${encodeURIComponent("Stock gt 0 and endswith(Name,'5')")}`);
      assert.equal(response.status, 200, path);
      assert.equal(await response.text(), String(expected), path);
    }
    const counted = await get(`Products?$filter=${encodeURIComponent("Stock gt 0 and endswith(Name,'5')")}&$count=true&$top=1`);
    assert.equal(counted.body["@odata.count"], expected);
    assert.equal(counted.body.value.length, 1);
    const plain = await fetch(`${root}Products/$count`);
    assert.equal(await plain.text(), String(PRODUCTS));
  });
});

describe("$filter on Orders", () => {
  test("the orders the filter selects, counted; a null property compares with null", async () => {
    const ada = await get(`Orders?$filter=${encodeURIComponent("customer eq 'Ada'")}&$count=true`);
    assert.equal(ada.status, 200);
    assert.deepEqual(ids(ada.body.value), [1, 3]);
    assert.equal(ada.body["@odata.count"], 2);
    const unshipped = await get(`Orders?$filter=${encodeURIComponent("carrier eq null and status eq 'open'")}`);
    assert.deepEqual(ids(unshipped.body.value), [1, 2, 3]);
    const count = await fetch(`${root}Orders/$count?$filter=${encodeURIComponent("quantity ge 2")}`);
    assert.equal(await count.text(), "2");
    // An order with one null is false; ge and le of two nulls are true, as eq is (Part 2 §5.1.1.1).
    const counted = async (filter: string) => (await fetch(`${root}Orders/$count?$filter=${encodeURIComponent(filter)}`)).text();
    assert.deepEqual(
      await Promise.all(["carrier ge null", "carrier gt null", "carrier le null", "carrier lt null", "quantity ge null", "null le null"].map(counted)),
      ["3", "0", "3", "0", "0", "3"],
    );
  });

  test("paged by the server, the next link carries the filter", async () => {
    const first = await get(`Orders?$filter=${encodeURIComponent("ID ne 2")}`, { prefer: "odata.maxpagesize=1" });
    assert.deepEqual(ids(first.body.value), [1]);
    const next = first.body["@odata.nextLink"] as string;
    assert.equal(new URL(next).searchParams.get("$filter"), "ID ne 2");
    const second = await get(next, { prefer: "odata.maxpagesize=1" });
    assert.deepEqual(ids(second.body.value), [3]);
    assert.equal(second.body["@odata.nextLink"], undefined);
  });

  test("a filtered read tracks no changes: no delta link, the preference unapplied; a delta request with $filter is 501", async () => {
    const page = await get(`Orders?$filter=${encodeURIComponent("customer eq 'Grace'")}`, { prefer: "odata.track-changes" });
    assert.equal(page.status, 200);
    assert.deepEqual(ids(page.body.value), [2]);
    assert.equal(page.body["@odata.deltaLink"], undefined);
    assert.equal(page.headers.get("preference-applied"), null);
    const delta = await get(`Orders?$deltatoken=0&$filter=${encodeURIComponent("customer eq 'Grace'")}`);
    assert.equal(delta.status, 501);
    assert.equal(delta.body.error?.code, "NotImplemented");
  });
});

describe("refusals", () => {
  test("a part of the language the demo does not implement: 501 NotImplemented naming it", async () => {
    for (const [path, named] of [
      [`Products?$filter=${encodeURIComponent("length(Name) gt 5")}`, "the function length() in $filter"],
      [`Products?$filter=${encodeURIComponent("Stock add 1 gt 2")}`, "the operator add in $filter"],
      [`Products?$filter=${encodeURIComponent("Tags/any(t:t eq 'x')")}`, "the lambda operator any in $filter"],
      [`Products?$filter=${encodeURIComponent("Name eq @p")}&@p='x'`, "parameter aliases (@name) in $filter"],
      [`Products?$filter=${encodeURIComponent("Price eq duration'P1D'")}`, "duration'...' literals in $filter"],
      [`Products/$count?$filter=${encodeURIComponent("year(ReleaseDate) eq 2015")}`, "the function year() in $filter"],
      [`Products?$orderby=${encodeURIComponent("length(Name) desc")}`, "the function length() in $orderby"],
    ] as const) {
      const answer = await get(path);
      assert.equal(answer.status, 501, path);
      assert.equal(answer.body.error?.code, "NotImplemented", path);
      assert.match(answer.body.error?.message ?? "", new RegExp(`^The demo service does not implement ${named.replace(/[()$.]/g, "\\$&")} \\(at character \\d+\\)$`), path);
    }
    // Every set refuses $search.
    for (const [path, message] of [
      ["Products?$search=blue", "The demo service does not implement $search on Products"],
      ["Products/$count?$search=blue", "The demo service does not implement $search"],
    ] as const) {
      const answer = await get(path);
      assert.deepEqual([answer.status, answer.body.error?.message], [501, message], path);
    }
  });

  test("text that is no expression, or does not type: 400 with an OData error naming the character", async () => {
    for (const [option, text, message] of [
      ["$filter", "Stock gt", "$filter: expected an operand at character 9, found the end of the text"],
      ["$filter", "Name eq 'abc", "$filter: the string literal at character 9 is never closed"],
      ["$filter", "Stock gt 0 foo", '$filter: expected an operator or the end at character 12, found "foo"'],
      ["$filter", "(Stock gt 0", "$filter: expected an operator or ) at character 12, found the end of the text"],
      ["$filter", "length(Name) gt 5 and (", "$filter: expected an operand at character 24, found the end of the text"],
      ["$filter", "Stock gt 10M", '$filter: "10M" at character 10 is not a literal of OData v4'],
      ["$filter", "Nope eq 1", "$filter: Nope is not a property of Product (at character 1)"],
      ["$filter", "Name eq 5", "$filter: eq cannot compare Name, a string, with 5, a number (at character 1)"],
      ["$filter", "Stock", "$filter must be a Boolean expression; Stock (at character 1) is a number"],
      ["$orderby", "Price sideways", '$orderby: expected an operator, asc, desc, a comma or the end at character 7, found "sideways"'],
      ["$orderby", "Price,", "$orderby: expected an operand at character 7, found the end of the text"],
      // Nesting that would exhaust the stack of a recursive reader (a 500 before): refused by depth.
      ["$filter", `${"(".repeat(150)}ID eq 1${")".repeat(150)}`, "$filter is nested more than 100 levels deep at character 101"],
      ["$filter", `${"not ".repeat(150)}(ID eq 1)`, "$filter is nested more than 100 levels deep at character 401"],
      ["$orderby", `${"tolower(".repeat(120)}Name${")".repeat(120)}`, "$orderby is nested more than 100 levels deep at character 801"],
    ] as const) {
      const answer = await get(`Products?${option}=${encodeURIComponent(text)}`);
      assert.equal(answer.status, 400, text);
      assert.deepEqual(answer.body.error, { code: "InvalidQuery", message, target: option }, text);
    }
    const count = await get(`Products/$count?$filter=${encodeURIComponent("Stock gt")}`);
    assert.equal(count.status, 400);
    assert.equal(count.body.error?.target, "$filter");
    const order = await get(`Orders?$filter=${encodeURIComponent("customer eq")}`);
    assert.equal(order.status, 400);
    assert.equal(order.body.error?.message, "$filter: expected an operand at character 12, found the end of the text");
  });
});

describe("exportProducts: null for a nullable parameter is its default", () => {
  test("maxRows: null and resultForm: null export the default rows, in the 4.01 form", async () => {
    const body = JSON.stringify({ format: "csv", maxRows: null, resultForm: null });
    const direct = await fetch(`${root}exportProducts`, { method: "POST", headers: { "content-type": "application/json" }, body });
    assert.equal(direct.status, 201, await direct.clone().text());
    assert.equal(((await direct.json()) as { rowCount: number }).rowCount, EXPORT_ROWS);

    const started = await fetch(`${root}exportProducts`, { method: "POST", headers: { "content-type": "application/json", prefer: "respond-async" }, body });
    assert.equal(started.status, 202, await started.clone().text());
    const monitor = started.headers.get("location") as string;
    let final: Response;
    for (;;) {
      final = await fetch(monitor);
      if (final.status !== 202) break;
      await final.arrayBuffer();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.equal(final.status, 200);
    // The 4.01 form (the default of resultForm): the export itself, with AsyncResult: 201.
    assert.equal(final.headers.get("asyncresult"), "201");
    assert.equal(((await final.json()) as { rowCount: number }).rowCount, EXPORT_ROWS);
  });

  test("the library sends null as given, and the service answers the default", async () => {
    const client = new ODataClient({ serviceUrl: root });
    const from = answered.length;
    const exported = (await client.action("exportProducts").invoke({ format: "json", maxRows: null, resultForm: null })) as { rowCount: number; format: string };
    assert.deepEqual([exported.format, exported.rowCount], ["json", EXPORT_ROWS]);
    assert.deepEqual(answered.slice(from), ["POST /odata/v4/demo/exportProducts 201"]);
  });
});
