/**
 * The switch of the wire log: the `debug` option's default logger and the reading of
 * `NODE_DEBUG=traverse-odata`. The log itself (wire-log.ts) loads only when it is on.
 */

/**
 * Receives the wire log, one call per line (no line break at its end). What it returns is not
 * waited for: a logger that throws, or whose promise rejects (an async one), is ignored.
 */
export type WireLogger = (line: string) => void;

/** The name that turns the log on in `NODE_DEBUG`, as a section of Node's own `util.debuglog`. */
export const DEBUG_SECTION = "traverse-odata";

/**
 * Where the lines go with `debug: true` or `NODE_DEBUG`: `console.error`, looked up for every line
 * (so that a console replaced later is the one used), each line prefixed with the section name.
 */
export const consoleWireLogger: WireLogger = (line) => {
  console.error(`${DEBUG_SECTION} ${line}`);
};

/**
 * Whether a `NODE_DEBUG` value names `section`, by the rules Node applies to its own sections: a
 * comma-separated list whose entries are matched against the whole name, ignoring case, with `*`
 * standing for any run of characters (`NODE_DEBUG=http,traverse-*`). Entries are not trimmed.
 * @example nodeDebugNames("fs,TRAVERSE-odata") // true
 */
export function nodeDebugNames(value: string | undefined, section: string = DEBUG_SECTION): boolean {
  if (!value) return false;
  return value.split(",").some((entry) => {
    const pattern = entry.replace(/[\\^$.|?+()[\]{}]/g, "\\$&").replace(/\*/g, ".*");
    return new RegExp(`^${pattern}$`, "i").test(section);
  });
}

/**
 * `NODE_DEBUG` where the runtime has an environment to read it from without asking anybody:
 * Node's, Bun's and workerd's (with `nodejs_compat`) `process.env`, and Deno's, which exempts this
 * one variable from the `--allow-env` permission (so no prompt and no error there; read through
 * `Deno.env` because Deno 1 has no global `process`). Browsers have none. `undefined` wherever it
 * cannot be read.
 */
export function nodeDebugFromEnvironment(): string | undefined {
  try {
    const runtime = globalThis as { Deno?: { env?: { get(name: string): string | undefined } }; process?: { env?: Record<string, string | undefined> } };
    const value = runtime.Deno !== undefined ? runtime.Deno.env?.get("NODE_DEBUG") : runtime.process?.env?.NODE_DEBUG;
    return typeof value === "string" ? value : undefined;
  } catch {
    // A runtime that guards its environment and refuses.
    return undefined;
  }
}
