/**
 * The command line run in this process (`runCli` of src/cli/run.ts) rather than as a child: for
 * tests that need what a child cannot give, such as fake time (test/fake-time.ts) or a stack
 * deep enough to overflow. Its HOME is an empty folder of its own, with no credentials in the
 * environment; stdout and stderr are collected as text, neither a terminal.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { runCli } from "../src/cli/run.js";

export interface InProcessOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

let home: string | undefined;

function emptyHome(): string {
  if (home === undefined) {
    const made = mkdtempSync(join(tmpdir(), "traverse-cli-in-process-"));
    process.once("exit", () => rmSync(made, { recursive: true, force: true }));
    home = made;
  }
  return home;
}

/**
 * Runs `traverse-odata <args>` in this process, `stdin` as its standard input; in `cwd` (also its
 * HOME) where given, else in the empty HOME, with `env` added to that HOME; `signal` is its Ctrl-C.
 */
export async function cliInProcess(args: readonly string[], stdin = "", options: { cwd?: string; env?: Record<string, string>; signal?: AbortSignal } = {}): Promise<InProcessOutcome> {
  const out = { stdout: "", stderr: "" };
  const stream = (name: "stdout" | "stderr") => {
    const s = {
      write(chunk: string, callback?: (error?: Error | null) => void): boolean {
        out[name] += chunk;
        callback?.();
        return true;
      },
      once: () => s,
      removeListener: () => s,
      isTTY: false,
    };
    return s;
  };
  const HOME = options.cwd ?? emptyHome();
  const code = await runCli({
    argv: args,
    stdout: stream("stdout"),
    stderr: stream("stderr"),
    stdin: Readable.from([Buffer.from(stdin)]),
    environment: { env: { HOME, ...options.env }, cwd: HOME, platform: "linux" },
    signal: options.signal ?? new AbortController().signal,
  });
  return { code, ...out };
}

/** An outcome as an assertion's message shows it: the exit code, stdout and stderr. */
export const showOutcome = (outcome: Pick<InProcessOutcome, "code" | "stdout" | "stderr">): string => `exit ${outcome.code}\nstdout: ${outcome.stdout}\nstderr: ${outcome.stderr}`;
