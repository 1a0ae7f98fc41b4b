/**
 * `param()` refuses the names of the system query options that have no builder method, as it
 * refuses `$filter` and, on OData 4.01, `top`: 4.01 services read a system query option's name in
 * any case and without its `$` (Part 2 §5.1), and a custom option must not clash with one (Part 1
 * §6.1), so `param("format", "csv")` would reach the service as `$format=csv`. The client's own
 * paging still sends `$skiptoken`: the service's next link carries it. Against node:http on 127.0.0.1.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient } from "../src/index.js";
import { sendJson, startServer } from "./servers/recording-server.js";

const refusal = (name: string) => {
  const system = name.replace(/^\$/, "").toLowerCase();
  return `param(name): ${name} is a system query option${["skiptoken", "deltatoken", "id"].includes(system) ? " the client sends itself (a saved next link goes as option from)" : `; write $${system} for it`}`;
};

test("on OData 4.01, param() refuses format, id, index, schemaversion, skiptoken and deltatoken in any case, each saying what to do instead; $skiptoken, $deltatoken and $id on every version; nothing is sent; other custom options go, and a walk still follows a next link with $skiptoken", async (t) => {
  const server = await startServer((r, res) =>
    sendJson(res, 200, r.path.includes("$skiptoken=") ? { value: [{ ID: 2 }] } : { value: [{ ID: 1 }], "@nextLink": "Books?$skiptoken=abc" }, { "odata-version": "4.01" }),
  );
  t.after(() => server.close());
  const books = (version: "4.01" | "4.0" | "2.0") => new ODataClient({ serviceUrl: server.url("svc/"), retry: false, version }).collection("Books");
  for (const name of ["format", "id", "index", "schemaversion", "skiptoken", "deltatoken", "Format", "SkipToken", "SCHEMAVERSION"]) {
    assert.throws(() => books("4.01").param(name, "x"), { name: "TypeError", message: refusal(name) });
    assert.throws(() => books("4.01").key(1).param(name, "x"), { name: "TypeError", message: refusal(name) });
  }
  for (const version of ["4.01", "4.0", "2.0"] as const) {
    for (const name of ["$skiptoken", "$DeltaToken", "$id"]) {
      assert.throws(() => books(version).param(name, "x"), { name: "TypeError", message: refusal(name) }, `${version} ${name}`);
    }
  }
  assert.equal(server.requests.length, 0, "nothing is sent");
  // Names that merely start like one stay custom options; 4.0 and v2 read the bare names as custom;
  // $format, $index and $schemaversion, named as the system options they are, go as given. The
  // client's own paging sends $skiptoken as the service's next link carries it.
  assert.deepEqual(await books("4.01").param("format2", "x").param("ids", "1").param("sap-client", "100").list(), [{ ID: 1 }, { ID: 2 }]);
  assert.deepEqual(await books("4.0").param("format", "csv").param("skiptoken", "a").top(1).list(), [{ ID: 1 }]);
  assert.deepEqual(await books("4.0").param("$format", "json").param("$schemaversion", "2").top(1).list(), [{ ID: 1 }]);
  assert.deepEqual(
    server.requests.map((r) => r.path),
    ["/svc/Books?format2=x&ids=1&sap-client=100", "/svc/Books?$skiptoken=abc", "/svc/Books?$top=1&format=csv&skiptoken=a", "/svc/Books?$top=1&$format=json&$schemaversion=2"],
  );
});
