// One value alone comes in the same wrappers whether it is an operation's result or a property
// read alone: payload/v2-values.ts tells them for operations/results.ts and
// payload/property-answer.ts, and each form is read to the same value by both. Pure functions of a
// parsed body (the requests around them are test/operations.test.ts's and
// test/property-read.test.ts's).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readOperationResult } from "../src/operations/results.js";
import { readPropertyAnswer } from "../src/payload/property-answer.js";
import { isV2ValueCollection, isV4ValueWrapper } from "../src/payload/v2-values.js";

const WHERE = "GET https://host/svc/Books(1)/title";

/** Each form as both read it: the property `title` (v2: wrapped in its name, as a function import `title`'s result is). */
function bothRead(version: "4.0" | "2.0", body: unknown): { operation: unknown; property: unknown } {
  const text = JSON.stringify(body);
  return {
    operation: readOperationResult(JSON.parse(text), version, "title").value,
    property: readPropertyAnswer(text, "application/json", version, "title", WHERE),
  };
}

describe("the wrappers of one value, read alike for an operation's result and a property", () => {
  const forms: [name: string, version: "4.0" | "2.0", body: unknown, value: unknown][] = [
    ["v4 {value} beside the context", "4.0", { "@odata.context": "$metadata#Edm.String", value: "Emma" }, "Emma"],
    ["v4 {value: null}", "4.0", { "@odata.context": "$metadata#Edm.String", value: null }, null],
    ["v4 {value: 0}, a falsy value that is no null", "4.0", { value: 0 }, 0],
    ["v4 4.0's {@odata.null: true}", "4.0", { "@odata.context": "$metadata#Edm.String", "@odata.null": true }, null],
    ["v4 4.01's {@null: true}", "4.0", { "@context": "$metadata#Edm.String", "@null": true }, null],
    ["v4 a collection", "4.0", { "@odata.context": "$metadata#Collection(Edm.String)", value: ["a", "b"] }, ["a", "b"]],
    ["v4 a complex value", "4.0", { "@odata.context": "$metadata#NS.Address", city: "Graz" }, { city: "Graz" }],
    ["v2 a string", "2.0", { d: { title: "Emma" } }, "Emma"],
    ["v2 a date", "2.0", { d: { title: "/Date(0)/" } }, "1970-01-01T00:00:00Z"],
    ["v2 a Decimal, kept as sent", "2.0", { d: { title: "12.50" } }, "12.50"],
    ["v2 a collection in results, beside __next", "2.0", { d: { title: { results: ["/Date(0)/", "b"], __next: "x" } } }, ["1970-01-01T00:00:00Z", "b"]],
    ["v2 a complex value, its dates converted", "2.0", { d: { title: { __metadata: { type: "NS.C" }, at: "/Date(0)/" } } }, { __metadata: { type: "NS.C" }, at: "1970-01-01T00:00:00Z" }],
  ];
  for (const [name, version, body, value] of forms) {
    test(`${name}: both read ${JSON.stringify(value)}`, () => {
      const { operation, property } = bothRead(version, body);
      assert.deepEqual(operation, value, "the operation's result");
      assert.deepEqual(property, value, "the property's value");
    });
  }

  test("a wrapper is told by its members: value alone beside annotations, or a null's annotation with no member", () => {
    assert.equal(isV4ValueWrapper({ value: 1, "@odata.context": "c", "@odata.etag": 'W/"1"' }), true);
    assert.equal(isV4ValueWrapper({ "@odata.null": true }), true);
    assert.equal(isV4ValueWrapper({ "@odata.null": false }), false);
    assert.equal(isV4ValueWrapper({ value: 1, other: 2 }), false);
    assert.equal(isV4ValueWrapper({ "@odata.null": true, city: "Graz" }), false);
    assert.equal(isV4ValueWrapper({}), false);
    assert.equal(isV2ValueCollection({ results: [], __count: "0", __next: "x" }), true);
    assert.equal(isV2ValueCollection({ results: [], other: 1 }), false);
    assert.equal(isV2ValueCollection({ results: "no array" }), false);
    assert.equal(isV2ValueCollection(["results"]), false);
  });

  test("what is each one's own: an operation's body in no wrapper is its result, with its ETag; a property's complex value drops the entity's ETag; an operation's collection gives its next link", () => {
    const entity = { "@odata.context": "$metadata#Books/$entity", "@odata.etag": 'W/"1"', ID: 1, title: "Emma" };
    assert.deepEqual(readOperationResult(structuredClone(entity), "4.0", "f").value, { "@odata.etag": 'W/"1"', ID: 1, title: "Emma" });
    assert.deepEqual(readPropertyAnswer(JSON.stringify(entity), "application/json", "4.0", "address", WHERE), { ID: 1, title: "Emma" });
    assert.deepEqual(readOperationResult({ value: [1], "@odata.nextLink": "f?$skiptoken=1" }, "4.0", "f"), { value: [1], nextLink: "f?$skiptoken=1" });
    assert.deepEqual(readOperationResult({ d: { f: { results: [1], __next: "f?$skiptoken=1" } } }, "2.0", "f"), { value: [1], nextLink: "f?$skiptoken=1" });
    // A null written as 4.0 writes it has no value, so no next link beside it is read.
    assert.deepEqual(readOperationResult({ "@odata.null": true, "@odata.nextLink": "f?$skiptoken=1" }, "4.0", "f"), { value: null });
    // In v2 an operation's d holding more than its name is the result itself (an entity); a property's value is taken by its name.
    assert.deepEqual(readOperationResult({ d: { title: "Emma", ID: 1 } }, "2.0", "title").value, { title: "Emma", ID: 1 });
    assert.equal(readPropertyAnswer(JSON.stringify({ d: { title: "Emma", ID: 1 } }), "application/json", "2.0", "title", WHERE), "Emma");
    assert.throws(() => readPropertyAnswer("9", "application/json", "4.0", "title", WHERE), { code: "BAD_PAYLOAD" });
    assert.deepEqual(readOperationResult(9, "4.0", "f"), { value: 9 });
  });
});
