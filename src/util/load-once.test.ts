import { test } from "node:test";
import assert from "node:assert/strict";
import { loadOnce } from "./load-once.js";

test("loadOnce loads once for every caller, and tries again after a failed load", async () => {
  let calls = 0;
  let fail = true;
  const load = loadOnce(async () => {
    calls++;
    if (fail) throw new Error("offline");
    return { value: calls };
  });
  await assert.rejects(Promise.all([load(), load()]), /offline/);
  assert.equal(calls, 1, "two callers at once share one load");
  fail = false;
  const [first, second] = await Promise.all([load(), load()]);
  assert.equal(first, second);
  assert.deepEqual(await load(), { value: 2 });
  assert.equal(calls, 2);
});
