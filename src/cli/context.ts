/**
 * What every command gets: its parsed arguments, stdout for data, stderr for the rest, the
 * environment, stdin, and the signal that Ctrl-C aborts.
 */
import type { ODataClient, ServiceModel } from "../index.js";
import type { CommandSpec, ParsedArgs } from "./args.js";
import { clientSettings, connect, type ClientSettings, type Environment } from "./connect.js";
import type { DataOutput, Reporter } from "./terminal.js";

/** The world of one command run. */
export interface CommandContext {
  args: ParsedArgs;
  stdout: DataOutput;
  reporter: Reporter;
  environment: Environment;
  stdin: NodeJS.ReadableStream;
  /** Aborted by Ctrl-C (SIGINT). */
  signal: AbortSignal;
}

/** A command: its declaration and what it does; resolves with its exit code (0 when nothing else). */
export interface Command {
  spec: CommandSpec;
  run(context: CommandContext): Promise<number | void>;
}

/** The client for the command's `<service>` argument and the common options. */
export function clientFor(context: CommandContext, service: string): { client: ODataClient; settings: ClientSettings } {
  const settings = clientSettings(context.args);
  return { client: connect(service, settings, context.environment), settings };
}

/**
 * The service's `$metadata`, or `undefined` when it has none that can be read (commands then fall
 * back to what the data says). An abort is not swallowed.
 */
export async function optionalMetadata(client: ODataClient, signal: AbortSignal): Promise<ServiceModel | undefined> {
  try {
    return await client.metadata({ signal });
  } catch (error) {
    if (signal.aborted) throw error;
    return undefined;
  }
}
