/**
 * How the demo service decodes a query (demo/query-options.ts `queryOptions`), over HTTP on
 * 127.0.0.1: percent-decoding only (RFC 3986), so a raw `+` is the plus sign OData's URL syntax
 * lets it be (SIGN = "+" / "%2B" / "-") and answers as `%2B` does, while `%20` is a space: in
 * `$filter` (string literals, DateTimeOffsets, signed numbers), `$orderby`, `$format`, option names,
 * custom options, next links that carry them, and inside `$batch`. A `%` that starts no escape is
 * refused 400. The raw `+` is checked to have reached the service as sent.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { productAt } from "../demo/products.js";
import { startDemoService, type DemoService } from "../demo/service.js";

const PRODUCTS = 120;

let service: DemoService;
let root: string;
let session: Record<string, string>;
/** Every request the service answered, `METHOD url status`, the URL as it arrived. */
const answered: string[] = [];
/** The IDs of the orders created for a customer named `a+b` and one named `a b`. */
let plusOrder: number;
let spaceOrder: number;

before(async () => {
  service = await startDemoService({ productCount: PRODUCTS, pageSize: 25, onRequest: (method, url, status) => answered.push(`${method} ${url} ${status}`) });
  root = service.serviceUrl;
  const fetched = await fetch(root, { headers: { "X-CSRF-Token": "Fetch" } });
  await fetched.text();
  session = { "X-CSRF-Token": fetched.headers.get("x-csrf-token") as string, Cookie: (fetched.headers.get("set-cookie") as string).split(";")[0] as string };
  const create = async (customer: string) => {
    const response = await fetch(`${root}Orders`, { method: "POST", headers: { ...session, "Content-Type": "application/json" }, body: JSON.stringify({ customer, productID: 3, quantity: 1 }) });
    assert.equal(response.status, 201);
    return ((await response.json()) as { ID: number }).ID;
  };
  plusOrder = await create("a+b");
  spaceOrder = await create("a b");
});
after(() => service.close());

interface Answer {
  status: number;
  body: { value?: { ID: number; customer?: string }[]; "@odata.count"?: number; "@odata.nextLink"?: string; error?: { code: string; message: string; target?: string } };
}

async function get(path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(path.startsWith("http") ? path : root + path, { headers });
  const text = await response.text();
  return { status: response.status, body: text.startsWith("{") ? (JSON.parse(text) as Answer["body"]) : { "@odata.count": Number(text) } };
}

/** Asserts that the service received `path` with its query as written here (a raw `+` left raw). */
function arrivedAsSent(path: string): void {
  const query = path.slice(path.indexOf("?"));
  assert.ok(answered.some((line) => line.includes(query.replaceAll("'", "%27").replaceAll(" ", "%20"))), `${path} arrived as sent:\n${answered.slice(-3).join("\n")}`);
}

const ids = (answer: Answer) => (answer.body.value ?? []).map((row) => row.ID);
const catalogue = Array.from({ length: PRODUCTS }, (_, index) => productAt(index + 1));

