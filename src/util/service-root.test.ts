import { test } from "node:test";
import assert from "node:assert/strict";
import { pathBelowRoot, resolveReference, urlBelowRoot } from "./service-root.js";

const root = new URL("https://host/sap/opu/odata/sap/API_SRV/");

test("urlBelowRoot puts a built path below the service root, a colon in the first segment included", () => {
  assert.equal(urlBelowRoot(root, "Books(1)?$select=title").href, "https://host/sap/opu/odata/sap/API_SRV/Books(1)?$select=title");
  assert.equal(urlBelowRoot(root, "a:b(1)").href, "https://host/sap/opu/odata/sap/API_SRV/a:b(1)");
  assert.equal(urlBelowRoot(root, "$batch").href, "https://host/sap/opu/odata/sap/API_SRV/$batch");
});

test("resolveReference resolves links relative to the root, keeps absolute ones, and gives undefined for non-URLs", () => {
  assert.equal(resolveReference(root, "Books?$skiptoken=9")?.href, "https://host/sap/opu/odata/sap/API_SRV/Books?$skiptoken=9");
  assert.equal(resolveReference(root, "/other/Books")?.href, "https://host/other/Books");
  assert.equal(resolveReference(root, "https://elsewhere/x")?.href, "https://elsewhere/x");
  assert.equal(resolveReference(root, "http://[broken"), undefined);
  // Empty, it would be the service root itself.
  assert.equal(resolveReference(root, ""), undefined);
  assert.equal(resolveReference(root, "  "), undefined);
});

test("pathBelowRoot gives what follows the root, and the whole URL elsewhere", () => {
  assert.equal(pathBelowRoot(root, urlBelowRoot(root, "Books(1)?$top=1")), "Books(1)?$top=1");
  assert.equal(pathBelowRoot(root, new URL("https://host/other/Books")), "https://host/other/Books");
});
