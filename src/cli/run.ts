/**
 * The command line's dispatcher: finds the command, parses its arguments, runs it, and turns the
 * outcome into an exit code and, on failure, a message on stderr (JSON with `--json`).
 */
import { readFileSync } from "node:fs";
import { commandHelp, parseCommand, type ParsedArgs } from "./args.js";
import { callCommand, cancelCommand, waitCommand } from "./commands/call.js";
import { describeCommand } from "./commands/describe.js";
import { exportCommand } from "./commands/export.js";
import { generateCommand } from "./commands/generate.js";
import { countCommand, getCommand, queryCommand } from "./commands/read.js";
import { serveCommand } from "./commands/serve.js";
import type { Command } from "./context.js";
import { inCliWords, type Environment } from "./connect.js";
import { maskedStream, SecretMask } from "./secrets.js";
import { DEBUG_SECTION } from "../http/debug.js";
import { CliInterrupted, CliUsageError, EXIT, errorJson, errorMessage, exitCodeOf } from "./errors.js";
import { DataOutput, Reporter, type TextStream } from "./terminal.js";
import { inArgumentTerms } from "./values.js";

/** The commands, in the order the help lists them. */
export const COMMANDS: readonly Command[] = [describeCommand, queryCommand, countCommand, getCommand, exportCommand, callCommand, waitCommand, cancelCommand, generateCommand, serveCommand];

/** The version the command line reports: the package's (package.json is two folders up from src/cli and dist/cli alike). */
function cliVersion(): string {
  return (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;
}

/** What a run of the command line is given: arguments, streams, environment, and the interrupt signal. */
export interface CliRun {
  argv: readonly string[];
  stdout: TextStream;
  stderr: TextStream;
  stdin: NodeJS.ReadableStream;
  environment: Environment;
  signal: AbortSignal;
}

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((command) => command.spec.name.length));
  return [
    "traverse-odata: read, export and call OData v2 and v4 services from the command line",
    "",
    "Usage: traverse-odata <command> [arguments] [options]",
    "",
    "Commands:",
    ...COMMANDS.map((command) => `  ${command.spec.name.padEnd(width)}  ${command.spec.summary}`),
    "",
    "<service> is a service URL (https://host/odata/v4/catalog/) or the name of a profile in",
    "traverse-odata.config.json (current directory) or the user's config.json",
    "($XDG_CONFIG_HOME/traverse-odata/, ~/.config/traverse-odata/, %APPDATA%\\traverse-odata\\).",
    "Credentials: TRAVERSE_ODATA_TOKEN (bearer), or TRAVERSE_ODATA_USER and TRAVERSE_ODATA_PASSWORD.",
    "",
    "Exit codes: 0 success, 1 other failure, 2 usage, 3 HTTP error from the service,",
    "4 network or timeout, 5 long-running operation failed, cancelled or timed out, 130 interrupted.",
    "",
    "traverse-odata <command> --help (or traverse-odata help <command>) shows a command's options.",
    "",
  ].join("\n");
}

/** Runs the command line; resolves with the exit code (it never rejects). */
export async function runCli(run: CliRun): Promise<number> {
  const [name, ...rest] = run.argv;
  const json = rest.includes("--json");
  // Everything the run writes to stderr (messages, warnings, progress, the wire log) goes through
  // the mask of the secrets it learns (see cli/secrets.ts).
  const secrets = new SecretMask();
  const stderr = maskedStream(droppedWhenClosed(run.stderr), secrets);
  // The command's own reporter once its options are read; the wire log goes through it, which
  // keeps its lines off the progress line.
  let reporter = new Reporter(stderr, { quiet: rest.includes("--quiet") || rest.includes("-q"), progress: rest.includes("--progress"), env: run.environment.env });
  // A command may make several clients of one service (connect.ts): each warning is told once.
  const warned = new Set<string>();
  const warn = (text: string) => {
    if (!warned.has(text)) reporter.warn(text);
    warned.add(text);
  };
  const environment = { ...run.environment, secrets, wireLog: (line: string) => reporter.log(`${DEBUG_SECTION} ${line}`), warn };
  const stdout = new DataOutput(run.stdout, run.signal);
  try {
    // `help <command>` is that command's --help.
    if (name === "help" && rest[0] !== undefined) {
      await stdout.write(commandHelp(commandNamed(rest[0]).spec));
      return EXIT.ok;
    }
    if (name === undefined || name === "--help" || name === "-h" || name === "help") {
      await stdout.write(mainHelp());
      return name === undefined ? EXIT.usage : EXIT.ok;
    }
    if (name === "--version" || name === "-v") {
      await stdout.write(`${cliVersion()}\n`);
      return EXIT.ok;
    }
    const command = commandNamed(name);
    const args: ParsedArgs = parseCommand(command.spec, rest);
    if (args.values["help"] === true) {
      await stdout.write(commandHelp(command.spec));
      return EXIT.ok;
    }
    reporter = new Reporter(stderr, { quiet: args.values["quiet"] === true, progress: args.values["progress"] === true, env: run.environment.env });
    const result = await command.run({
      args,
      stdout,
      reporter,
      environment,
      stdin: run.stdin,
      signal: run.signal,
    });
    return result ?? EXIT.ok;
  } catch (caught) {
    // The library's options named as the user set them (connect.ts).
    // A key or --param value the library found wrong once written, named as the user gave it (values.ts).
    let error = inArgumentTerms(inCliWords(caught, environment.connected));
    if ((error as NodeJS.ErrnoException).code === "EPIPE") {
      // The reader of stdout has gone (| head): a success, unless the run was interrupted first.
      if (!run.signal.aborted) return EXIT.ok;
      error = new CliInterrupted("interrupted; the reader of stdout had gone too");
    }
    if (json) reporter.write(`${errorJson(error)}\n`);
    else reporter.error(errorMessage(error));
    return exitCodeOf(error);
  }
}

/** The command `name`; a usage error naming the commands where there is none. */
function commandNamed(name: string): Command {
  const command = COMMANDS.find((candidate) => candidate.spec.name === name);
  if (!command) {
    throw new CliUsageError(`${JSON.stringify(name)} is not a command; the commands are ${COMMANDS.map((c) => c.spec.name).join(", ")} (traverse-odata --help)`);
  }
  return command;
}

/**
 * stderr that is let go once its reader has gone (`2>&1 | head`, a log reader that ended: EPIPE):
 * what would still be written there (progress, the summary, the wire log, the error message) is
 * dropped, and the run goes on and ends with the exit code it would have had. Unheard, the
 * stream's 'error' event would end the process; and Node's stdio streams, which cannot be
 * destroyed, would try (and fail) again on every later write.
 */
function droppedWhenClosed(stream: TextStream): TextStream {
  let closed = false;
  const onError = () => {
    closed = true;
    stream.once("error", onError);
  };
  stream.once("error", onError);
  return {
    write: (text, callback) => {
      if (!closed) return stream.write(text, callback);
      if (callback) queueMicrotask(() => callback(null));
      return true;
    },
    once: (event: "drain" | "error", listener: (() => void) & ((error: Error) => void)) => stream.once(event as "drain", listener),
    removeListener: (event, listener) => stream.removeListener(event, listener),
    ...(stream.isTTY === undefined ? {} : { isTTY: stream.isTTY }),
    // Read at every use, not copied: a terminal's width changes when it is resized (Node updates
    // the stream's `columns` on SIGWINCH), and a progress line wider than it wraps on every redraw.
    get columns() {
      return stream.columns;
    },
  };
}
