/**
 * SAP's messages as SAP CAP sends them, read by `sapMessages()` from a call's `onResponse`: the v4
 * service's `sap-messages` header (a JSON array, `numericSeverity`), and the same messages through
 * CAP's OData v2 adapter, which sends them as Gateway does, in `sap-message` (the first message,
 * the others as its `details`). The repository's CAP service adds them to a read of Books asked
 * with `x-test-sap-messages` (test/servers/cap/srv/catalog-service.js).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, sapMessages, type SapMessage } from "../src/index.js";
import { useCap } from "./servers/use-cap.js";

describe("SAP CAP's messages, read by sapMessages()", () => {
  const cap = useCap();

  for (const version of ["4.0", "2.0"] as const) {
    test(`OData ${version}: a read's success, info and warning messages, with their codes and targets`, async () => {
      const client = new ODataClient({ serviceUrl: version === "4.0" ? cap.v4 : cap.v2, version });
      let messages: SapMessage[] = [];
      const book = await client.collection("Books").key(1).select("ID").get({
        headers: { "x-test-sap-messages": "yes" },
        onResponse: ({ headers }) => {
          const header = version === "4.0" ? "sap-messages" : "sap-message";
          assert.ok(headers.has(header), `no ${header} header among ${[...headers.keys()].join(", ")}`);
          messages = sapMessages(headers);
        },
      });
      assert.equal((book as { ID: number }).ID, 1);
      assert.deepEqual(messages, [
        // The v2 adapter marks a message without a target as a transition message (`/#TRANSIENT#`).
        { code: "BOOK_READ", message: "Book read", severity: "success", ...(version === "2.0" ? { transition: true } : {}) },
        { code: "STOCK_COUNTED", message: "Stock counted today", severity: "info", target: "stock" },
        { code: "PRICE_OLD", message: "Price is from last year", severity: "warning", target: "price" },
      ]);
    });
  }

  test("a read without the header: no message", async () => {
    const client = new ODataClient({ serviceUrl: cap.v4 });
    let messages: SapMessage[] | undefined;
    await client.collection("Books").key(1).get({ onResponse: ({ headers }) => void (messages = sapMessages(headers)) });
    assert.deepEqual(messages, []);
  });
});
