import { test } from "node:test";
import assert from "node:assert/strict";
import { readJsonPrefix } from "./json-prefix.js";

// Parsed from text, so that "__proto__" is a member as in any JSON a service sends.
const WHOLE = JSON.parse(
  JSON.stringify({
    error: {
      code: "SY/530",
      message: { lang: "en", value: 'Caf\u00e9 "quoted" \\ and \ud83d\ude00' },
      target: null,
      flags: [true, false, -1.5e3, 0, 12],
      innererror: { errordetails: [{ code: "D1", message: "first" }, { code: "D2", message: "second" }], proto: "x" },
    },
  }).replace('"proto"', '"__proto__"'),
) as { error: { code: string; message: unknown; flags: unknown[]; innererror: { errordetails: unknown[] } } };

test("every cut of a JSON text reads without throwing, keeping exactly the members and items that are whole", () => {
  const text = JSON.stringify(WHOLE, null, 1);
  for (let length = 1; length < text.length; length++) {
    const prefix = readJsonPrefix(text.slice(0, length));
    if (prefix === undefined) {
      assert.ok(length <= 1, `a cut at ${length} read as nothing`);
      continue;
    }
    // What was read is the whole value with members and items missing, never one that differs.
    assertPartOf(prefix.value, WHOLE, prefix.cut, `cut at ${length}`);
    assert.ok(prefix.cut.has(prefix.value as object), `cut at ${length}: the top object is marked cut`);
  }
  assert.equal(readJsonPrefix(text), undefined, "a whole text is left to JSON.parse");
});

test("a cut just before the end keeps the code and the message; the innererror it ends inside is marked", () => {
  const text = JSON.stringify(WHOLE);
  const prefix = readJsonPrefix(text.slice(0, text.indexOf('"D2"')));
  assert.ok(prefix);
  const error = (prefix.value as typeof WHOLE).error;
  assert.equal(error.code, "SY/530");
  assert.deepEqual(error.message, WHOLE.error.message);
  assert.ok(prefix.cut.has(error.innererror));
  // The second detail is opened and cut before its first member: there, and marked.
  assert.deepEqual(error.innererror.errordetails, [{ code: "D1", message: "first" }, {}]);
  assert.ok(prefix.cut.has(error.innererror.errordetails[1] as object));
  assert.ok(!prefix.cut.has(error.innererror.errordetails[0] as object));
  assert.ok(!prefix.cut.has(error.flags));
});

test("strings, numbers and literals cut inside are left out, not shortened", () => {
  assert.deepEqual(readJsonPrefix('{"a":"abc')?.value, {});
  assert.deepEqual(readJsonPrefix('{"a":"ab\\"c", "b": 12')?.value, { a: 'ab"c' });
  assert.deepEqual(readJsonPrefix('{"a":tr')?.value, {});
  assert.deepEqual(readJsonPrefix('{"a":[1,2,nul')?.value, { a: [1, 2] });
  assert.deepEqual(readJsonPrefix('{"a\\')?.value, {});
  assert.deepEqual(readJsonPrefix('[ "x", {"y": 1}, ')?.value, ["x", { y: 1 }]);
});

test("a text that is no JSON before its end reads as nothing", () => {
  for (const text of ['{"a":1 "b":2', '{"a":x', "{a:1", '{"a":1}}', '{"a":"tab\there", "b": 1', '{"a":01', '["x" 1', '{"a":[1,]']) {
    assert.equal(readJsonPrefix(text), undefined, text);
  }
  assert.equal(readJsonPrefix("  "), undefined);
  assert.equal(readJsonPrefix('"abc'), undefined, "a cut string alone holds nothing whole");
  assert.equal(readJsonPrefix("12"), undefined);
});

/** Whether `part` is `whole` with members and items left out only where `cut` says the cut ended inside. */
function assertPartOf(part: unknown, whole: unknown, cut: WeakSet<object>, where: string): void {
  if (typeof part !== "object" || part === null) {
    assert.deepEqual(part, whole, where);
    return;
  }
  assert.equal(typeof whole, "object", where);
  if (Array.isArray(part)) {
    assert.ok(Array.isArray(whole), where);
    if (!cut.has(part)) assert.equal(part.length, whole.length, `${where}: a whole array`);
    part.forEach((item, index) => assertPartOf(item, whole[index], cut, `${where}[${index}]`));
    return;
  }
  const wholeKeys = Object.keys(whole as object);
  const keys = Object.keys(part);
  assert.deepEqual(keys, wholeKeys.slice(0, keys.length), `${where}: members in order`);
  if (!cut.has(part)) assert.equal(keys.length, wholeKeys.length, `${where}: a whole object`);
  for (const key of keys) assertPartOf((part as Record<string, unknown>)[key], (whole as Record<string, unknown>)[key], cut, `${where}.${key}`);
}

test("nesting deeper than the reader goes counts as the end of the text: no stack overflow, what comes before is kept", () => {
  const text = `{"error":{"code":"C","message":"m","innererror":${"[".repeat(70_000)}`;
  const prefix = readJsonPrefix(text);
  assert.ok(prefix);
  const error = (prefix.value as { error: { code: string; message: string; innererror: unknown } }).error;
  assert.deepEqual([error.code, error.message], ["C", "m"]);
  assert.ok(prefix.cut.has(error.innererror as object));
  // As deep as the limit and closed: read whole.
  const shallow = `{"a":${"[".repeat(100)}1${"]".repeat(100)},"b":`;
  assert.deepEqual((readJsonPrefix(shallow)?.value as { a: unknown }).a, JSON.parse(`${"[".repeat(100)}1${"]".repeat(100)}`));
});
