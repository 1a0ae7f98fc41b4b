// SAP Gateway's XML error with no details (`<errordetails/>`, or the element open and closed with
// nothing but white space in it) gave `innererror.errordetails` as the text `""`, where its JSON
// form (and an XML error with one or several details: error-xml-errordetails.test.ts) has an
// array: a caller's `errordetails.map(...)` threw, `.length` was 0 by accident. It is now `[]`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { sendText, serveClient } from "./servers/recording-server.js";
import { httpError } from "./http-error.js";

const M = "http://schemas.microsoft.com/ado/2007/08/dataservices/metadata";
const xmlError = (details: string) =>
  `<?xml version="1.0" encoding="utf-8"?><error xmlns="${M}"><code>ZV/000</code><message xml:lang="en">not valid</message><innererror><transactionid>ABC</transactionid>${details}</innererror></error>`;

test("an XML error's empty errordetails is an empty array, as in the JSON form", async (t) => {
  const forms = ["<errordetails/>", "<errordetails></errordetails>", "<errordetails>\n  </errordetails>"];
  let answer = "";
  const { server, client } = await serveClient(t, (_request, res) => sendText(res, 400, answer, { "content-type": "application/xml" }), { version: "2.0" });
  for (const [i, form] of forms.entries()) {
    answer = xmlError(form);
    const error = await httpError(client.collection("Products").key(i).get());
    assert.equal(error.status, 400);
    assert.equal(error.odataError?.code, "ZV/000");
    assert.deepEqual(error.odataError?.innererror, { transactionid: "ABC", errordetails: [] }, form);
  }
  assert.deepEqual(server.requests.map((r) => r.path), ["/odata/Products(0)", "/odata/Products(1)", "/odata/Products(2)"]);
});

test("an empty element of another name keeps its text, as before", async (t) => {
  const { server, client } = await serveClient(t, (_request, res) => sendText(res, 400, xmlError("<propertyref/><errordetails/>"), { "content-type": "application/xml" }), { version: "2.0" });
  const error = await httpError(client.collection("Products").key(1).get());
  assert.deepEqual(error.odataError?.innererror, { transactionid: "ABC", propertyref: "", errordetails: [] });
  assert.equal(server.requests.length, 1);
});
