/**
 * The command line's exit codes, and how an error becomes one and a message on stderr.
 *
 * | code | meaning |
 * |---|---|
 * | 0 | success |
 * | 1 | any other failure (an answer that cannot be read, a file that cannot be written ...) |
 * | 2 | usage: a wrong command, option, argument, profile or configuration file; also an `export --resume` that cannot go on |
 * | 3 | the service answered with an HTTP error |
 * | 4 | network or timeout |
 * | 5 | the long-running operation failed, was cancelled or timed out |
 * | 130 | interrupted (Ctrl-C) |
 */
import { AsyncOperationError, ODataClientError, ODataHttpError, redactText } from "../index.js";

/** The exit codes of `traverse-odata`. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  http: 3,
  network: 4,
  operation: 5,
  interrupted: 130,
} as const;

/** A mistake in how the command was called (options, arguments, profiles, configuration): exit code 2. */
export class CliUsageError extends ODataClientError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("cli:USAGE", message, options);
  }
}
Object.defineProperty(CliUsageError.prototype, "name", { value: "CliUsageError", writable: true, configurable: true, enumerable: false });

/** The command was interrupted (Ctrl-C): exit code 130. */
export class CliInterrupted extends ODataClientError {
  constructor(message: string) {
    super("cli:INTERRUPTED", message);
  }
}
Object.defineProperty(CliInterrupted.prototype, "name", { value: "CliInterrupted", writable: true, configurable: true, enumerable: false });

/** Whether an error is the abort of a signal (a `DOMException` or `Error` named `AbortError`). */
export function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === "AbortError";
}

/** The exit code for an error, by the table above. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof CliUsageError) return EXIT.usage;
  if (error instanceof CliInterrupted || isAbort(error)) return EXIT.interrupted;
  if (error instanceof ODataHttpError) return EXIT.http;
  if (error instanceof AsyncOperationError) return EXIT.operation;
  if (error instanceof ODataClientError) {
    if (error.code === "NETWORK_ERROR" || error.code === "TIMEOUT") return EXIT.network;
    if (error.code === "UNSUPPORTED_BY_VERSION") return EXIT.usage;
    return EXIT.failure;
  }
  // The library checks what it is given (options, names, filter text) with TypeError and RangeError
  // before anything is sent: those come from the command line's input. The engine's own RangeErrors
  // (a stack overflow, a string too long) come from an answer too deep or too large to process.
  if (error instanceof TypeError || (error instanceof RangeError && !isEngineLimit(error))) return EXIT.usage;
  return EXIT.failure;
}

/**
 * Whether a RangeError is the engine running out of room (V8's and JavaScriptCore's messages), not
 * a check of the library: an answer nested some thousands of levels deep overflows the stack of the
 * code that formats it, and that is no mistake in how the command was called.
 */
function isEngineLimit(error: RangeError): boolean {
  return /^Maximum call stack size exceeded|^Invalid (?:string|array|typed array) length|^Array buffer allocation failed/.test(error.message);
}

/** The error as one line of text for stderr (redacted: a foreign error may quote anything). */
export function errorMessage(error: unknown): string {
  if (error instanceof ODataClientError) return error.message;
  if (error instanceof RangeError && isEngineLimit(error)) return `the answer is too deep or too large to process (${error.message})`;
  if (error instanceof Error) return redactText(error.message);
  return redactText(String(error));
}

/** The error as JSON for `--json`: `{ "error": { code, message, exitCode, ... } }`. */
export function errorJson(error: unknown): string {
  const exitCode = exitCodeOf(error);
  let detail: Record<string, unknown>;
  if (error instanceof ODataClientError) {
    // toJSON() is the library's redacted view (status, url, odataError ... of the subclass).
    const { name, ...fields } = error.toJSON();
    detail = { ...fields, name };
  } else if (error instanceof Error) {
    detail = { name: error.name, code: (error as { code?: unknown }).code ?? error.name, message: errorMessage(error) };
  } else {
    detail = { name: "Error", code: "ERROR", message: errorMessage(error) };
  }
  return JSON.stringify({ error: { ...detail, exitCode } });
}
