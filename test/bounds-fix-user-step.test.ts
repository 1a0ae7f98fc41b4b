// A pipeline step of your own (option `steps`, custom auth) that waits on something of its own
// before it calls `next` (a token service that hangs) is bounded by the request's `timeout` and by
// the caller's signal, as the auth step's wait for a token is: the request rejects at the timeout
// (TIMEOUT) or at the abort (the caller's reason), not when the step's wait ends, and a `next` the
// step calls after that sends nothing and rejects with the same reason. node:http on 127.0.0.1;
// each test reads what arrived there.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClientError, type PipelineStep } from "../src/index.js";
import { answerJson, serveClient } from "./servers/recording-server.js";

/** A step that waits until `release()` before it calls next, and keeps what that late next gave. */
function slowStep(): { step: PipelineStep; release: () => void; late: Promise<unknown> } {
  let release = () => {};
  // Released by the test, or after 2 s at the latest: a request the step holds up fails the
  // test's time bound rather than hanging it.
  const released = new Promise<void>((resolve) => {
    const latest = setTimeout(resolve, 2000);
    release = () => {
      clearTimeout(latest);
      resolve();
    };
  });
  let settleLate: (outcome: unknown) => void = () => {};
  const late = new Promise<unknown>((resolve) => (settleLate = resolve));
  const step: PipelineStep = {
    name: "my-auth",
    async handle(request, next) {
      await released;
      request.headers.set("authorization", "Bearer late");
      try {
        const response = await next(request);
        settleLate(response);
        return response;
      } catch (error) {
        settleLate(error);
        throw error;
      }
    },
  };
  return { step, release, late };
}

test("a step that waits before next: the request rejects with TIMEOUT at the timeout; a next called later sends nothing", async (t) => {
  const { step, release, late } = slowStep();
  const { server, client } = await serveClient(t, answerJson(200, { value: [] }), { timeout: 150, steps: [step] });
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on("unhandledRejection", onUnhandled);
  t.after(() => process.off("unhandledRejection", onUnhandled));
  const started = Date.now();
  const error = await client.collection("Items").page().then(
    () => assert.fail("resolved"),
    (failure: unknown) => failure,
  );
  const took = Date.now() - started;
  assert.ok(error instanceof ODataClientError, `got ${String(error)}`);
  assert.equal(error.code, "TIMEOUT");
  assert.match(error.message, /^GET http:\/\/127\.0\.0\.1:\d+\/odata\/Items got no answer within 150 ms \(option "timeout"\)$/);
  // The step still waits; the request did not.
  assert.ok(took < 1000, `rejected after ${took} ms`);
  release();
  const outcome = await late;
  assert.ok(outcome instanceof ODataClientError && outcome.code === "TIMEOUT", `the late next gave ${String(outcome)}`);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(server.requests, []);
  assert.deepEqual(unhandled, []);
});

test("a step that waits before next: the caller's abort rejects the request at once with its reason; a next called later sends nothing", async (t) => {
  const { step, release, late } = slowStep();
  // timeout 0: only the caller's signal bounds the request.
  const { server, client } = await serveClient(t, answerJson(200, { value: [] }), { timeout: 0, steps: [step] });
  const controller = new AbortController();
  const reason = new Error("user-stop");
  setTimeout(() => controller.abort(reason), 100);
  const started = Date.now();
  const error = await client.collection("Items").page({ signal: controller.signal }).then(
    () => assert.fail("resolved"),
    (failure: unknown) => failure,
  );
  const took = Date.now() - started;
  assert.equal(error, reason);
  assert.ok(took < 1000, `rejected after ${took} ms`);
  release();
  assert.equal(await late, reason);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(server.requests, []);
});

test("a step that calls next at once is not held up: the request goes out with what the step set and resolves", async (t) => {
  const step: PipelineStep = {
    name: "my-auth",
    handle(request, next) {
      request.headers.set("authorization", "Bearer now");
      return next(request);
    },
  };
  // A timeout the request easily keeps to on a loaded machine: only that the step costs it nothing is shown.
  const { server, client } = await serveClient(t, answerJson(200, { value: [{ ID: 1 }] }), { timeout: 1000, steps: [step] });
  const controller = new AbortController();
  const page = await client.collection("Items").page({ signal: controller.signal });
  assert.deepEqual(page.value, [{ ID: 1 }]);
  assert.equal(server.requests.length, 1);
  assert.equal(server.requests[0]?.headers.authorization, "Bearer now");
});
