// The ODataHttpError a promise rejects with, for tests that go on to read its status and message:
// a promise that resolves, or rejects with anything else, fails the test saying what it got.
import assert from "node:assert/strict";
import { ODataHttpError } from "../src/index.js";

export async function httpError(promise: Promise<unknown>): Promise<ODataHttpError> {
  const error = await promise.then(
    (value) => assert.fail(`resolved with ${JSON.stringify(value)}`),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof ODataHttpError, `not an ODataHttpError: ${String(error)}`);
  return error;
}
