/**
 * A body left before its end is cancelled without waiting for the cancel: a Response whose
 * stream's cancel never settles (one a pipeline step or the `fetch` option builds) must not hold
 * the reading's error (the byte limit) nor a loop that leaves the chunks early. The cancel is
 * still asked for.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readBodyBytes, readBodyChunks } from "../src/http/body.js";

const url = new URL("https://service.example/odata/Books");

/** A body of endless 10-byte chunks whose cancel is counted and never settles. */
function endlessBody(): { response: Response; cancels: () => number } {
  let cancels = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.enqueue(new Uint8Array(10));
    },
    cancel() {
      cancels++;
      return new Promise<void>(() => {});
    },
  });
  return { response: new Response(stream), cancels: () => cancels };
}

/** `promise`, or "pending" when it has not settled within `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | "pending"> {
  return Promise.race([promise, new Promise<"pending">((resolve) => setTimeout(() => resolve("pending"), ms).unref())]);
}

test("a body over the limit rejects with BAD_PAYLOAD though its cancel never settles, and its cancel was asked for", async () => {
  const { response, cancels } = endlessBody();
  const outcome = await within(
    readBodyBytes(response, "GET", url, undefined, 15).then(
      () => "resolved",
      (error: { code?: string; message?: string }) => `${error.code}: ${error.message}`,
    ),
    2000,
  );
  assert.equal(outcome, "BAD_PAYLOAD: GET https://service.example/odata/Books answered more than 15 bytes");
  assert.equal(cancels(), 1);
});

test("a loop that leaves the chunks early ends though the body's cancel never settles", async () => {
  const { response, cancels } = endlessBody();
  const read = async () => {
    let seen = 0;
    for await (const chunk of readBodyChunks(response, "GET", url, undefined)) {
      seen += chunk.byteLength;
      if (seen >= 30) break;
    }
    return seen;
  };
  assert.equal(await within(read(), 2000), 30);
  assert.equal(cancels(), 1);
});