describe("$filter", () => {
  test("a string literal: a raw + and %2B are the same plus sign, %20 a space", async () => {
    for (const path of ["Orders?$filter=customer%20eq%20'a+b'", "Orders?$filter=customer%20eq%20'a%2Bb'"]) {
      const answer = await get(path);
      assert.deepEqual([answer.status, ids(answer)], [200, [plusOrder]], path);
      arrivedAsSent(path);
    }
    const spaced = await get("Orders?$filter=customer%20eq%20'a%20b'");
    assert.deepEqual([spaced.status, ids(spaced)], [200, [spaceOrder]]);
    for (const path of ["Orders/$count?$filter=customer%20eq%20'a+b'", "Orders/$count?$filter=customer%20eq%20'a%2Bb'"]) {
      assert.deepEqual(await get(path), { status: 200, body: { "@odata.count": 1 } }, path);
    }
  });

  test("a DateTimeOffset with a + offset and signed numbers read the same raw and as %2B", async () => {
    // Two literals naming one point in time: true for every product.
    for (const path of ["Products?$filter=2024-01-01T00:00:00+01:00%20eq%202023-12-31T23:00:00Z&$count=true&$top=0", "Products?$filter=2024-01-01T00:00:00%2B01:00%20eq%202023-12-31T23:00:00Z&$count=true&$top=0"]) {
      const answer = await get(path);
      assert.deepEqual([answer.status, answer.body["@odata.count"]], [200, PRODUCTS], `${path}: ${JSON.stringify(answer.body)}`);
      arrivedAsSent(path);
    }
    const above = (limit: number) => catalogue.filter((product) => product.Stock > limit).length;
    for (const [filter, expected] of [
      ["Stock%20gt%20+5", above(5)],
      ["Stock%20gt%20%2B5", above(5)],
      ["Stock%20gt%205e+1", above(50)],
      ["Stock%20gt%205e%2B1", above(50)],
    ] as const) {
      const answer = await get(`Products/$count?$filter=${filter}`);
      assert.deepEqual([answer.status, answer.body["@odata.count"]], [200, expected], `${filter}: ${JSON.stringify(answer.body)}`);
    }
  });

  test("next links keep the + a plus sign: Products as the client wrote it, Orders percent-encoded; the pages join into the filtered result", async () => {
    const rows: number[] = [];
    const links: string[] = [];
    for (let url: string | undefined = "Products?$filter=Stock%20gt%20+5"; url !== undefined; ) {
      const page = await get(url, { prefer: "odata.maxpagesize=30" });
      assert.equal(page.status, 200, `${url}: ${JSON.stringify(page.body)}`);
      rows.push(...ids(page));
      url = page.body["@odata.nextLink"];
      if (url) links.push(url);
    }
    assert.deepEqual(rows, catalogue.filter((product) => product.Stock > 5).map((product) => product.ID));
    assert.ok(links.length >= 1 && links.every((link) => link.includes("?$filter=Stock%20gt%20+5&$skiptoken=")), links.join("\n"));

    const orders: number[] = [];
    const orderLinks: string[] = [];
    for (let url: string | undefined = "Orders?$filter=customer%20ne%20'a+b'&trace=x+y"; url !== undefined; ) {
      const page = await get(url, { prefer: "odata.maxpagesize=2" });
      assert.equal(page.status, 200, `${url}: ${JSON.stringify(page.body)}`);
      orders.push(...ids(page));
      url = page.body["@odata.nextLink"];
      if (url) orderLinks.push(url);
    }
    const everyOrder = ids(await get("Orders"));
    assert.deepEqual(orders, everyOrder.filter((id) => id !== plusOrder));
    assert.ok(orders.includes(spaceOrder));
    assert.ok(orderLinks.length >= 1 && orderLinks.every((link) => link.includes("?$filter=customer%20ne%20'a%2Bb'&trace=x%2By&$skiptoken=")), orderLinks.join("\n"));
  });

  test("a % that starts no percent-escape is refused 400, naming the option", async () => {
    const answer = await get("Products?$filter=Name%20eq%20'100%'");
    assert.equal(answer.status, 400);
    assert.deepEqual(answer.body.error, { code: "InvalidQuery", message: "A % in the value of $filter starts no percent-escape of UTF-8 (send a % sign as %25)", target: "$filter" });
  });
});

describe("the other query options decode the same way", () => {
  test("$orderby: Price+desc and Price%2Bdesc are the same refusal naming the +; Price%20desc sorts", async () => {
    for (const path of ["Products?$orderby=Price+desc&$top=3", "Products?$orderby=Price%2Bdesc&$top=3"]) {
      const answer = await get(path);
      assert.equal(answer.status, 400, path);
      assert.deepEqual(answer.body.error, {
        code: "InvalidQuery",
        message: "$orderby: unexpected \"+\" at character 6 (a + in the query is a plus sign, as OData's URL syntax has it: send a space as %20)",
        target: "$orderby",
      }, path);
    }
    const sorted = await get("Products?$orderby=Price%20desc&$top=3");
    const expected = [...catalogue].sort((a, b) => b.Price - a.Price || a.ID - b.ID).slice(0, 3).map((product) => product.ID);
    assert.deepEqual([sorted.status, ids(sorted)], [200, expected]);
  });

  test("$format, an option's name and $search: a raw + and %2B give the same answer, naming a + where the answer names the text", async () => {
    for (const path of ["Products?$format=xml+atom", "Products?$format=xml%2Batom"]) {
      const answer = await get(path);
      assert.deepEqual([answer.status, answer.body.error?.message], [501, "The demo service answers in JSON only; $format=xml+atom"], path);
    }
    for (const path of ["Orders?$fo+o=1", "Orders?$fo%2Bo=1", "Orders/$count?$fo+o=1"]) {
      const answer = await get(path);
      assert.deepEqual([answer.status, answer.body.error?.message], [400, "$fo+o is not a system query option of OData"], path);
    }
    for (const path of ["Products?$search=blue+green", "Products?$search=blue%2Bgreen"]) {
      const answer = await get(path);
      assert.deepEqual([answer.status, answer.body.error?.message], [501, "The demo service does not implement $search on Products"], path);
    }
  });

  test("inside a $batch: a raw + in a part's query is a plus sign too", async () => {
    const part = (url: string) => `--b\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nGET ${url} HTTP/1.1\r\nAccept: application/json\r\n\r\n\r\n`;
    const body = part("Orders?$filter=customer%20eq%20'a+b'") + part("Orders?$filter=customer%20eq%20'a%2Bb'") + part("Orders?$filter=customer%20eq%20'a%20b'") + "--b--\r\n";
    const response = await fetch(`${root}$batch`, { method: "POST", headers: { ...session, "Content-Type": "multipart/mixed; boundary=b" }, body });
    const text = await response.text();
    assert.equal(response.status, 200);
    const answers = [...text.matchAll(/\{"@odata\.context".*\}/g)].map((match) => (JSON.parse(match[0]) as { value: { ID: number }[] }).value.map((row) => row.ID));
    assert.deepEqual(answers, [[plusOrder], [plusOrder], [spaceOrder]], text);
  });
});
