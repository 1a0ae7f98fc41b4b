// `continueOnError` sends `Prefer: odata.continue-on-error` to OData v2 services too, and that is
// right: a v2 service that stops a batch at a failed request may honour it. SAP CAP's OData v2
// adapter passes the preference on to the v4 service it translates to: without it, the requests
// after a failed one read BATCH_NOT_EXECUTED; with it, they are answered. (OData v2 defines no
// preference of its own for this; a v2 service that always goes on ignores an unknown preference,
// RFC 7240 §2.) No change: this pins the behaviour against the real SAP CAP server.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient } from "../src/index.js";
import { useCap } from "./servers/use-cap.js";

describe("SAP CAP through its OData v2 adapter", () => {
  const cap = useCap();
  for (const continueOnError of [false, true]) {
    test(`continueOnError: ${continueOnError} ${continueOnError ? "sends the preference, and the requests after a failure are answered" : "sends none, and the service stops at the failure"}`, async () => {
      const prefer: Array<string | null> = [];
      const client = new ODataClient({
        serviceUrl: cap.v2,
        version: "2.0",
        retry: false,
        steps: [{ name: "record", handle: async (request, next) => (prefer.push(new Headers(request.headers).get("prefer")), next(request)) }],
      });
      const books = client.collection<{ ID: number }>("Books");
      const batch = client.batch();
      const missing = batch.get(books.key(999999));
      const after = batch.get(books.key(1));
      await batch.send({ continueOnError });
      assert.deepEqual(prefer, [continueOnError ? "odata.continue-on-error" : null]);
      const failed = missing.result();
      assert.ok(!failed.ok && failed.status === 404);
      const next = after.result();
      if (continueOnError) {
        assert.ok(next.ok, next.ok ? "" : next.error.message);
        assert.equal(next.value?.ID, 1);
      } else {
        assert.ok(!next.ok);
        assert.equal(next.error.code, "BATCH_NOT_EXECUTED");
      }
    });
  }
});
