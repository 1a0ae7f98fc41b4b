/**
 * Arguments: each command declares its options once (`CommandSpec`), and that declaration drives
 * both `node:util` `parseArgs` (strict: an unknown option is a usage error) and the command's help.
 */
import { parseArgs } from "node:util";
import { CliUsageError } from "./errors.js";

/** One option of a command. */
export interface OptionSpec {
  type: "string" | "boolean";
  /** May be given several times (the values are collected in order). */
  multiple?: boolean;
  /** A one-letter alias (`-q`). */
  short?: string;
  /** What the value looks like in the help (`N`, `FILE`); strings only. */
  value?: string;
  /** One line of help. */
  help: string;
}

/** A command: its name, what it does, its positional arguments and its options. */
export interface CommandSpec {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The positional arguments as the help shows them: `<service> <set> [key]`. */
  synopsis: string;
  /** How many positional arguments it takes. */
  positionals: { min: number; max: number };
  options: Record<string, OptionSpec>;
  /** Common options it has no use for: left out of its help, and refused as unknown. */
  omits?: readonly string[];
  /** More help after the options (examples, notes). */
  notes?: string;
}

/** Options every command takes. */
export const COMMON_OPTIONS: Record<string, OptionSpec> = {
  help: { type: "boolean", short: "h", help: "show this help" },
  json: { type: "boolean", help: "errors (and describe's output) as JSON" },
  quiet: { type: "boolean", short: "q", help: "no progress and no summary on stderr" },
  progress: { type: "boolean", help: "show progress on stderr even when it is not a terminal" },
  header: { type: "string", short: "H", multiple: true, value: "'NAME: VALUE'", help: "a header sent on every request to the service (repeatable); not Accept, which the command sets to what it reads, nor a Prefer page size other than --page-size's" },
  "trust-origin": {
    type: "string",
    multiple: true,
    value: "ORIGIN",
    help: "another origin (https://host:port) that gets the credentials and headers too, and whose next links are followed (repeatable)",
  },
  "key-as-segment": {
    type: "boolean",
    help: "OData v4: address an entity by its key as a path segment, Customers/ALFKI rather than Customers('ALFKI'), for a service that takes that form (default: the profile's keyAsSegment)",
  },
  "odata-version": { type: "string", value: "V", help: 'the service\'s OData version: "4.0", "4.01" or "2.0" (default: the profile\'s; else what $metadata declares where the command reads it: call, get, query as a table or CSV, export to CSV or in partitions; the others 4.0)' },
  timeout: { type: "string", value: "MS", help: "per request, in ms (default 30000; 0 for none)" },
  config: { type: "string", value: "FILE", help: "the configuration file of the profiles (default: ./traverse-odata.config.json, then the user's)" },
  debug: { type: "boolean", help: "the wire log on stderr: a line for every request and answer, secrets masked" },
};

/**
 * The common options a command takes. `--trust-origin` and `--key-as-segment` go with `--header`:
 * all shape the requests to a service, which a command that omits the one (serve) sends none of.
 */
function commonOptionsOf(spec: CommandSpec): Record<string, OptionSpec> {
  const omits = spec.omits;
  const omitted = (name: string) => omits?.includes(name) === true || ((name === "trust-origin" || name === "key-as-segment") && omits?.includes("header") === true);
  return omits ? Object.fromEntries(Object.entries(COMMON_OPTIONS).filter(([name]) => !omitted(name))) : COMMON_OPTIONS;
}

/** What `parseArgs` gave: option values by name, and the positional arguments. */
export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** Parses a command's arguments (after the command name); a mistake throws {@link CliUsageError}. */
export function parseCommand(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const all = { ...commonOptionsOf(spec), ...spec.options };
  const options: Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string }> = {};
  for (const [name, option] of Object.entries(all)) {
    options[name] = { type: option.type, ...(option.multiple ? { multiple: true } : {}), ...(option.short ? { short: option.short } : {}) };
  }
  const { args, negatives } = withNegativesHidden(argv, all);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    throw new CliUsageError(`${spec.name}: ${parseErrorText(error)} (see traverse-odata ${spec.name} --help)`);
  }
  // parseArgs keeps the last value of an option given twice: the first (a --filter, an --out) would
  // go unused without a word.
  const given = new Set<string>();
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== "option" || options[token.name]?.type !== "string" || options[token.name]?.multiple) continue;
    if (given.has(token.name)) throw new CliUsageError(`${spec.name}: option --${token.name} is given twice; give it once (see traverse-odata ${spec.name} --help)`);
    given.add(token.name);
  }
  const values = parsed.values as ParsedArgs["values"];
  parsed.positionals = parsed.positionals.map((positional) => (positional.startsWith(NEGATIVE) ? (negatives[Number(positional.slice(NEGATIVE.length))] as string) : positional));
  if (values["help"] === true) return { values, positionals: parsed.positionals };
  const count = parsed.positionals.length;
  if (count < spec.positionals.min) {
    throw new CliUsageError(`${spec.name}: expected ${spec.synopsis}; ${count === 0 ? "got no arguments" : `got only ${parsed.positionals.map((p) => JSON.stringify(p)).join(" ")}`} (see traverse-odata ${spec.name} --help)`);
  }
  if (count > spec.positionals.max) {
    throw new CliUsageError(`${spec.name}: unexpected argument ${JSON.stringify(parsed.positionals[spec.positionals.max])}; expected ${spec.synopsis} (see traverse-odata ${spec.name} --help)`);
  }
  return { values, positionals: parsed.positionals };
}

