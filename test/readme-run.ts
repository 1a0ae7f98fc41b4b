/**
 * Runs README.md's ```ts examples as written, for test/readme-run-cap.test.ts and
 * test/readme-run-demo.test.ts (test/readme-examples.test.ts only type-checks them).
 *
 * A block is found by the text its first code line starts with, so an edit of the README that
 * changes or drops it fails the test that runs it. TypeScript turns it into JavaScript, its imports
 * become parameters bound to the modules they name (`traverse-odata` is src/index.ts), and it runs
 * as the body of an async function: top-level `await` works as in a module. The names a block uses
 * without declaring them (the reader's `client`, `store()`, `userInput`) are bound by the test, and
 * the run resolves with the values of the names the block declares, for the test to check.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as fsPromises from "node:fs/promises";
import { createServer, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import ts from "typescript";
import * as library from "../src/index.js";

const README = readFileSync(new URL("../README.md", import.meta.url), "utf8").split(/\r?\n/);

/** Code taken from README.md, with the README line its first line is on (for messages). */
export interface ReadmeCode {
  code: string;
  line: number;
}

/** The ```ts block whose first code line starts with `start` (spaces around it aside); exactly one must. */
export function readmeBlock(start: string): ReadmeCode {
  const found: ReadmeCode[] = [];
  for (let i = 0; i < README.length; i++) {
    const fence = /^(`{3,})(\S*)\s*$/.exec(README[i]!);
    if (!fence) continue;
    let end = i + 1;
    while (end < README.length && README[end]!.trim() !== fence[1]) end++;
    if ((fence[2] === "ts" || fence[2] === "typescript") && README[i + 1]?.trim().startsWith(start)) {
      found.push({ code: README.slice(i + 1, end).join("\n"), line: i + 2 });
    }
    i = end;
  }
  assert.equal(found.length, 1, `README.md has ${found.length} ts blocks whose first line starts with ${JSON.stringify(start)}`);
  return found[0]!;
}

/** The index of the one line of `code` that starts with `start` (trimmed). */
function lineIndex(code: string[], start: string, line: number): number {
  const at = code.flatMap((text, index) => (text.trim().startsWith(start) ? [index] : []));
  assert.equal(at.length, 1, `the README block at line ${line} has ${at.length} lines starting with ${JSON.stringify(start)}`);
  return at[0]!;
}

/** The lines of `block` from the one starting with `from` to the one before the line starting with `until` (or the end). */
export function readmeLines(block: ReadmeCode, from: string, until?: string): ReadmeCode {
  const lines = block.code.split("\n");
  const first = lineIndex(lines, from, block.line);
  const end = until === undefined ? lines.length : lineIndex(lines, until, block.line);
  assert.ok(end > first, `${JSON.stringify(until)} comes before ${JSON.stringify(from)} in the README block at line ${block.line}`);
  return { code: lines.slice(first, end).join("\n"), line: block.line + first };
}

/** `block` without the lines that start with each of `starts` (each must be there once). */
export function withoutLines(block: ReadmeCode, starts: readonly string[]): ReadmeCode {
  const lines = block.code.split("\n");
  const dropped = new Set(starts.map((start) => lineIndex(lines, start, block.line)));
  return { code: lines.map((text, index) => (dropped.has(index) ? "" : text)).join("\n"), line: block.line };
}

/** `block` with the one occurrence of `text` replaced (a service URL by the test server's). */
export function replacedIn(block: ReadmeCode, text: string, replacement: string): ReadmeCode {
  const parts = block.code.split(text);
  assert.equal(parts.length, 2, `the README block at line ${block.line} holds ${JSON.stringify(text)} ${parts.length - 1} times, not once`);
  return { code: parts.join(replacement), line: block.line };
}

/** The modules README blocks import. */
const MODULES: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  "traverse-odata": library,
  "node:fs/promises": fsPromises,
};

/** The names a top-level statement declares as values. */
function declaredValues(statement: ts.Statement): string[] {
  const names: string[] = [];
  const bind = (name: ts.BindingName): void => {
    if (ts.isIdentifier(name)) names.push(name.text);
    else for (const element of name.elements) if (!ts.isOmittedExpression(element)) bind(element.name);
  };
  if (ts.isVariableStatement(statement)) for (const declaration of statement.declarationList.declarations) bind(declaration.name);
  if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name) names.push(statement.name.text);
  return names;
}

const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<Record<string, unknown>>;

/**
 * Runs README code with `bindings` for the names it uses without declaring them; resolves with the
 * values, after it ran to its end, of the names it declares at its top level and of those bound.
 */
export async function runReadme(block: ReadmeCode, bindings: Readonly<Record<string, unknown>> = {}): Promise<Record<string, unknown>> {
  const source = ts.createSourceFile("readme.mts", block.code, ts.ScriptTarget.ES2022, true);
  const values = new Map<string, unknown>();
  let body = block.code;
  // Imports are cut out from the end backwards, so the positions of the earlier ones stay right.
  for (const statement of [...source.statements].reverse()) {
    if (!ts.isImportDeclaration(statement)) continue;
    const from = (statement.moduleSpecifier as ts.StringLiteral).text;
    const module = MODULES[from];
    assert.ok(module, `README.md:${block.line}: no module for the import of ${from}`);
    const named = statement.importClause?.namedBindings;
    if (named && ts.isNamedImports(named) && !statement.importClause?.isTypeOnly) {
      for (const element of named.elements) {
        if (element.isTypeOnly) continue;
        const exported = (element.propertyName ?? element.name).text;
        assert.ok(exported in module, `README.md:${block.line}: ${from} exports no ${exported}`);
        values.set(element.name.text, module[exported]);
      }
    }
    body = body.slice(0, statement.getStart(source)) + body.slice(statement.getEnd());
  }
  const declared = source.statements.flatMap(declaredValues);
  for (const [name, value] of Object.entries(bindings)) {
    assert.ok(!declared.includes(name), `README.md:${block.line}: the block declares ${name} itself`);
    values.set(name, value);
  }
  const script = ts.transpileModule(body, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
  // The names bound are given back too: a block may assign them (the delta block's `deltaLink`).
  const run = new AsyncFunction(...values.keys(), `${script}\nreturn { ${[...declared, ...Object.keys(bindings)].join(", ")} };`);
  return run(...values.values());
}

/** A `console` for a block: what it logs, one line of arguments each. */
export function recordingConsole(): { console: Pick<Console, "log">; lines: unknown[][] } {
  const lines: unknown[][] = [];
  return { console: { log: (...args: unknown[]) => void lines.push(args) }, lines };
}

/** One request as the proxy forwarded it. */
export interface ForwardedRequest {
  method: string;
  /** Path and query as sent. */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}

/**
 * A node:http proxy on 127.0.0.1 (port 0) in front of `target` (an origin): it forwards every
 * request as it came and records it with the status of its answer, so that a test sees what a
 * block it does not hold the client of sent.
 */
export async function startRecordingProxy(target: string): Promise<{ origin: string; requests: ForwardedRequest[]; close(): Promise<void> }> {
  const requests: ForwardedRequest[] = [];
  const sockets = new Set<Socket>();
  const targetUrl = new URL(target);
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => {
      const body = Buffer.concat(chunks);
      const forwarded: ForwardedRequest = { method: incoming.method ?? "", path: incoming.url ?? "", headers: incoming.headers, body: body.toString("utf8"), status: 0 };
      requests.push(forwarded);
      const upstream = httpRequest(
        { host: targetUrl.hostname, port: targetUrl.port, method: incoming.method, path: incoming.url, headers: { ...incoming.headers, host: targetUrl.host } },
        (answer) => {
          forwarded.status = answer.statusCode ?? 0;
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      upstream.on("error", (error) => outgoing.destroy(error));
      upstream.end(body);
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
