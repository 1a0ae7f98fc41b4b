import { test } from "node:test";
import assert from "node:assert/strict";
import { queryOptions, sapSessionOptions } from "./query-options.js";

test("queryOptions reads names and values percent-decoded only, a + staying a plus, and keeps each option's text as written", () => {
  assert.deepEqual(queryOptions(new URL("http://h/s/?sap-client=100&sap-language=a+b&x%2By=%41%20c")), [
    { name: "sap-client", value: "100", text: "sap-client=100" },
    { name: "sap-language", value: "a+b", text: "sap-language=a+b" },
    { name: "x+y", value: "A c", text: "x%2By=%41%20c" },
  ]);
});

test("queryOptions: an option without = has the value \"\", empty options are left out, and a broken escape decodes to undefined", () => {
  assert.deepEqual(queryOptions(new URL("http://h/s/?flag&&a=1=2&%E0=x&b=%ZZ")), [
    { name: "flag", value: "", text: "flag" },
    { name: "a", value: "1=2", text: "a=1=2" },
    { name: undefined, value: "x", text: "%E0=x" },
    { name: "b", value: undefined, text: "b=%ZZ" },
  ]);
  assert.deepEqual(queryOptions(new URL("http://h/s/")), []);
});

test("sapSessionOptions: sap-client's options before sap-language's, each in the order written, names matched in any case and named in lower case, texts as written", () => {
  assert.deepEqual(sapSessionOptions(new URL("http://h/s/Items?$top=1&SAP-Language=a+b&x=1&Sap-Client=%31%30%30&sap-client=200&sap-clients=9")), [
    { name: "sap-client", value: "100", text: "Sap-Client=%31%30%30" },
    { name: "sap-client", value: "200", text: "sap-client=200" },
    { name: "sap-language", value: "a+b", text: "SAP-Language=a+b" },
  ]);
  assert.deepEqual(sapSessionOptions(new URL("http://h/s/Items?%E0=x&sap-client=%ZZ")), [{ name: "sap-client", value: undefined, text: "sap-client=%ZZ" }]);
  assert.deepEqual(sapSessionOptions(new URL("http://h/s/")), []);
});
