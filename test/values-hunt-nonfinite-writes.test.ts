/**
 * A plain JavaScript Infinity, -Infinity or NaN in a write body goes as OData JSON writes those
 * values, `"INF"`, `"-INF"` and `"NaN"` (JSON Format 4.0 §7.1; v2 gives a Double its literal, whose
 * special values are the same words), as `edm.double(Infinity)` and an action's parameters already
 * went. `JSON.stringify` writes them as `null`, which cleared the property on the service without
 * an error. Every write that builds its body from an entity is checked, on v2 and v4: create,
 * update, replace, upsert, the writes with a poller, and the writes of a `$batch`, at the top
 * of the body, in a complex value and in a collection.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ServerResponse } from "node:http";
import { edm, type ODataVersion } from "../src/index.js";
import { sendJson, serveClient, type RecordedRequest } from "./servers/recording-server.js";

interface Reading {
  ID: number;
  Value: number | string;
  Limits?: { Low: number | string; High: number | string };
  Samples?: (number | string)[];
}

/** The entity the service sends back: what it got, wrapped as the version's JSON wraps one entity. */
function echo(version: ODataVersion, request: RecordedRequest, res: ServerResponse): void {
  const got = request.body === "" ? {} : (JSON.parse(request.body) as Record<string, unknown>);
  sendJson(res, request.method === "POST" ? 201 : 200, version === "2.0" ? { d: got } : got);
}

const CRLF = "\r\n";

