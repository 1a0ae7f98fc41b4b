import { test } from "node:test";
import assert from "node:assert/strict";
import { splitOutside } from "./split-outside.js";

test("splitOutside parts a text at separators outside parentheses and string literals, keeping empty parts", () => {
  assert.deepEqual(splitOutside("a($select=x,y),b", ","), ["a($select=x,y)", "b"]);
  assert.deepEqual(splitOutside("$filter=t eq 'a;b';$top=1", ";"), ["$filter=t eq 'a;b'", "$top=1"]);
  assert.deepEqual(splitOutside("n eq 'O''Brien,x',m", ","), ["n eq 'O''Brien,x'", "m"]);
  assert.deepEqual(splitOutside(",a,", ","), ["", "a", ""]);
  assert.deepEqual(splitOutside("", ","), [""]);
});

test("splitOutside leaves $search phrases whole: separators, parentheses and apostrophes inside double quotes", () => {
  assert.deepEqual(splitOutside('$search="blue;green";$top=1', ";"), ['$search="blue;green"', "$top=1"]);
  assert.deepEqual(splitOutside('Kids($search="a)b"),Other', ","), ['Kids($search="a)b")', "Other"]);
  assert.deepEqual(splitOutside(`Kids($search="it's";$top=1),Other`, ","), [`Kids($search="it's";$top=1)`, "Other"]);
  assert.deepEqual(splitOutside('$search="say \\"hi;\\" now";$top=1', ";"), ['$search="say \\"hi;\\" now"', "$top=1"]);
});
