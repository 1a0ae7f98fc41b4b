/**
 * Checks on raw text that the query layer puts inside what it builds itself: a `$filter` string
 * becomes one operand of `(a) and (b)`, a nested option sits inside `Path($filter=...;...)`. Such a
 * text must be one whole expression, so that it cannot close a parenthesis the library opened (and
 * so turn `(x) and (y) or (true)` into "everything") or end the option it stands in.
 *
 * The checks read the text as the service's parser would: OData string literals (`'...'`, `''`
 * inside for a quote) and JSON strings (`"..."` with backslash escapes, inside the JSON array and
 * object literals of OData 4.01) are skipped; outside them `()`, `[]` and `{}` must nest properly
 * and close, and `;` (which ends a nested option) may not appear.
 */
import { describe } from "../util/values.js";

const CLOSING: Readonly<Record<string, string>> = { ")": "(", "]": "[", "}": "{" };
const OPENING: Readonly<Record<string, string>> = { "(": ")", "[": "]", "{": "}" };

/** What is wrong with a raw text, or `undefined` when it is one whole expression. */
type Problem = string | undefined;

/**
 * Reads `text` and returns what makes it more than one whole expression. `phrases` is the syntax
 * of `$search`: double-quoted phrases (no single-quoted literals, whose quote is an ordinary
 * character there).
 */
function findProblem(text: string, phrases: boolean): Problem {
  const open: { bracket: string; at: number }[] = [];
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    if (char === "'" && !phrases) {
      // An OData string literal: `''` is a quote inside it, a lone `'` ends it.
      const start = i;
      for (i++; ; i++) {
        if (i >= text.length) return `its string literal starting at character ${start + 1} is not closed`;
        if (text[i] === "'") {
          if (text[i + 1] === "'") i++;
          else break;
        }
      }
    } else if (char === '"') {
      const start = i;
      for (i++; ; i++) {
        if (i >= text.length) return `its ${phrases ? "phrase" : "JSON string"} starting at character ${start + 1} is not closed`;
        if (text[i] === "\\") i++;
        else if (text[i] === '"') break;
      }
    } else if (OPENING[char] !== undefined) {
      open.push({ bracket: char, at: i });
    } else if (CLOSING[char] !== undefined) {
      const last = open.pop();
      if (last === undefined) return `it closes a "${CLOSING[char]}" at character ${i + 1} that it did not open`;
      if (last.bracket !== CLOSING[char]) return `its "${char}" at character ${i + 1} does not close the "${last.bracket}" at character ${last.at + 1}`;
    } else if (char === ";") {
      return `it has a ";" at character ${i + 1} outside a string, which would end the query option it stands in`;
    }
  }
  const unclosed = open.pop();
  if (unclosed !== undefined) return `its "${unclosed.bracket}" at character ${unclosed.at + 1} is never closed`;
  return undefined;
}

/**
 * What a raw expression's refusal advises: the filter builder, which the command line has not (its
 * options are raw text), so it leaves this out.
 */
export const RAW_TEXT_ADVICE = ". Raw text has to stay one operand of what the query puts it in (several filters are ANDed); write values with the filter builder, (f) => ..., whose literals cannot break out";

/**
 * Throws a `TypeError` unless `text` is one whole expression of the OData expression language
 * (a `$filter`, `$apply` or `$compute` text): string literals closed, brackets balanced outside
 * them, no `;` outside them.
 * @example checkRawExpression("stock gt 0) or (true", "filter(expression)") // throws
 */
export function checkRawExpression(text: string, where: string): void {
  const problem = findProblem(text, false);
  if (problem !== undefined) {
    throw new TypeError(
      `${where}: ${describe(text)} is not one whole expression: ${problem}${RAW_TEXT_ADVICE}`,
    );
  }
}

/** As {@link checkRawExpression}, for `$search` text: phrases in double quotes, brackets balanced outside them. */
export function checkRawSearch(text: string, where: string): void {
  const problem = findProblem(text, true);
  if (problem !== undefined) {
    throw new TypeError(`${where}: ${describe(text)} is not one whole search expression: ${problem}`);
  }
}
