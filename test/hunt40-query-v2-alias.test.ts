/**
 * A parameter alias (`param("@p", …)`) on an OData v2 client: v2 has no aliases, but the client
 * sends one as it is, as the README says (written in the client's version), and SAP CAP's v2
 * adapter, which hands the query to its v4 service, answers it. Kept, not refused: shown on the
 * wire of a node:http server and against the adapter.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient } from "../src/index.js";
import { onlyRequest, sendJson, serveClient } from "./servers/recording-server.js";
import { useCap } from "./servers/use-cap.js";

describe("a parameter alias on OData v2", () => {
  test("is sent as given, its number as a v2 literal", async (t) => {
    const { server, client } = await serveClient(t, (_request, res) => sendJson(res, 200, { d: { results: [{ ID: 2 }] } }), { version: "2.0" });
    const rows = await client.collection<{ ID: number }>("Books").filter("ID eq @p").param("@p", 3_000_000_000).list();
    assert.deepEqual(rows, [{ ID: 2 }]);
    assert.equal(decodeURIComponent(onlyRequest(server).path), "/odata/Books?$filter=ID eq @p&@p=3000000000L");
  });

  const cap = useCap();

  test("SAP CAP's v2 adapter answers it", async () => {
    const client = new ODataClient({ serviceUrl: cap.v2, version: "2.0", retry: false });
    const rows = await client.collection<{ ID: number }>("Books").filter("ID eq @p").param("@p", 2).select("ID").list();
    assert.deepEqual(rows.map((row) => row.ID), [2]);
  });
});