/**
 * What stands for a negative number in the arguments `parseArgs` reads: a NUL, which no argument
 * of a command line holds, and the number's index.
 */
const NEGATIVE = "\u0000-";

/**
 * `argv` with each negative number that is a positional argument (`get … T -42`; where an option
 * takes it as its value it stays) put out of sight of `parseArgs`, which reads `-42` as the
 * options `-4` and `-2`. After `--` every argument is a positional already: nothing changes there.
 */
function withNegativesHidden(argv: readonly string[], all: Record<string, OptionSpec>): { args: string[]; negatives: string[] } {
  const takesValue = new Set<string>();
  for (const [name, option] of Object.entries(all)) {
    if (option.type !== "string") continue;
    takesValue.add(`--${name}`);
    if (option.short) takesValue.add(`-${option.short}`);
  }
  const args: string[] = [];
  const negatives: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") {
      args.push(...argv.slice(i));
      break;
    }
    if (/^-\d/.test(arg)) {
      args.push(`${NEGATIVE}${negatives.length}`);
      negatives.push(arg);
      continue;
    }
    args.push(arg);
    // An option that takes the next argument as its value (`--timeout 5`, `-H X`, `-qH X`), not
    // one given with it (`--timeout=5`, `-HX`, `-qHX`): the next argument is its value, whatever
    // it is, as parseArgs reads it.
    if (takesNext(arg, takesValue) && i + 1 < argv.length) {
      const value = argv[++i] as string;
      // A negative number is the option's value (`--key -1`), which parseArgs would call
      // ambiguous: joined to its option (`--key=-1`, `-H-1`) it is taken as it is.
      if (/^-\d/.test(value)) args[args.length - 1] = arg.startsWith("--") ? `${arg}=${value}` : `${arg}${value}`;
      else args.push(value);
    }
  }
  return { args, negatives };
}

/** Whether `arg` is an option (or a group of short ones) whose value is the next argument. */
function takesNext(arg: string, takesValue: ReadonlySet<string>): boolean {
  if (arg.startsWith("--")) return !arg.includes("=") && takesValue.has(arg);
  if (!arg.startsWith("-")) return false;
  // In a group of short options the first that takes a value takes the rest of the group, if any.
  for (let at = 1; at < arg.length; at++) if (takesValue.has(`-${arg[at]}`)) return at === arg.length - 1;
  return false;
}

function parseErrorText(error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  switch (code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION": {
      const option = /'([^']+)'/.exec(message)?.[1];
      return option ? `unknown option ${option}` : message;
    }
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      const option = /'([^']+)'/.exec(message)?.[1];
      // parseArgs says "argument missing" for a string option without a value, and "does not take
      // an argument" for a boolean given one.
      if (/argument missing/.test(message)) return `option ${option ?? ""} needs a value`.replace("  ", " ");
      if (/does not take an argument/.test(message)) return `option ${option ?? ""} takes no value`.replace("  ", " ");
      // "argument is ambiguous": a value that starts with "-" (a negative number is taken as it is).
      if (/ambiguous/.test(message)) return `option ${option ?? ""} needs a value; one that starts with "-" is written ${option ?? "--option"}=-…`.replace("  ", " ");
      return message;
    }
    default:
      return message;
  }
}

/** A string option's value, or `undefined`. */
export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === "string" ? value : undefined;
}

/** A repeatable string option's values (empty when not given). */
export function listOption(args: ParsedArgs, name: string): string[] {
  const value = args.values[name];
  return Array.isArray(value) ? value : typeof value === "string" ? [value] : [];
}

/** A boolean option. */
export function flag(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

/** An integer option within `[min, max]`, or `undefined` when not given. */
export function integerOption(args: ParsedArgs, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const text = stringOption(args, name);
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text.trim()) || Number(text) < min || Number(text) > max) {
    throw new CliUsageError(`option --${name} must be an integer from ${min}${max === Number.MAX_SAFE_INTEGER ? " up" : ` to ${max}`}; got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

/** The help of one command, generated from its spec. */
export function commandHelp(spec: CommandSpec): string {
  const lines = [`traverse-odata ${spec.name} ${spec.synopsis}`, "", spec.summary, "", "Options:"];
  const rows = Object.entries({ ...spec.options, ...commonOptionsOf(spec) }).map(([name, option]) => {
    const names = `${option.short ? `-${option.short}, ` : "    "}--${name}${option.type === "string" ? ` ${option.value ?? "VALUE"}` : ""}`;
    return [names, option.help] as const;
  });
  const width = Math.max(...rows.map(([names]) => names.length));
  for (const [names, help] of rows) lines.push(`  ${names.padEnd(width)}  ${help}`);
  if (spec.notes) lines.push("", spec.notes);
  return `${lines.join("\n")}\n`;
}
