/**
 * SAP Gateway's XML error body (an OData v2 service answers XML where it does not honour the JSON
 * asked for) gives `innererror.errordetails` as the array its JSON form has, with one
 * `<errordetail>` as with several, where one came as an object (`{ errordetail: {...} }`) and
 * several as `{ errordetail: [...] }`. Real HTTP (node:http, port 0).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { sendText, serveClient } from "./servers/recording-server.js";
import { httpError } from "./http-error.js";

const M = "http://schemas.microsoft.com/ado/2007/08/dataservices/metadata";
const detail = (n: number) => `<errordetail><code>ZV/00${n}</code><message>row ${n} is not valid</message><propertyref></propertyref><severity>error</severity><target>Price</target></errordetail>`;
const xmlError = (details: number[]) =>
  `<?xml version="1.0" encoding="utf-8"?><error xmlns="${M}"><code>ZV/000</code><message xml:lang="en">not valid</message><innererror><application><component_id>ZV</component_id></application><transactionid>ABC</transactionid><errordetails>${details.map(detail).join("")}</errordetails></innererror></error>`;
const jsonDetail = (n: number) => ({ code: `ZV/00${n}`, message: `row ${n} is not valid`, propertyref: "", severity: "error", target: "Price" });

test("an XML error's errordetails is an array of one detail or of several, as in the JSON form; the rest of innererror as before", async (t) => {
  let answer = xmlError([1]);
  const { server, client } = await serveClient(t, (_request, res) => sendText(res, 400, answer, { "content-type": "application/xml" }), { version: "2.0" });
  const one = await httpError(client.collection("Products").key(1).get());
  answer = xmlError([1, 2]);
  const two = await httpError(client.collection("Products").key(2).get());
  assert.deepEqual(server.requests.map((r) => r.path), ["/odata/Products(1)", "/odata/Products(2)"]);
  assert.equal(one.status, 400);
  assert.equal(one.odataError?.code, "ZV/000");
  assert.equal(one.odataError?.message, "not valid");
  assert.deepEqual(one.odataError?.innererror, { application: { component_id: "ZV" }, transactionid: "ABC", errordetails: [jsonDetail(1)] });
  assert.deepEqual(two.odataError?.innererror, { application: { component_id: "ZV" }, transactionid: "ABC", errordetails: [jsonDetail(1), jsonDetail(2)] });
});
