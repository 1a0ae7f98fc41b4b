// `get <service> <singleton>` against the real SAP CAP server: CatalogService's `Settings`
// (`@odata.singleton`, a <Singleton> in its $metadata) is read by its name alone, `GET Settings`;
// its entity set `Books` given no key is refused (exit 2) before anything but $metadata is sent.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cliInProcess } from "./cli-in-process.js";
import { useCap } from "./servers/use-cap.js";

const cap = useCap();

test("get <CAP service> Settings reads the singleton: its one entity as JSON", async () => {
  const result = await cliInProcess(["get", cap.v4, "Settings", "--select", "pageSize", "--debug"]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal((JSON.parse(result.stdout) as { pageSize: number }).pageSize, 20);
  // The wire log: $metadata, then the singleton at its name.
  assert.match(result.stderr, /GET \S+\/Settings\?\$select=pageSize\b/);
});

test("get <CAP service> Books without a key is refused, naming its key; only $metadata is read", async () => {
  const result = await cliInProcess(["get", cap.v4, "Books", "--debug"]);
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /get: "Books" is an entity set: give the key \(ID\) of the entity to read/);
  assert.doesNotMatch(result.stderr, /GET \S+\/Books/);
  assert.match(result.stderr, /GET \S+\/\$metadata/);
});
