/**
 * The v2 reader gives an Edm.DateTime (`/Date(ms)/`, UTC) as ISO text with a `Z`; `edm.dateTime()`
 * takes that text back (and `+00:00`, `-00:00`, the same instant) and writes the literal without
 * it, so that the README's pattern `key({ ValidFrom: edm.dateTime(row.ValidFrom) })` and
 * `f.eq("ValidFrom", edm.dateTime(row.ValidFrom))` addresses the entity read. It refused the text
 * with a RangeError. Another offset is still refused, naming what to use instead.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { edm, ODataClientError } from "../src/index.js";
import { sendJson, serveClient } from "./servers/recording-server.js";

interface Price {
  CompanyCode: string;
  ValidFrom: string;
  ValidTo?: string;
  Amount?: string;
}

const ROOT = "sap/opu/odata/sap/ZSRV/";
const PRICE = { __metadata: { uri: "Prices", type: "ZSRV.Price" }, CompanyCode: "1000", ValidFrom: "/Date(1700000000000)/", Amount: "12.50" };

test("v2: a DateTime read as ...Z keys, filters and writes the entity it was read from: datetime'...' without the Z, /Date(ms)/ in a body", async (t) => {
  const { server, client } = await serveClient(
    t,
    (request, res) => {
      if (request.method === "MERGE") return void res.writeHead(204).end();
      sendJson(res, 200, request.path.includes("(") ? { d: PRICE } : { d: { results: [PRICE] } });
    },
    { version: "2.0" },
    ROOT,
  );
  const prices = client.collection<Price>("Prices");
  const [row] = await prices.list();
  assert.ok(row);
  assert.equal(row.ValidFrom, "2023-11-14T22:13:20Z");

  const one = await prices.key({ CompanyCode: row.CompanyCode, ValidFrom: edm.dateTime(row.ValidFrom) }).get();
  const found = await prices.filter((f) => f.eq("ValidFrom", edm.dateTime(row.ValidFrom))).list();
  await prices.key({ CompanyCode: row.CompanyCode, ValidFrom: edm.dateTime(row.ValidFrom) }).update({ ValidTo: edm.dateTime(row.ValidFrom) as unknown as string }, { ifMatch: "*" });
  // The same instant with a zero offset, as some services and tools write UTC.
  await prices.filter((f) => f.and(f.ge("ValidFrom", edm.dateTime("2023-11-14T22:13:20+00:00")), f.lt("ValidFrom", edm.dateTime("2023-11-15T00:00:00.5-00:00")))).list();

  assert.deepEqual(
    server.requests.map((request) => [request.method, decodeURIComponent(request.path), request.body]),
    [
      ["GET", `/${ROOT}Prices`, ""],
      ["GET", `/${ROOT}Prices(CompanyCode='1000',ValidFrom=datetime'2023-11-14T22:13:20')`, ""],
      ["GET", `/${ROOT}Prices?$filter=ValidFrom eq datetime'2023-11-14T22:13:20'`, ""],
      ["MERGE", `/${ROOT}Prices(CompanyCode='1000',ValidFrom=datetime'2023-11-14T22:13:20')`, '{"ValidTo":"/Date(1700000000000)/"}'],
      ["GET", `/${ROOT}Prices?$filter=ValidFrom ge datetime'2023-11-14T22:13:20' and ValidFrom lt datetime'2023-11-15T00:00:00.5'`, ""],
    ],
  );
  // What came back: the entity the key addressed, and the filter's match.
  assert.deepEqual([one.CompanyCode, one.ValidFrom, found.map((price) => price.ValidFrom)], ["1000", "2023-11-14T22:13:20Z", ["2023-11-14T22:13:20Z"]]);
});

test("v2: a DateTime text with another offset is refused before anything is sent, pointing to edm.dateTimeOffset() and new Date()", async (t) => {
  const { server, client } = await serveClient(t, (_request, res) => sendJson(res, 200, { d: { results: [] } }), { version: "2.0" }, ROOT);
  const prices = client.collection<Price>("Prices");
  const refused = (error: unknown) =>
    error instanceof RangeError && /^edm\.dateTime\(value\): the string "2023-11-14T23:13:20\+01:00" has the offset \+01:00/.test(error.message) && /edm\.dateTimeOffset\(value\)/.test(error.message) && /new Date\(value\)/.test(error.message);
  assert.throws(() => prices.filter((f) => f.eq("ValidFrom", edm.dateTime("2023-11-14T23:13:20+01:00"))), refused);
  // Text with a UTC offset is the same instant as the new Date() the message suggests.
  await prices.filter((f) => f.eq("ValidFrom", edm.dateTime("2023-11-14T22:13:20Z"))).list();
  await prices.filter((f) => f.eq("ValidFrom", new Date("2023-11-14T23:13:20+01:00"))).list();
  assert.deepEqual(
    server.requests.map((request) => decodeURIComponent(request.path)),
    [`/${ROOT}Prices?$filter=ValidFrom eq datetime'2023-11-14T22:13:20'`, `/${ROOT}Prices?$filter=ValidFrom eq datetime'2023-11-14T22:13:20.000'`],
  );
});

test("v4: a DateTime text with Z is still no v4 literal: UNSUPPORTED_BY_VERSION naming edm.dateTimeOffset(), which takes the text read as it is", async (t) => {
  const { server, client } = await serveClient(t, (_request, res) => sendJson(res, 200, { value: [{ ID: 1, At: "2023-11-14T22:13:20Z" }] }), { version: "4.0" });
  const events = client.collection<{ ID: number; At: string }>("Events");
  const [row] = await events.list();
  assert.ok(row);
  await assert.rejects(
    async () => events.filter((f) => f.eq("At", edm.dateTime(row.At))).list(),
    (error: unknown) => error instanceof ODataClientError && error.code === "UNSUPPORTED_BY_VERSION" && /edm\.dateTimeOffset\(\)/.test(error.message),
  );
  await events.filter((f) => f.eq("At", edm.dateTimeOffset(row.At))).list();
  assert.deepEqual(
    server.requests.map((request) => decodeURIComponent(request.path)),
    ["/odata/Events", "/odata/Events?$filter=At eq 2023-11-14T22:13:20Z"],
  );
});
