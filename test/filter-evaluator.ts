/**
 * A `$filter` of the forms partition plans write (a path compared with a literal, `and`, `or`,
 * parentheses, and `false` for an empty range) as a test on a row, for test services that answer
 * the plans' ranges over rows of their own. How one comparison reads its literal and tests a row is
 * the caller's (`comparison`): services differ there (nulls, Booleans, what they ignore).
 */
import assert from "node:assert/strict";

/** A comparison `path operator literal` as a test on a row; `literal` is the token as written. */
export type Comparison<Row> = (path: string, operator: string, literal: string) => (row: Row) => boolean;

/** The test on a row that `text` is, or an assertion failure naming what it could not read. */
export function filterTest<Row>(text: string, comparison: Comparison<Row>): (row: Row) => boolean {
  const tokens = text.match(/\(|\)|'(?:[^']|'')*'|[^\s()]+/g) ?? [];
  let at = 0;
  const next = () => tokens[at++] as string;
  const primary = (): ((row: Row) => boolean) => {
    if (tokens[at] === "(") {
      next();
      const inner = or();
      assert.equal(next(), ")");
      return inner;
    }
    const path = next();
    // An empty partition's filter.
    if (path === "false") return () => false;
    const operator = next();
    return comparison(path, operator, next());
  };
  const and = () => {
    const terms = [primary()];
    while (tokens[at] === "and") next(), terms.push(primary());
    return (row: Row) => terms.every((term) => term(row));
  };
  const or = () => {
    const terms = [and()];
    while (tokens[at] === "or") next(), terms.push(and());
    return (row: Row) => terms.some((term) => term(row));
  };
  const test = or();
  assert.equal(at, tokens.length, `unread filter text in ${text}`);
  return test;
}

/** Whether `order` (negative, zero, positive: the first value against the second) meets `operator`. */
export function meets(operator: string, order: number): boolean {
  return { eq: order === 0, ne: order !== 0, lt: order < 0, le: order <= 0, gt: order > 0, ge: order >= 0 }[operator] ?? assert.fail(`no operator ${operator}`);
}