/** A multipart answer (boundary `b`) whose one changeset (boundary `cs`) answers each of its `n` writes 204. */
function changesetAnswer(res: ServerResponse, n: number): void {
  const parts = Array.from({ length: n }, () => ["--cs", "Content-Type: application/http", "", "HTTP/1.1 204 No Content", "", ""].join(CRLF));
  const body = ["--b", "Content-Type: multipart/mixed; boundary=cs", "", ...parts, "--cs--", "--b--", ""].join(CRLF);
  res.writeHead(200, { "content-type": "multipart/mixed; boundary=b", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

for (const version of ["2.0", "4.0"] as const) {
  describe(`OData ${version}: Infinity, -Infinity and NaN in a write body go as "INF", "-INF", "NaN", never null`, () => {
    test("create, update, replace and upsert send them at the top, in a complex value and in a collection; finite numbers stay numbers", async (t) => {
      const { server, client } = await serveClient(t, (request, res) => echo(version, request, res), { version });
      const readings = client.collection<Reading>("Readings");

      const created = await readings.create({ ID: 1, Value: Infinity, Limits: { Low: -Infinity, High: 1.5 }, Samples: [0.25, NaN, -Infinity, -0] });
      await readings.key(1).update({ Value: NaN }, { ifMatch: "*" });
      await readings.key(1).replace({ ID: 1, Value: -Infinity, Limits: { Low: NaN, High: Infinity } }, { ifMatch: "*" });
      await readings.key(2).upsert({ ID: 2, Value: Infinity, Samples: [Infinity] });

      assert.deepEqual(
        server.requests.map((request) => [request.method, request.path, request.body]),
        [
          ["POST", "/odata/Readings", '{"ID":1,"Value":"INF","Limits":{"Low":"-INF","High":1.5},"Samples":[0.25,"NaN","-INF",0]}'],
          [version === "2.0" ? "MERGE" : "PATCH", "/odata/Readings(1)", '{"Value":"NaN"}'],
          ["PUT", "/odata/Readings(1)", '{"ID":1,"Value":"-INF","Limits":{"Low":"NaN","High":"INF"}}'],
          [version === "2.0" ? "MERGE" : "PATCH", "/odata/Readings(2)", '{"ID":2,"Value":"INF","Samples":["INF"]}'],
        ],
      );
      // What came back is what the service stored: the values, not nulls.
      assert.deepEqual(created, { ID: 1, Value: "INF", Limits: { Low: "-INF", High: 1.5 }, Samples: [0.25, "NaN", "-INF", 0] });
    });

    test("a plain Infinity goes as edm.double(Infinity) does, and as a v4 action's parameter does", async (t) => {
      const { server, client } = await serveClient(t, (request, res) => echo(version, request, res), { version });
      const readings = client.collection<Reading>("Readings");
      await readings.key(1).update({ Value: Infinity }, { ifMatch: "*" });
      await readings.key(1).update({ Value: edm.double(Infinity) as unknown as number }, { ifMatch: "*" });
      assert.equal(server.requests[0]?.body, '{"Value":"INF"}');
      assert.equal(server.requests[0]?.body, server.requests[1]?.body);
      if (version === "2.0") return; // a v2 action import takes its parameters in the URL
      await client.action("Record").invoke({ Value: Infinity });
      assert.deepEqual([server.requests[2]?.path, server.requests[2]?.body], ["/odata/Record", '{"Value":"INF"}']);
    });

    test("createAsync, updateAsync and replaceAsync send them as the writes do, and resolve with what the service stored", async (t) => {
      const { server, client } = await serveClient(t, (request, res) => echo(version, request, res), { version });
      const readings = client.collection<Reading>("Readings");
      const fast = { pollInterval: 1, maxWait: 10_000 };

      const created = await (await readings.createAsync({ ID: 1, Value: NaN, Limits: { Low: -Infinity, High: Infinity } }, fast)).wait();
      await (await readings.key(1).updateAsync({ Samples: [Infinity, 2] }, { ifMatch: "*", ...fast })).wait();
      await (await readings.key(1).replaceAsync({ ID: 1, Value: -Infinity }, { ifMatch: "*", ...fast })).wait();

      assert.deepEqual(
        server.requests.map((request) => [request.method, request.path, request.headers["prefer"], request.body]),
        [
          ["POST", "/odata/Readings", "respond-async", '{"ID":1,"Value":"NaN","Limits":{"Low":"-INF","High":"INF"}}'],
          [version === "2.0" ? "MERGE" : "PATCH", "/odata/Readings(1)", "respond-async", '{"Samples":["INF",2]}'],
          ["PUT", "/odata/Readings(1)", "respond-async", '{"ID":1,"Value":"-INF"}'],
        ],
      );
      assert.deepEqual(created, { ID: 1, Value: "NaN", Limits: { Low: "-INF", High: "INF" } });
    });

    test("the writes of a $batch changeset carry them in their parts", async (t) => {
      const { server, client } = await serveClient(t, (_request, res) => changesetAnswer(res, 3), { version });
      const readings = client.collection<Reading>("Readings");
      const batch = client.batch();
      batch.changeset((cs) => {
        cs.create(readings, { ID: 1, Value: Infinity });
        cs.update(readings.key(1), { Limits: { Low: NaN, High: -Infinity } }, { ifMatch: "*" });
        cs.replace(readings.key(2), { ID: 2, Value: 3, Samples: [NaN] }, { ifMatch: "*" });
      });
      const results = await batch.send();

      const sent = server.requests.map((request) => [request.method, request.path]);
      assert.deepEqual(sent, [["POST", "/odata/$batch"]]);
      const parts = [...(server.requests[0]?.body ?? "").matchAll(/\r\n([A-Z]+) (\S+) HTTP\/1\.1\r\n[\s\S]*?\r\n\r\n(\{.*\})\r\n/g)].map((match) => match.slice(1));
      assert.deepEqual(parts, [
        ["POST", "Readings", '{"ID":1,"Value":"INF"}'],
        [version === "2.0" ? "MERGE" : "PATCH", "Readings(1)", '{"Limits":{"Low":"NaN","High":"-INF"}}'],
        ["PUT", "Readings(2)", '{"ID":2,"Value":3,"Samples":["NaN"]}'],
      ]);
      assert.deepEqual(
        results.map((result) => [result.ok, result.status]),
        [
          [true, 204],
          [true, 204],
          [true, 204],
        ],
      );
    });
  });
}
