/**
 * The demo service and a `$select` that names a property twice, over HTTP on 127.0.0.1: the
 * property is selected once, and the context URL names it once (`$metadata#Products(ID,Name)`),
 * as a single entity's read already answered. The collections answered `Products(ID,Name,ID)`.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startDemoService, type DemoService } from "../demo/service.js";

let service: DemoService;
let root: string;

before(async () => {
  service = await startDemoService({ productCount: 30, pageSize: 10 });
  root = service.serviceUrl;
});
after(() => service.close());

test("a property named twice in $select is selected and named once", async () => {
  for (const [path, context] of [
    ["Products?$top=2&$select=ID,Name,ID", "Products(ID,Name)"],
    ["ProductsUnpaged?$top=2&$select=Name,ID,Name", "ProductsUnpaged(Name,ID)"],
    ["ExportJobs?$select=ID,ID", "ExportJobs(ID)"],
    ["Products(3)?$select=ID,Name,ID", "Products(ID,Name)/$entity"],
  ] as const) {
    const response = await fetch(root + path);
    const text = await response.text();
    assert.equal(response.status, 200, `${path}: ${text}`);
    const body = JSON.parse(text) as Record<string, unknown>;
    assert.equal(body["@odata.context"], `${root}$metadata#${context}`, path);
    for (const row of (body["value"] as Record<string, unknown>[] | undefined) ?? [body]) {
      const names = Object.keys(row).filter((name) => !name.startsWith("@"));
      assert.deepEqual(names, context.replace(/^\w+\(|\).*$/g, "").split(","), path);
    }
  }
});
