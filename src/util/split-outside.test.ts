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
