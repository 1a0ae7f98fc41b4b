/**
 * `sapMessages(headers)`: SAP's messages beside an answer, read from SAP Gateway's v2
 * `sap-message` header (one object, the further messages as its `details`) and the v4
 * `sap-messages` header of RAP and CAP (an array, severity as `numericSeverity`), normalised to one
 * shape. Pure reading of `Headers`; then on the wire, from a call's `onResponse` and from a `$batch`
 * part's headers, against node:http servers on 127.0.0.1. (The shapes are those SAP's stacks send:
 * @sap/cds writes `sap-messages` as a JSON array of `{code, message, numericSeverity, target, ...}`,
 * and its OData v2 adapter turns it into `sap-message` with the rest under `details`.)
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataHttpError, sapMessages, type SapMessage } from "../src/index.js";
import * as reader from "../src/read.js";
import { sendJson, sendText, startServer } from "./servers/recording-server.js";

/** A v2 Gateway header: the first message, two more as its details. */
const GATEWAY = {
  code: "/IWBEP/CM_MGW_RT/021",
  message: "Order 4711 saved",
  severity: "success",
  target: "",
  details: [
    { code: "ZSD/112", message: "Delivery date moved to Friday", target: "DeliveryDate", severity: "warning" },
    { code: "", message: "Credit check pending", target: "", severity: "info" },
  ],
};

/** A v4 header as RAP and CAP send it. */
const V4 = [
  { code: "ZSD/113", message: "Stock is low", numericSeverity: 3, target: "Quantity", transition: true },
  { code: "ZSD/114", message: "Reserved", numericSeverity: 1, longtextUrl: "/sap/opu/odata4/longtext/ZSD/114" },
  { code: "ZSD/115", message: "Note kept", numericSeverity: 2 },
  { code: 409, message: "Price changed meanwhile", numericSeverity: 4, target: "in/Price" },
];

const headers = (entries: Record<string, string>) => new Headers(entries);

