import { test } from "node:test";
import assert from "node:assert/strict";
import { utf8Text } from "./utf8-text.js";

const bytes = (text: string) => Buffer.from(text, "utf8").toString("latin1");

test("a value whose bytes are UTF-8 is read as that text", () => {
  assert.equal(utf8Text(bytes("Tgt/Müller€")), "Tgt/Müller€");
  assert.equal(utf8Text(bytes("Books('日本')")), "Books('日本')");
});

test("ASCII, a value that is no UTF-8 as bytes, and one not read from bytes stay as they are", () => {
  assert.equal(utf8Text("Tgt/M%C3%BCller"), "Tgt/M%C3%BCller");
  assert.equal(utf8Text("Tgt/M\xfcller"), "Tgt/M\xfcller");
  assert.equal(utf8Text("\xc3"), "\xc3");
  assert.equal(utf8Text("Müller€"), "Müller€");
});
