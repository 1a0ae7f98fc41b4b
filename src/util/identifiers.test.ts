import { test } from "node:test";
import assert from "node:assert/strict";
import { isIdentifier, isQualifiedName } from "./identifiers.js";

test("isIdentifier takes letters, digits and _ not starting with a digit, up to 128 characters", () => {
  for (const name of ["Name", "author_id", "_x", "Bücher", "Order2", "a".repeat(128)]) assert.equal(isIdentifier(name), true, name);
  for (const name of ["", "2nd", "a b", "a-b", "a.b", "a/b", "x)", "$top", "a".repeat(129), "name eq 1"]) assert.equal(isIdentifier(name), false, name);
});

test("isQualifiedName takes two or more identifiers joined by dots", () => {
  for (const name of ["Edm.String", "My.Schema.Color", "CatalogService.order"]) assert.equal(isQualifiedName(name), true, name);
  for (const name of ["String", "Edm.", ".String", "Edm..String", "Edm.2x", "Edm.String/x"]) assert.equal(isQualifiedName(name), false, name);
});
