/**
 * Defects a hunt found in the demo service (demo/service.ts and its parts) and the tour
 * (demo/main.ts, demo/serve.ts), each checked over real HTTP on 127.0.0.1 or by running the script.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { startDemoService, type DemoService } from "../demo/service.js";

let service: DemoService;
let root: string;
let session: Record<string, string>;

before(async () => {
  service = await startDemoService({ productCount: 2_000, jobDuration: 100, retryAfter: 0 });
  root = service.serviceUrl;
  const fetched = await fetch(root, { headers: { "X-CSRF-Token": "Fetch" } });
  await fetched.text();
  session = { "X-CSRF-Token": fetched.headers.get("x-csrf-token") as string, Cookie: (fetched.headers.get("set-cookie") as string).split(";")[0] as string };
});
after(() => service.close());

async function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await fetch(root + path, { headers });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

function errorCode(text: string): string | undefined {
  return (JSON.parse(text) as { error?: { code?: string } }).error?.code;
}

describe("/$count with $filter and $search", () => {
  test("a count the collection cannot search is refused with 501, as the collection refuses the search; a filtered count counts what the filter selects", async () => {
    const answer = await get("Products/$count?$search=zzzz");
    assert.equal(answer.status, 501);
    assert.equal(errorCode(answer.text), "NotImplemented");
    const nobody = await get("Orders/$count?$filter=customer%20eq%20'Nobody'");
    assert.deepEqual([nobody.status, nobody.text], [200, "0"]);
    const some = await get("Products/$count?$filter=ID%20le%20400");
    assert.deepEqual([some.status, some.text], [200, "400"]);
    const plain = await get("Products/$count");
    assert.deepEqual([plain.status, plain.text], [200, "2000"]);
  });
});

describe("query options of a single-entity read", () => {
  test("$select is honoured on Products(42) and Orders(1)", async () => {
    const product = await get("Products(42)?$select=Name");
    assert.equal(product.status, 200);
    assert.deepEqual(JSON.parse(product.text), { "@odata.context": `${root}$metadata#Products(Name)/$entity`, Name: "Product 42" });
    const order = await get("Orders(1)?$select=customer");
    assert.equal(order.status, 200);
    const body = JSON.parse(order.text) as Record<string, unknown>;
    assert.equal(body["customer"], "Ada");
    assert.equal(body["quantity"], undefined);
  });

  test("options an entity read does not take are refused with an OData error, not ignored", async () => {
    for (const [path, status] of [
      ["Products(42)?$expand=Nope", 400],
      ["Products(42)?$filter=bogus%20eq", 400],
      ["Products(42)?$top=abc", 400],
      ["Products(42)?$foo=1", 400],
      ["Products(42)?$levels=2", 400],
      ["Products(42)?$format=xml", 501],
      ["Products(42)?$select=Nope", 400],
      ["Orders(1)?$expand=Nope", 400],
      ["Orders(1)?$top=1", 400],
    ] as const) {
      const answer = await get(path);
      assert.equal(answer.status, status, path);
      assert.ok(errorCode(answer.text), `${path}: an OData error body`);
    }
    assert.equal((await get("Products(42)?$format=json&custom=1")).status, 200);
  });
});

describe("bad input", () => {
  test("a body over 1 MB answers 413 with an OData error, and the client reads it (no reset)", async () => {
    for (const [path, size] of [
      ["ExportJobs", 1_100_000],
      ["Orders", 1_100_000],
      ["Orders", 5_000_000],
    ] as const) {
      for (let attempt = 0; attempt < 3; attempt++) {
        const response = await fetch(root + path, {
          method: "POST",
          headers: { ...session, "Content-Type": "application/json" },
          body: JSON.stringify({ customer: "x".repeat(size), productID: 1, quantity: 1 }),
        });
        assert.equal(response.status, 413, path);
        assert.equal(errorCode(await response.text()), "PayloadTooLarge");
      }
    }
  });

  const part = (requestLine: string) => `--b\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n${requestLine}\r\nAccept: application/json\r\n\r\n\r\n`;
  async function batch(body: string): Promise<{ status: number; text: string }> {
    const response = await fetch(`${root}$batch`, { method: "POST", headers: { ...session, "Content-Type": "multipart/mixed; boundary=b" }, body });
    return { status: response.status, text: await response.text() };
  }

  test("a $batch part with a malformed percent-escape fails alone", async () => {
    const answer = await batch(part("GET Products(%ZZ) HTTP/1.1") + part("GET Products(3) HTTP/1.1") + "--b--\r\n");
    assert.equal(answer.status, 200);
    assert.match(answer.text, /HTTP\/1\.1 400/);
  });

  test("GET $metadata inside a $batch is the metadata, not a Content-ID reference", async () => {
    const answer = await batch(part("GET $metadata HTTP/1.1") + "--b--\r\n");
    assert.equal(answer.status, 200);
    assert.match(answer.text, /HTTP\/1\.1 200 OK/);
    assert.match(answer.text, /<EntitySet Name="Products"/);
  });
});

describe("keys and entity sets", () => {
  test("the named key form reads the entity; a key of the wrong type is a 400", async () => {
    const product = await get("Products(ID=42)");
    assert.equal(product.status, 200);
    assert.equal((JSON.parse(product.text) as { ID: number }).ID, 42);
    assert.equal((await get("Orders(ID=1)")).status, 200);
    const wrong = await get("Products('abc')");
    assert.equal(wrong.status, 400);
    assert.equal(errorCode(wrong.text), "InvalidKey");
  });

  test("ProductsUnpaged(42), ProductsUnpaged/$count and ExportJobs/$count answer", async () => {
    const unpaged = await get("ProductsUnpaged(42)");
    assert.equal(unpaged.status, 200);
    assert.equal((JSON.parse(unpaged.text) as { ID: number }).ID, 42);
    assert.deepEqual([(await get("ProductsUnpaged/$count")).text, (await get("ExportJobs/$count")).status], ["2000", 200]);
  });
});

describe("conditional requests on an order", () => {
  test("GET with the current ETag in If-None-Match is 304; a stale If-Match is 412; PATCH naming the current ETag in If-None-Match is 412", async () => {
    const first = await get("Orders(2)");
    const etag = first.headers.get("etag") as string;
    const notModified = await get("Orders(2)", { "If-None-Match": etag });
    assert.equal(notModified.status, 304);
    assert.equal(notModified.headers.get("etag"), etag);
    assert.equal((await get("Orders(2)", { "If-Match": 'W/"999"' })).status, 412);
    assert.equal((await get("Orders(2)", { "If-Match": etag })).status, 200);
    const patch = await fetch(`${root}Orders(2)`, {
      method: "PATCH",
      headers: { ...session, "Content-Type": "application/json", "If-Match": etag, "If-None-Match": etag },
      body: '{"quantity":3}',
    });
    assert.equal(patch.status, 412);
    assert.equal(errorCode(await patch.text()), "PreconditionFailed");
  });
});

describe("smaller things", () => {
  test("HEAD is GET without a body, and fetches a CSRF token", async () => {
    const response = await fetch(root, { method: "HEAD", headers: { "X-CSRF-Token": "Fetch" } });
    assert.equal(response.status, 200);
    assert.ok(response.headers.get("x-csrf-token"));
    assert.equal(await response.text(), "");
    const products = await fetch(`${root}Products`, { method: "HEAD" });
    assert.equal(products.status, 200);
    assert.equal(await products.text(), "");
  });

  test("the service document leaves out totalValue (a function with a required parameter)", async () => {
    const document = JSON.parse((await get("")).text) as { value: { name: string }[] };
    assert.deepEqual(document.value.map((item) => item.name), ["ExportJobs", "Products", "ProductsUnpaged", "Orders"]);
    assert.doesNotMatch((await get("$metadata")).text, /IncludeInServiceDocument="true"/);
  });
});

// --- the tour and demo/serve.ts, run as scripts -----------------------------------------------------

const projectRoot = fileURLToPath(new URL("..", import.meta.url));

async function run(script: string, env: Record<string, string>, pipeToHead = false): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", script], { cwd: projectRoot, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    // As `| head -3` does: the reader goes away after a few lines.
    if (pipeToHead && stdout.split("\n").length > 3) child.stdout.destroy();
  });
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill(), 60_000);
  const [code] = (await once(child, "exit")) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

const QUICK = { DEMO_POLL_MS: "20", DEMO_RETRY_AFTER: "0", DEMO_EXPORT_ROWS: "200" };

describe("the tour", () => {
  test("with DEMO_JOB_MS=0 section 3 says the job finished before the cancel, and the tour exits 0", async () => {
    const { code, stdout, stderr } = await run("demo/main.ts", { ...QUICK, DEMO_JOB_MS: "0", DEMO_PRODUCTS: "10" });
    assert.equal(code, 0, `stderr:\n${stderr}\nstdout:\n${stdout}`);
    assert.doesNotMatch(stdout, /cancel\(\) sent DELETE/);
    assert.doesNotMatch(stdout, /which it should not/);
    assert.match(stdout, /the job finished before it could be cancelled/);
    // DEMO_PRODUCTS=10: section 7 orders products of the catalogue.
    assert.match(stdout, /created order \d+: 3 x product 2 = /);
  });

  test("refuses settings it cannot run with, naming the variable, without a stack trace", async () => {
    const empty = await run("demo/main.ts", { ...QUICK, DEMO_PRODUCTS: "0" });
    assert.notEqual(empty.code, 0);
    assert.match(empty.stderr, /DEMO_PRODUCTS must be at least 1/);
    assert.doesNotMatch(empty.stderr, /\n\s+at /);
    for (const [variable, words] of [
      ["DEMO_PORT", /DEMO_PORT must be an integer/],
      ["DEMO_JOB_MS", /DEMO_JOB_MS must be an integer/],
    ] as const) {
      const { code, stderr } = await run("demo/serve.ts", { [variable]: "abc" });
      assert.notEqual(code, 0);
      assert.match(stderr, words);
      assert.doesNotMatch(stderr, /jobDuration|\n\s+at /);
    }
  });

  test("`npm run demo | head -3` ends quietly", async () => {
    const { code, stderr } = await run("demo/main.ts", { ...QUICK, DEMO_JOB_MS: "300", DEMO_PRODUCTS: "100" }, true);
    assert.equal(code, 0, stderr);
    assert.doesNotMatch(stderr, /EPIPE/);
  });
});

describe("terminal headings", () => {
  test("no bold with NO_COLOR on a terminal", async () => {
    const { heading } = await import("../demo/terminal.js");
    let written = "";
    const out = { isTTY: true, write: (text: string) => (written += text) };
    heading(out, "Title", { NO_COLOR: "1" });
    assert.match(written, /Title/);
    assert.doesNotMatch(written, /\u001b/);
    // Without NO_COLOR, the same terminal gets the heading in bold.
    written = "";
    heading(out, "Title", {});
    assert.match(written, /\u001b\[1mTitle/);
  });
});
