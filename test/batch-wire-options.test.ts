// toRequest() and readAnswer(), which send nothing, refuse options that are no object and members
// they do not take, as send() and every read do: they took any (toRequest(5), readAnswer(answer,
// { continueOnError: true }), the latter an option of send() that readAnswer() has no use for).
import { test } from "node:test";
import assert from "node:assert/strict";
import { ODataClient } from "../src/index.js";

const client = new ODataClient({ serviceUrl: "http://127.0.0.1:9/svc/" });
const batchOfOne = () => {
  const batch = client.batch({ format: "json" });
  batch.get(client.collection("Books").key(1));
  return batch;
};
const ANSWER = { contentType: "application/json", body: JSON.stringify({ responses: [{ id: "1", status: 200, headers: { "content-type": "application/json" }, body: { ID: 1 } }] }) };

test("toRequest() refuses options that are no object and unknown members, and takes continueOnError", async () => {
  await assert.rejects(batchOfOne().toRequest(5 as never), { name: "TypeError", message: "toRequest(): options must be an object; got 5" });
  await assert.rejects(batchOfOne().toRequest({ continueOnerror: true } as never), {
    name: "TypeError",
    message: 'toRequest() has no option "continueOnerror" (did you mean "continueOnError"?); it takes continueOnError',
  });
  const request = await batchOfOne().toRequest({ continueOnError: true });
  assert.equal(request.url, "http://127.0.0.1:9/svc/$batch");
  assert.match(request.headers["prefer"] ?? "", /continue-on-error/);
});

test("readAnswer() refuses options that are no object and unknown members, and reads the answer without them", async () => {
  await assert.rejects(batchOfOne().readAnswer(ANSWER, "x" as never), { name: "TypeError", message: 'readAnswer(): options must be an object; got the string "x"' });
  await assert.rejects(batchOfOne().readAnswer(ANSWER, { continueOnError: true } as never), {
    name: "TypeError",
    message: 'readAnswer() has no option "continueOnError"; it takes continuation',
  });
  const results = await batchOfOne().readAnswer(ANSWER);
  assert.equal(results.length, 1);
  assert.equal(results.ok, true);
  const first = results[0]!;
  assert.ok(first.ok, "the part succeeded");
  assert.deepEqual(first.value, { ID: 1 });
});

test("readAnswer()'s continuation is checked when the answer is read, as send()'s is before sending, not when a continuation is first followed", async () => {
  await assert.rejects(batchOfOne().readAnswer(ANSWER, { continuation: { pollIntervall: 5 } as never }), {
    name: "TypeError",
    message: 'readAnswer(): option "continuation" has no option "pollIntervall"; it takes signal, timeout, onResponse, pollInterval, maxWait, onProgress',
  });
  await assert.rejects(batchOfOne().readAnswer(ANSWER, { continuation: { pollInterval: -1 } }), { name: "RangeError", message: "the batch's continuation: option \"pollInterval\" must be a finite number of ms >= 0; got -1" });
  await assert.rejects(batchOfOne().readAnswer(ANSWER, { continuation: 5 as never }), { name: "TypeError", message: /^readAnswer\(\): option "continuation"/ });
  // Taken where right: the answer, complete, needs no continuation.
  const results = await batchOfOne().readAnswer(ANSWER, { continuation: { pollInterval: 5 } });
  assert.equal(results.continuation, undefined);
  assert.equal(results.ok, true);
});
