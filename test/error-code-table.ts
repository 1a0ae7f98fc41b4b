/**
 * The README's table of error codes, made from the `ODataErrorCode` table of src/errors.ts: one row
 * per entry, the entry's TSDoc as its text. `npm run docs:errors` runs this file and writes the
 * table into README.md between its two markers; test/error-codes.test.ts fails when the README's
 * table differs from what this would write.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";

const ROOT = resolve(fileURLToPath(import.meta.url), "..", "..");
export const ERRORS_SOURCE = join(ROOT, "src", "errors.ts");
export const README = join(ROOT, "README.md");

/** The line before the generated table in README.md. */
export const TABLE_START = "<!-- error codes: generated from ODataErrorCode in src/errors.ts by `npm run docs:errors`; edit there, not here -->";
/** The line after it. */
export const TABLE_END = "<!-- end of error codes -->";

/** One entry of the table: the code and its TSDoc text. */
export interface ErrorCodeEntry {
  code: string;
  doc: string;
}

/**
 * The entries of the `ODataErrorCode` object in the text of src/errors.ts, in their order. Throws
 * naming the entry when one has no TSDoc or a value other than its own name.
 */
export function errorCodeEntries(sourceText: string): ErrorCodeEntry[] {
  const source = ts.createSourceFile("errors.ts", sourceText, ts.ScriptTarget.Latest, true);
  let table: ts.ObjectLiteralExpression | undefined;
  const visit = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.name.text === "ODataErrorCode" && node.initializer) {
      table = objectLiteralIn(node.initializer);
    }
    if (!table) ts.forEachChild(node, visit);
  };
  visit(source);
  if (!table) throw new Error("src/errors.ts has no `const ODataErrorCode = { ... }` (or Object.freeze({ ... }))");
  return table.properties.map((property) => {
    if (!ts.isPropertyAssignment(property) || !ts.isIdentifier(property.name)) {
      throw new Error(`ODataErrorCode: every entry must be written as CODE: "CODE"; found ${property.getText(source)}`);
    }
    const code = property.name.text;
    if (!ts.isStringLiteral(property.initializer) || property.initializer.text !== code) {
      throw new Error(`ODataErrorCode.${code}: the value must be "${code}"; found ${property.initializer.getText(source)}`);
    }
    const doc = ts
      .getJSDocCommentsAndTags(property)
      .filter(ts.isJSDoc)
      .map((comment) => ts.getTextOfJSDocComment(comment.comment) ?? "")
      .join(" ");
    const text = doc
      .replace(/\{@link\s+([^}\s|]+)[^}]*\}/g, "`$1`")
      .replace(/\s+/g, " ")
      .trim();
    if (text === "") throw new Error(`ODataErrorCode.${code} has no TSDoc: say when it happens and what to do`);
    return { code, doc: text };
  });
}

/** The object literal of `{ ... }`, `{ ... } as const` or `Object.freeze({ ... })`. */
function objectLiteralIn(expression: ts.Expression): ts.ObjectLiteralExpression | undefined {
  if (ts.isObjectLiteralExpression(expression)) return expression;
  if (ts.isAsExpression(expression) || ts.isSatisfiesExpression(expression) || ts.isParenthesizedExpression(expression)) {
    return objectLiteralIn(expression.expression);
  }
  if (ts.isCallExpression(expression) && expression.arguments.length === 1) return objectLiteralIn(expression.arguments[0]!);
  return undefined;
}

/** The Markdown table of the entries, markers included. */
export function errorCodeTable(entries: ErrorCodeEntry[]): string {
  const rows = entries.map(({ code, doc }) => `| \`${code}\` | ${doc.replaceAll("|", "\\|")} |`);
  return [TABLE_START, "| code | when it happens, and what to do |", "|---|---|", ...rows, TABLE_END].join("\n");
}

/** The README text with its table between the markers replaced by `table`. */
export function withErrorCodeTable(readme: string, table: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start === -1 || end === -1 || end < start) {
    throw new Error(`README.md must hold the two marker lines of the error code table:\n${TABLE_START}\n${TABLE_END}`);
  }
  return `${readme.slice(0, start)}${table}${readme.slice(end + TABLE_END.length)}`;
}

/** The README as `npm run docs:errors` would write it. */
export function expectedReadme(): string {
  return withErrorCodeTable(readFileSync(README, "utf8"), errorCodeTable(errorCodeEntries(readFileSync(ERRORS_SOURCE, "utf8"))));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const readme = expectedReadme();
  const changed = readme !== readFileSync(README, "utf8");
  if (changed) writeFileSync(README, readme);
  console.log(changed ? "README.md: error code table updated" : "README.md: error code table already up to date");
}
