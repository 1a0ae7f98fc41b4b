// An empty batch is refused before anything is sent, the error naming the method called.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient } from "../src/index.js";
import { serve } from "./batch-server.js";

for (const format of ["multipart", "json"] as const) {
  test(`${format}: sendAsync() of a batch without requests rejects with a TypeError naming sendAsync(), and sends nothing`, async () => {
    const service = await serve(() => ({ status: 500 }));
    try {
      const client = new ODataClient({ serviceUrl: service.url, version: "4.01" });
      await assert.rejects(client.batch({ format }).sendAsync(), { name: "TypeError", message: "sendAsync(): the batch holds no requests" });
      await assert.rejects(client.batch({ format }).toRequest(), { name: "TypeError", message: "toRequest(): the batch holds no requests" });
      await assert.rejects(client.batch({ format }).send(), { name: "TypeError", message: "send(): the batch holds no requests" });
      assert.equal(service.seen.length, 0);
    } finally {
      service.close();
    }
  });
}