describe("sapMessages", () => {
  test("a v2 Gateway sap-message: its own message, then each of its details as a message of its own", () => {
    assert.deepEqual(sapMessages(headers({ "sap-message": JSON.stringify(GATEWAY) })), [
      { code: "/IWBEP/CM_MGW_RT/021", message: "Order 4711 saved", severity: "success" },
      { code: "ZSD/112", message: "Delivery date moved to Friday", severity: "warning", target: "DeliveryDate" },
      { code: "", message: "Credit check pending", severity: "info" },
    ] satisfies SapMessage[]);
  });

  test("a v4 sap-messages array: numericSeverity 1 to 4 as success, info, warning, error; target, longtextUrl and transition kept", () => {
    assert.deepEqual(sapMessages(headers({ "SAP-Messages": JSON.stringify(V4) })), [
      { code: "ZSD/113", message: "Stock is low", severity: "warning", target: "Quantity", transition: true },
      { code: "ZSD/114", message: "Reserved", severity: "success", longtextUrl: "/sap/opu/odata4/longtext/ZSD/114" },
      { code: "ZSD/115", message: "Note kept", severity: "info" },
      { code: "409", message: "Price changed meanwhile", severity: "error", target: "in/Price" },
    ]);
  });

  test("a v2 transition message: its target marked /#TRANSIENT#, or a transient or transition flag", () => {
    const value = {
      message: "Printed",
      severity: "success",
      target: "/#TRANSIENT#",
      details: [
        { message: "Printer low on toner", severity: "warning", target: "/#TRANSIENT#/Orders('1')/Printer" },
        { message: "Flagged", severity: "info", transient: true, target: "Note" },
        { message: "Flagged too", severity: "info", transition: true },
        { message: "A state message", severity: "error", target: "Quantity" },
      ],
    };
    assert.deepEqual(sapMessages(headers({ "sap-message": JSON.stringify(value) })), [
      { code: "", message: "Printed", severity: "success", transition: true },
      { code: "", message: "Printer low on toner", severity: "warning", target: "/Orders('1')/Printer", transition: true },
      { code: "", message: "Flagged", severity: "info", target: "Note", transition: true },
      { code: "", message: "Flagged too", severity: "info", transition: true },
      { code: "", message: "A state message", severity: "error", target: "Quantity" },
    ]);
  });

  test("both headers, names in any case: the v2 header's messages first", () => {
    const both = headers({ "Sap-Message": JSON.stringify({ code: "A", message: "first", severity: "INFO" }), "sap-messages": JSON.stringify([{ code: "B", message: "second", numericSeverity: 3 }]) });
    assert.deepEqual(
      sapMessages(both).map((m) => `${m.code} ${m.severity} ${m.message}`),
      ["A info first", "B warning second"],
    );
  });

  test("no header gives no message; neither does a value that is not JSON (Gateway's XML form) or JSON cut short", () => {
    assert.deepEqual(sapMessages(new Headers()), []);
    assert.deepEqual(sapMessages(headers({ "content-type": "application/json" })), []);
    assert.deepEqual(sapMessages(headers({ "sap-message": '<notification><code>A</code><message>saved</message><severity>success</severity></notification>' })), []);
    assert.deepEqual(sapMessages(headers({ "sap-messages": '[{"code":"A","message":"sav' })), []);
    assert.deepEqual(sapMessages(headers({ "sap-message": "" })), []);
  });

  test("what is no message is left out and the rest kept: no text, not an object, an unknown severity read as an error", () => {
    const value = JSON.stringify([
      null,
      "text",
      42,
      [{ code: "nested", message: "an array is no message" }],
      { code: "no-text", severity: "info" },
      { code: "X", message: 7, numericSeverity: 2 },
      { code: "Y", message: "kept", numericSeverity: 9, target: 5, longtextUrl: "", transition: "yes" },
      { code: { a: 1 }, message: "kept too", severity: "constructor" },
      { message: "details that are no array", severity: "warning", details: "none" },
      { message: "details with holes", severity: "success", details: [null, { message: "inner", severity: "error" }, "x"] },
    ]);
    assert.deepEqual(sapMessages(headers({ "sap-messages": value })), [
      { code: "Y", message: "kept", severity: "error" },
      { code: "", message: "kept too", severity: "error" },
      { code: "", message: "details that are no array", severity: "warning" },
      { code: "", message: "details with holes", severity: "success" },
      { code: "", message: "inner", severity: "error" },
    ]);
  });

  test("a header sent as UTF-8 bytes reads as its text; CAP's \\u escapes as theirs", () => {
    // Headers holds what fetch read from the bytes, one character each (ISO-8859-1).
    const bytes = String.fromCharCode(...new TextEncoder().encode(JSON.stringify({ code: "A", message: "Müller gespeichert", severity: "success" })));
    assert.deepEqual(sapMessages(headers({ "sap-message": bytes })), [{ code: "A", message: "Müller gespeichert", severity: "success" }]);
    assert.deepEqual(sapMessages(headers({ "sap-messages": '[{"code":"B","message":"Gr\\u00fc\\u00dfe","numericSeverity":2}]' })), [{ code: "B", message: "Grüße", severity: "info" }]);
  });

  test("details nested deeper than a recursive reading could follow are read to the last", () => {
    // Written as text: JSON.stringify itself recurses. 20,000 levels outrun Node's call stack.
    const depth = 20_000;
    const text = '{"message":"outer","severity":"info","details":['.repeat(depth) + '{"code":"leaf","message":"leaf","severity":"info"}' + "]}".repeat(depth);
    const read = sapMessages(headers({ "sap-message": text }));
    assert.equal(read.length, depth + 1);
    assert.deepEqual(read.at(-1), { code: "leaf", message: "leaf", severity: "info" });
    // And as many details as a function takes no arguments of, in their order.
    const wide = JSON.stringify({ message: "outer", severity: "info", details: Array.from({ length: 150_000 }, (_, i) => ({ message: String(i), severity: "info" })) });
    const all = sapMessages(headers({ "sap-message": wide }));
    assert.equal(all.length, 150_001);
    assert.deepEqual([all[1]?.message, all.at(-1)?.message], ["0", "149999"]);
  });

  test("traverse-odata/read exports it too, the same function", () => {
    assert.equal(reader.sapMessages, sapMessages);
  });
});

