/**
 * The demo service and `$expand=*`, over HTTP on 127.0.0.1. `*` expands every navigation property
 * of the entity type (OData 4.01 Part 2 §5.1.3); the demo's types have none, so it expands nothing
 * and the read answers as without it. SAP CAP answers it so (`Readings?$expand=*`, an entity
 * without associations: 200, the rows unchanged). The demo refused it: 501 on a collection, 400
 * ("names \"*\"") on one entity. A navigation property it does not have stays refused.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startDemoService, type DemoService } from "../demo/service.js";

let service: DemoService;
let root: string;

before(async () => {
  service = await startDemoService({ productCount: 30, pageSize: 10, exportRows: 3, jobDuration: 0 });
  root = service.serviceUrl;
});
after(() => service.close());

async function get(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(root + path);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("$expand=* on entity types without navigation properties", () => {
  test("collections answer 200 with the same rows as without it", async () => {
    const export1 = await fetch(`${root}ExportJobs`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ format: "csv" }) });
    assert.equal(export1.status, 201);
    await export1.text();
    for (const path of ["Products?$top=3", "ProductsUnpaged?$top=3", "Orders?$top=2", "ExportJobs?$top=1"]) {
      const plain = await get(path);
      const expanded = await get(`${path}&$expand=*`);
      assert.equal(plain.status, 200, path);
      assert.equal(expanded.status, 200, `${path}&$expand=*: ${JSON.stringify(expanded.body)}`);
      assert.deepEqual(expanded.body["value"], plain.body["value"], path);
    }
  });

  test("one entity answers 200 with the same properties as without it", async () => {
    for (const path of ["Products(2)", "Orders(1)", "ExportJobs(1)", "Products(2)?$select=ID,Name"]) {
      const plain = await get(path);
      const expanded = await get(`${path}${path.includes("?") ? "&" : "?"}$expand=*`);
      assert.equal(plain.status, 200, path);
      assert.equal(expanded.status, 200, `${path} $expand=*: ${JSON.stringify(expanded.body)}`);
      assert.deepEqual(expanded.body, plain.body, path);
    }
  });

  test("a navigation property the type does not have is still refused", async () => {
    assert.equal((await get("Products(2)?$expand=Supplier")).status, 400);
    assert.equal((await get("Orders?$expand=Product")).status, 501);
  });
});
