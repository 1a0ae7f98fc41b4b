/**
 * `edm.dateTime` values with digits beyond the millisecond in OData v2 write bodies. v2 JSON writes
 * an Edm.DateTime as `/Date(<ms since 1970 UTC>)/` (strict services refuse ISO text there), which
 * holds milliseconds: a value whose further digits are not all zeros cannot reach the service as
 * typed, and cutting them stored another instant without a word. Such a value is refused with a
 * TypeError naming the property and the value, and nothing is sent; trailing zeros, milliseconds
 * and a `Date` go as `/Date(ms)/`. Against a node:http service capturing the bodies.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { edm } from "../src/index.js";
import { serveClient } from "./servers/recording-server.js";

function noContent(_request: unknown, res: ServerResponse): void {
  res.writeHead(204);
  res.end();
}

const MS = Date.UTC(2024, 0, 2, 3, 4, 5, 123);

describe("a v2 write body with an edm.dateTime", () => {
  test("with digits beyond the millisecond is a TypeError naming the property and the value, and nothing is sent", async (t) => {
    const { server, client } = await serveClient(t, noContent, { version: "2.0" });
    const books = client.collection("Books");
    await assert.rejects(books.create({ ID: 1, changedAt: edm.dateTime("2024-01-02T03:04:05.1234567") }), {
      name: "TypeError",
      message:
        'create(entity): the entity cannot be sent as JSON (changedAt is edm.dateTime("2024-01-02T03:04:05.1234567"), whose digits beyond the millisecond OData v2 JSON cannot carry (/Date(ms)/ holds milliseconds); round it to the millisecond)',
    });
    // One tick past the millisecond is enough; in a complex value and a collection the path names it.
    await assert.rejects(books.key(1).update({ shipping: { due: edm.dateTime("2024-01-02T03:04:05.1230001") } }), (error: unknown) => {
      assert.ok(error instanceof TypeError);
      assert.match(error.message, /^update\(patch\): .*\(shipping\/due is edm\.dateTime\("2024-01-02T03:04:05\.1230001"\), whose digits beyond the millisecond/);
      return true;
    });
    await assert.rejects(books.key(1).replace({ days: [edm.dateTime("2024-01-02T00:00:00"), edm.dateTime("2024-01-02T00:00:00.0005")] }, { etag: false }), /days\/1 is edm\.dateTime\("2024-01-02T00:00:00\.0005"\)/);
    await assert.rejects(books.key(1).upsert({ changedAt: edm.dateTime("2024-01-02T03:04:05.999999999999") }), /changedAt is edm\.dateTime/);
    assert.equal(server.requests.length, 0);
  });

  test("whose digits beyond the millisecond are zeros, or that has none, is sent as /Date(ms)/; so is a Date", async (t) => {
    const { server, client } = await serveClient(t, noContent, { version: "2.0" });
    const books = client.collection("Books");
    await books.create({
      ID: 1,
      a: edm.dateTime("2024-01-02T03:04:05.1230000"),
      b: edm.dateTime("2024-01-02T03:04:05.123"),
      c: edm.dateTime("2024-01-02T03:04:05.1"),
      d: edm.dateTime("2024-01-02T03:04"),
      e: edm.dateTime(new Date(MS)),
      f: new Date(MS),
    });
    await books.key(1).update({ shipping: { due: edm.dateTime("2024-01-02T03:04:05.123000000000") } });
    assert.deepEqual(
      server.requests.map((request) => `${request.method} ${request.body}`),
      [
        `POST {"ID":1,"a":"/Date(${MS})/","b":"/Date(${MS})/","c":"/Date(${MS - 23})/","d":"/Date(${MS - 5123})/","e":"/Date(${MS})/","f":"/Date(${MS})/"}`,
        `MERGE {"shipping":{"due":"/Date(${MS})/"}}`,
      ],
    );
  });
});
