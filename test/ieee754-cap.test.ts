/**
 * What the README says of services that do not honour `IEEE754Compatible=true`: the SAP CAP the
 * suite runs answers a Decimal as a JSON number whether the client asks for the string form or
 * not, and its answer's Content-Type does not say which form it used. (test/ieee754-compatible.test.ts
 * checks what the client sends; this checks the service the README names.)
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient } from "../src/index.js";
import { startCap, type CapServer } from "./servers/cap.js";

let cap: CapServer;
before(async () => {
  cap = await startCap();
});
after(() => cap.stop());

for (const ieee754Compatible of [false, true]) {
  test(`CAP answers Books(1)'s Decimal price as a number to a client with ieee754Compatible: ${ieee754Compatible}`, async () => {
    const client = new ODataClient({ serviceUrl: cap.v4, ieee754Compatible, retry: false });
    let contentType: string | null = null;
    const book = await client.collection<{ price: unknown }>("Books").key(1).get({
      onResponse: (response) => {
        contentType = response.headers.get("content-type");
      },
    });
    assert.equal(typeof book.price, "number", `price ${JSON.stringify(book.price)}`);
    assert.match(String(contentType), /^application\/json/);
    assert.doesNotMatch(String(contentType), /IEEE754Compatible=true/i);
  });
}
