import { test } from "node:test";
import assert from "node:assert/strict";
import { base64, base64Url, base64UrlUnpadded, bytesFromHex } from "./base64.js";
import { bytesOfBase64 } from "./base64-text.js";

test("base64 encodes bytes as RFC 4648 does, padding included", () => {
  const cases: [string, string][] = [["", ""], ["f", "Zg=="], ["fo", "Zm8="], ["foo", "Zm9v"], ["foobar", "Zm9vYmFy"]];
  for (const [text, encoded] of cases) assert.equal(base64(new TextEncoder().encode(text)), encoded);
  assert.equal(base64(new TextEncoder().encode("alice:pässwörd")), Buffer.from("alice:pässwörd", "utf8").toString("base64"));
});

test("base64Url writes - and _ where base64 has + and /", () => {
  const bytes = new Uint8Array([0xfb, 0xff, 0xbf, 0x00]);
  assert.equal(base64(bytes), "+/+/AA==");
  assert.equal(base64Url(bytes), "-_-_AA==");
  assert.equal(base64Url(new Uint8Array(256).map((_, i) => i)), Buffer.from(new Uint8Array(256).map((_, i) => i)).toString("base64url") + "==");
});

test("base64UrlUnpadded writes base64Url without the padding, as Node's base64url does", () => {
  for (const hex of ["", "fb", "fbff", "fbffbf", "fbffbf00"]) {
    const bytes = bytesFromHex(hex);
    assert.equal(base64UrlUnpadded(bytes), Buffer.from(bytes).toString("base64url"), hex);
    assert.equal(base64UrlUnpadded(bytes), base64Url(bytes).replace(/=+$/, ""), hex);
  }
});

test("bytesFromHex reads two hex digits a byte, either case", () => {
  assert.deepEqual([...bytesFromHex("00ff0aFB")], [0, 255, 10, 251]);
  assert.equal(bytesFromHex("").length, 0);
  assert.equal(base64Url(bytesFromHex("fbffbf")), "-_-_");
});

test("bytesOfBase64 reads either alphabet, padded or not, and gives undefined for what is neither", () => {
  const bytes = [0xfb, 0xff, 0xbf, 0x00];
  for (const text of ["+/+/AA==", "-_-_AA==", "-_-_AA", "+/+/AA"]) assert.deepEqual([...(bytesOfBase64(text) ?? [])], bytes, text);
  assert.deepEqual([...(bytesOfBase64("") ?? [1])], []);
  for (const text of ["A", "AB=C", "AB===", "a b", "Zm9v!", "Zg="]) assert.equal(bytesOfBase64(text), undefined, text);
});