describe("sapMessages on the wire", () => {
  test("an update's answer, read through onResponse: the messages SAP sent beside the 204", async (t) => {
    const server = await startServer((request, res) => {
      res.writeHead(204, { "sap-message": JSON.stringify(GATEWAY) });
      res.end();
    });
    t.after(() => server.close());
    const client = new ODataClient({ serviceUrl: server.url("sap/opu/odata/sap/ZSD_SRV/"), version: "2.0", retry: false });
    let messages: SapMessage[] = [];
    await client.collection("SalesOrders").key("4711").update({ Note: "rush" }, { onResponse: ({ headers }) => void (messages = sapMessages(headers)) });
    assert.deepEqual(
      messages.map((m) => `${m.severity}: ${m.message}`),
      ["success: Order 4711 saved", "warning: Delivery date moved to Friday", "info: Credit check pending"],
    );
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.path}`),
      ["MERGE /sap/opu/odata/sap/ZSD_SRV/SalesOrders('4711')"],
    );
  });

  test("a $batch part's headers: a success part's result carries them, and sapMessages reads its messages", async (t) => {
    const part = `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nsap-messages: ${JSON.stringify(V4.slice(0, 1))}\r\n\r\n{"ID":1}`;
    const server = await startServer((_request, res) => {
      sendText(res, 200, `--b1\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n${part}\r\n--b1--\r\n`, { "content-type": "multipart/mixed; boundary=b1" });
    });
    t.after(() => server.close());
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false });
    const batch = client.batch();
    batch.get(client.collection("Items").key(1));
    const [result] = await batch.send();
    assert.ok(result?.ok);
    assert.deepEqual(sapMessages(result.headers), [{ code: "ZSD/113", message: "Stock is low", severity: "warning", target: "Quantity", transition: true }]);
  });

  test("an ODataHttpError's headers, a record of lower-case names: the messages SAP sent beside the error", async (t) => {
    const server = await startServer((_request, res) => {
      res.setHeader("SAP-Message", JSON.stringify({ code: "ZSD/017", message: "Credit check deferred", severity: "warning", target: "", details: [] }));
      sendJson(res, 409, { error: { code: "ZSD/020", message: { lang: "en", value: "Order is locked" } } });
    });
    t.after(() => server.close());
    const client = new ODataClient({ serviceUrl: server.url("svc/"), version: "2.0", retry: false });
    const error = await client.collection("SalesOrders").key("4711").get().then(
      () => assert.fail("the read should have been refused"),
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof ODataHttpError, String(error));
    assert.equal(error.status, 409);
    assert.deepEqual(sapMessages(error.headers), [{ code: "ZSD/017", message: "Credit check deferred", severity: "warning" }]);
    assert.deepEqual(sapMessages({ "SAP-MESSAGES": '[{"code":"A","message":"done","numericSeverity":1}]' }), [{ code: "A", message: "done", severity: "success" }]);
  });

  test("an answer without the headers gives none", async (t) => {
    const server = await startServer((_request, res) => sendJson(res, 200, { ID: 1 }));
    t.after(() => server.close());
    const client = new ODataClient({ serviceUrl: server.url("svc/"), retry: false });
    let messages: SapMessage[] | undefined;
    await client.collection("Items").key(1).get({ onResponse: ({ headers }) => void (messages = sapMessages(headers)) });
    assert.deepEqual(messages, []);
  });
});
