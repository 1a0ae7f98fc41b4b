/**
 * The demo service's `$metadata` against its answers, over HTTP on 127.0.0.1: read with the
 * library's `parseMetadata`, the document must not promise a query the service then refuses.
 * A capability term that is absent means the default of the Capabilities vocabulary: a set is
 * searchable (`SearchRestrictions/Searchable` true), filterable and sortable. The demo implements
 * `$search` on no set and `$filter`/`$orderby` not on `ExportJobs` (each 501), yet its `$metadata`
 * said nothing, so a client (or `traverse-odata describe`) reading it was told they work.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startDemoService, type DemoService } from "../demo/service.js";
import { parseMetadata } from "../src/index.js";
import type { ServiceModel } from "../src/metadata/model.js";

let service: DemoService;
let root: string;
let model: ServiceModel;

before(async () => {
  service = await startDemoService({ productCount: 30, pageSize: 10 });
  root = service.serviceUrl;
  const response = await fetch(`${root}$metadata`);
  assert.equal(response.status, 200);
  model = parseMetadata(await response.text());
});
after(() => service.close());

/** Whether the set's restriction record leaves the capability on (absent: the vocabulary's default, true). */
function allowed(set: string, term: string, property: string): boolean {
  const entitySet = model.entitySet(set);
  assert.ok(entitySet, set);
  const record = model.annotation(entitySet, term) as Record<string, unknown> | undefined;
  return record?.[property] !== false;
}

async function status(path: string): Promise<number> {
  const response = await fetch(root + path);
  await response.arrayBuffer();
  return response.status;
}

describe("$metadata says what the sets answer", () => {
  test("$search: declared searchable exactly where it is not refused", async () => {
    for (const set of ["Products", "ProductsUnpaged", "Orders", "ExportJobs"]) {
      const answered = await status(`${set}?$search=blue`);
      assert.equal(allowed(set, "Capabilities.SearchRestrictions", "Searchable"), answered !== 501, `${set}: $search answers ${answered}`);
    }
  });

  test("$filter and $orderby: declared where they are not refused", async () => {
    for (const set of ["Products", "ProductsUnpaged", "Orders", "ExportJobs"]) {
      const filtered = await status(`${set}?$filter=ID%20eq%201`);
      assert.equal(allowed(set, "Capabilities.FilterRestrictions", "Filterable"), filtered !== 501, `${set}: $filter answers ${filtered}`);
      const sorted = await status(`${set}?$orderby=ID%20desc`);
      assert.equal(allowed(set, "Capabilities.SortRestrictions", "Sortable"), sorted !== 501, `${set}: $orderby answers ${sorted}`);
    }
  });

  test("the annotations already there stay", () => {
    const orders = model.entitySet("Orders");
    assert.ok(orders);
    assert.deepEqual(model.annotation(orders, "Capabilities.ChangeTracking"), { Supported: true });
    assert.deepEqual(model.etagProperties(orders), ["revision"]);
  });
});
