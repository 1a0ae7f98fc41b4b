import { test } from "node:test";
import assert from "node:assert/strict";
import { SharedRequest } from "./shared-request.js";

/** A request that settles when told to, and records the signal it was given. */
function deferred<T>() {
  let settle!: { resolve: (value: T) => void; reject: (error: unknown) => void };
  const signals: AbortSignal[] = [];
  const start = (signal: AbortSignal) => {
    signals.push(signal);
    return new Promise<T>((resolve, reject) => {
      settle = { resolve, reject };
      // As fetch does: an abort rejects the request with the signal's reason.
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    });
  };
  return { start, signals, settle: () => settle };
}

test("callers that ask while a request is in flight share it and its value", async () => {
  const shared = new SharedRequest<number>();
  const request = deferred<number>();
  const a = shared.join(request.start);
  const b = shared.join(request.start, new AbortController().signal);
  assert.equal(request.signals.length, 1);
  assert.equal(shared.pending, true);
  request.settle().resolve(7);
  assert.deepEqual(await Promise.all([a, b]), [7, 7]);
  assert.equal(shared.pending, false);
});

test("a caller that gives up rejects at once with its reason; the others still get the value", async () => {
  const shared = new SharedRequest<string>();
  const request = deferred<string>();
  const leaving = new AbortController();
  const staying = new AbortController();
  const left = shared.join(request.start, leaving.signal);
  const stays = shared.join(request.start, staying.signal);
  leaving.abort(new Error("left"));
  await assert.rejects(left, /left/);
  assert.equal(request.signals[0]!.aborted, false);
  request.settle().resolve("model");
  assert.equal(await stays, "model");
});

test("when the last caller gives up the request is aborted with its reason, and it rejects after the request unwound", async () => {
  const shared = new SharedRequest<string>();
  const order: string[] = [];
  const start = (signal: AbortSignal) =>
    new Promise<string>((_, reject) => {
      signal.addEventListener("abort", () => {
        // The request takes a turn to unwind, as a socket does.
        setTimeout(() => {
          order.push("request unwound");
          reject(signal.reason);
        }, 5);
      });
    });
  const first = new AbortController();
  const second = new AbortController();
  const a = shared.join(start, first.signal);
  const b = shared.join(start, second.signal);
  first.abort(new Error("first"));
  await assert.rejects(a, /first/);
  const reason = new Error("second");
  second.abort(reason);
  assert.equal(shared.pending, false);
  await assert.rejects(
    b.finally(() => order.push("caller rejected")),
    (error) => error === reason,
  );
  assert.deepEqual(order, ["request unwound", "caller rejected"]);
});

test("a caller without a signal keeps the request alive when every other caller gives up", async () => {
  const shared = new SharedRequest<number>();
  const request = deferred<number>();
  const patient = shared.join(request.start);
  const impatient = new AbortController();
  const gone = shared.join(request.start, impatient.signal);
  impatient.abort(new Error("bye"));
  await assert.rejects(gone, /bye/);
  assert.equal(request.signals[0]!.aborted, false);
  request.settle().resolve(3);
  assert.equal(await patient, 3);
});

test("an aborted signal rejects without starting anything; a failure is shared and then forgotten", async () => {
  const shared = new SharedRequest<number>();
  const request = deferred<number>();
  const aborted = AbortSignal.abort(new Error("already"));
  await assert.rejects(shared.join(request.start, aborted), /already/);
  assert.equal(request.signals.length, 0);
  const a = shared.join(request.start);
  const b = shared.join(request.start);
  request.settle().reject(new Error("503"));
  await assert.rejects(a, /503/);
  await assert.rejects(b, /503/);
  const again = shared.join(request.start);
  assert.equal(request.signals.length, 2);
  request.settle().resolve(1);
  assert.equal(await again, 1);
});

test("abort() aborts the request in flight with its reason: its callers reject, and the next caller starts a new one", async () => {
  const shared = new SharedRequest<number>();
  shared.abort(new Error("nothing in flight"));
  const request = deferred<number>();
  const patient = shared.join(request.start);
  const waiting = shared.join(request.start, new AbortController().signal);
  const reason = new Error("another request answered first");
  shared.abort(reason);
  assert.equal(request.signals[0]!.reason, reason);
  assert.equal(shared.pending, false);
  await assert.rejects(patient, (error) => error === reason);
  await assert.rejects(waiting, (error) => error === reason);
  const again = shared.join(request.start);
  assert.equal(request.signals.length, 2);
  assert.equal(request.signals[1]!.aborted, false);
  request.settle().resolve(5);
  assert.equal(await again, 5);
});
