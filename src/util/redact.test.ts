import { test } from "node:test";
import assert from "node:assert/strict";
import { clipText, redactText, redactUrl } from "./redact.js";

test("clipText keeps short text, and cuts long text at the bound with an ellipsis", () => {
  assert.equal(clipText("HTTP/1.1 OK"), "HTTP/1.1 OK");
  assert.equal(clipText("x".repeat(80)), "x".repeat(80));
  assert.equal(clipText("x".repeat(81)), `${"x".repeat(80)}…`);
  assert.equal(clipText("abcdef", 3), "abc…");
});

test("clipText redacts before it cuts, so that a cut never leaves the start of a secret", () => {
  const text = "the service said: Bearer abcdefgh12345678 is not accepted here, try again later";
  const clipped = clipText(text, 40);
  assert.equal(clipped.includes("abcdefgh"), false, clipped);
  assert.equal(clipped, `${redactText(text).slice(0, 40)}…`);
  assert.equal(clipped, "the service said: Bearer *** is not acce…");
});

test("redactUrl drops user information and masks credential parameters, leaving the rest as it was", () => {
  assert.equal(redactUrl("https://bob:pw@host/files?sig=abc&$top=1"), "https://host/files?sig=***&$top=1");
  assert.equal(redactUrl(new URL("https://host/Books?$filter=a%20eq%201")), "https://host/Books?$filter=a%20eq%201");
});
