/**
 * A foreign cause that the runtime marks with a member it makes fixed (Deno gives every
 * DOMException an own, non-configurable host-object symbol) is copied redacted as any other: the
 * copy, made by the runtime too, keeps its own mark, and the rest of the cause is kept. It was
 * replaced whole by `***` in Deno, a timeout's `DOMException` among them. Node's DOMException has
 * no such member, so the test gives it one, as Deno's constructor does.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient, ODataClientError } from "../src/index.js";
import { startServer } from "./servers/recording-server.js";

const HOST_OBJECT = Symbol("host object");

/** DOMException as Deno makes it: each instance with a fixed own symbol member. */
class HostMarkedDOMException extends DOMException {
  constructor(message?: string, name?: string) {
    super(message, name);
    Object.defineProperty(this, HOST_OBJECT, { value: {}, configurable: false, enumerable: false, writable: false });
  }
}

test("a DOMException cause marked with a fixed member is kept, redacted, not replaced by ***", async (t) => {
  const original = globalThis.DOMException;
  globalThis.DOMException = HostMarkedDOMException as typeof DOMException;
  t.after(() => {
    globalThis.DOMException = original;
  });
  const token = "eyJhbGciOiJIUzI1NiJ9.host-object-test";
  const plain = new ODataClientError("NETWORK_ERROR", "failed", { cause: new HostMarkedDOMException("plain failure", "NetworkError") });
  assert.ok(plain.cause instanceof DOMException, String(plain.cause));
  assert.deepEqual([(plain.cause as DOMException).name, (plain.cause as DOMException).message], ["NetworkError", "plain failure"]);
  const secret = new ODataClientError("NETWORK_ERROR", "failed", { cause: new HostMarkedDOMException(`sent Authorization: Bearer ${token}`, "NetworkError") });
  assert.ok(secret.cause instanceof DOMException);
  assert.equal((secret.cause as DOMException).message, "sent Authorization: ***");

  // End to end: a custom fetch that fails with such a DOMException, as a timeout's does.
  const server = await startServer(() => undefined);
  t.after(() => server.close());
  const client = new ODataClient({
    serviceUrl: server.url("svc/"),
    retry: false,
    auth: { bearer: token },
    fetch: async () => {
      throw new HostMarkedDOMException("The operation timed out.", "TimeoutError");
    },
  });
  const error = await client.collection("Books").list().then(
    () => assert.fail("resolved"),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof ODataClientError && error.code === "NETWORK_ERROR", String(error));
  assert.ok(error.cause instanceof DOMException, String(error.cause));
  assert.deepEqual([(error.cause as DOMException).name, (error.cause as DOMException).message], ["TimeoutError", "The operation timed out."]);
});
