/**
 * `export <service> <set> --out FILE`: a collection into a file (NDJSON, CSV or JSON), a
 * checkpoint after the pages written (at most one save per `--checkpoint-interval`), `--resume`
 * after a kill or Ctrl-C, and parallel partitions:
 * `--parallel N` walks N key ranges at once, `--plan` prints them as JSON, `--partition k/N`
 * runs one of them (on this machine, while others run the rest).
 */
import { constants as fsConstants } from "node:fs";
import { open, readFile, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { ODataClientError, type CollectionQuery, type ODataClient, type PartitionStrategy, type PipelineStep, type QueryPartition, type ServiceModel } from "../../index.js";
import { flag, integerOption, stringOption, type ParsedArgs } from "../args.js";
import { CHECKPOINT_INTERVAL_MS, checkCheckpointWritable, checkResumePoint, headerDifference, keptHeaders, loadCheckpoint, type ExportCheckpoint, type WalkCheckpoint } from "../checkpoint.js";
import { clientFor, clientSpeaking, clientWithMetadata, optionalMetadata, refusesCredentials, type Command, type CommandContext } from "../context.js";
import { versionGiven } from "../connect.js";
import { CliInterrupted, CliUsageError, isAbort } from "../errors.js";
import { FileSink, parallelExport, rowFormat, walkToFile, walkToStream, type WalkReport } from "../export.js";
import { columnsOf, formatFromFileName, namesFormat, type FileFormatName } from "../formats.js";
import { buildQuery, declaredColumns, pageSizeWarning, QUERY_OPTIONS, rowsToRead } from "../query-args.js";
import { formatCount, formatCounted } from "../terminal.js";
import { checkSetName, explainMissingSet } from "../container-names.js";
import type { ODataVersion } from "../../options.js";
import { parseJsonFile } from "../json-file.js";
import { checkPath } from "../../query/names.js";
import { redactText } from "../../util/redact.js";
import { coreOf } from "../../reader.js";

const FILE_FORMATS: readonly FileFormatName[] = ["ndjson", "csv", "json"];
const STRATEGIES: readonly PartitionStrategy[] = ["auto", "quantiles", "aggregate", "skip"];
/** The most walks one export runs at once. */
const MAX_PARALLEL = 64;

/** `export <service> <set> --out FILE`: see the module comment. */
export const exportCommand: Command = {
  spec: {
    name: "export",
    summary: "Export a collection to a file in bounded memory, with a checkpoint behind the pages written, --resume, and parallel key ranges.",
    synopsis: "<service> <set>",
    positionals: { min: 2, max: 2 },
    options: {
      out: { type: "string", value: "FILE", help: "the file to write (required, except with --plan); - writes to stdout, with no checkpoint: no --resume, --checkpoint or --parallel then" },
      format: { type: "string", value: "F", help: "ndjson, csv or json (default: from the file's extension, else ndjson)" },
      checkpoint: { type: "string", value: "FILE", help: "where the checkpoint is kept (default: FILE.checkpoint.json)" },
      "checkpoint-interval": { type: "string", value: "MS", help: `the least time from one checkpoint save to the next (default ${CHECKPOINT_INTERVAL_MS}; 0: no pause, a save starts as soon as the last one ends)` },
      resume: { type: "boolean", help: "go on from the checkpoint of an export that was interrupted (with no checkpoint and nothing in --out yet: start from the beginning)" },
      parallel: { type: "string", value: "N", help: "split the set into N key ranges and walk them at once" },
      plan: { type: "boolean", help: "with --parallel N: print the N partitions as JSON and stop" },
      partition: { type: "string", value: "K/N", help: "walk only partition K of N (from --plan-file, else planned now)" },
      "plan-file": { type: "string", value: "FILE", help: "the partitions --plan printed, for --partition or --parallel" },
      strategy: { type: "string", value: "S", help: "how to find the ranges: auto (default), quantiles, aggregate or skip" },
      "partition-key": { type: "string", value: "PROP", help: "the property the ranges are of (default: the key from $metadata)" },
      ...QUERY_OPTIONS,
    },
    notes: [
      "Examples:",
      "  traverse-odata export https://host/odata/v4/catalog/ Readings --out readings.ndjson",
      "  traverse-odata export https://host/odata/v4/catalog/ Readings --out readings.ndjson --resume",
      "  traverse-odata export https://host/odata/v4/catalog/ Readings --out - | gzip > readings.ndjson.gz",
      "  traverse-odata export https://host/odata/v4/catalog/ Readings --out readings.csv --parallel 4",
      "  traverse-odata export https://host/odata/v4/catalog/ Readings --parallel 4 --plan > plan.json",
      "  traverse-odata export https://host/odata/v4/catalog/ Readings --partition 2/4 --plan-file plan.json --out part-2.ndjson",
    ].join("\n"),
  },
  run: runExport,
};

interface Mode {
  kind: "single" | "parallel" | "partition";
  /** N of --parallel N or --partition K/N. */
  count: number;
  /** K of --partition K/N (from 1). */
  index: number;
}

function readMode(args: ParsedArgs): Mode {
  const parallel = integerOption(args, "parallel", 1, MAX_PARALLEL);
  const partition = stringOption(args, "partition");
  if (parallel !== undefined && partition !== undefined) throw new CliUsageError("--parallel and --partition exclude each other: --parallel N walks all N ranges here, --partition K/N one of them");
  const paging = ["top", "skip"].filter((name) => stringOption(args, name) !== undefined);
  if (paging.length > 0 && (parallel !== undefined || partition !== undefined)) {
    // Each partition is a range of the set with its own $top/$skip, so a limit cannot apply to the whole.
    throw new CliUsageError(`${paging.map((name) => `--${name}`).join(" and ")} cannot be used with ${parallel !== undefined ? "--parallel" : "--partition"}: the partitions are ranges of the whole set; filter the set with --filter instead`);
  }
  // The parts of --parallel are written one range after the other: an order of another property
  // would hold within each range only.
  if (parallel !== undefined && !flag(args, "plan") && stringOption(args, "orderby") !== undefined) {
    throw new CliUsageError("--orderby cannot be used with --parallel: the partitions are written one key range after the other; sort the file afterwards, or export without --parallel");
  }
  if (flag(args, "plan") && parallel === undefined) throw new CliUsageError("--plan needs --parallel N: the number of partitions to plan");
  // The options of planning, where nothing is planned, or where --plan-file gives the plan, would do nothing.
  const planning = ["plan-file", "strategy", "partition-key"].filter((name) => stringOption(args, name) !== undefined);
  if (planning.length > 0 && parallel === undefined && partition === undefined) {
    throw new CliUsageError(`${planning.map((name) => `--${name}`).join(" and ")} ${planning.length === 1 ? "plans" : "plan"} the partitions of --parallel N or --partition K/N; without either there is nothing to plan`);
  }
  if (stringOption(args, "plan-file") !== undefined && planning.length > 1) {
    throw new CliUsageError(`${planning.filter((name) => name !== "plan-file").map((name) => `--${name}`).join(" and ")} cannot be used with --plan-file: the file holds the partitions already planned`);
  }
  // Checked here rather than where the plan is made: $metadata may be read before that.
  const strategy = stringOption(args, "strategy");
  if (strategy !== undefined && !STRATEGIES.includes(strategy as PartitionStrategy)) throw new CliUsageError(`--strategy must be one of ${STRATEGIES.join(", ")}; got ${JSON.stringify(strategy)}`);
  const key = stringOption(args, "partition-key");
  // As partitions() refuses it, named as given here.
  if (key !== undefined) checkPath(key, "--partition-key");
  if (partition !== undefined) {
    const match = /^(\d+)\/(\d+)$/.exec(partition.trim());
    const index = Number(match?.[1]);
    const count = Number(match?.[2]);
    if (!match || index < 1 || count < 1 || index > count || count > 1000) throw new CliUsageError(`--partition must be K/N with 1 <= K <= N <= 1000, such as 2/4; got ${JSON.stringify(partition)}`);
    return { kind: "partition", count, index };
  }
  return parallel === undefined ? { kind: "single", count: 1, index: 1 } : { kind: "parallel", count: parallel, index: 1 };
}

/** The partitions of `--plan-file` (`file` as given, read at `path`), checked against the set and their number. */
async function readPlanFile(file: string, path: string, set: string, count: number): Promise<QueryPartition[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliUsageError(`--plan-file ${file}: ${code === "ENOENT" ? "no such file" : `cannot be read (${code ?? (error as Error).message})`}`);
  }
  let plan: unknown;
  try {
    plan = parseJsonFile(text);
  } catch {
    throw new CliUsageError(`--plan-file ${file}: not JSON`);
  }
  if (!Array.isArray(plan) || plan.some((p) => (p as { type?: unknown } | null)?.type !== "traverse-odata/partition")) {
    throw new CliUsageError(`--plan-file ${file} is not a list of partitions as --plan prints them`);
  }
  const partitions = plan as QueryPartition[];
  if (partitions.length !== count) throw new CliUsageError(`--plan-file ${file} holds ${partitions.length} partitions, not ${count}`);
  partitions.forEach((p, i) => {
    if (p.index !== i || p.of !== count) throw new CliUsageError(`--plan-file ${file}: partition ${i + 1} says it is ${p.index + 1} of ${p.of}`);
    if (p.entitySet !== set) throw new CliUsageError(`--plan-file ${file} is a plan for ${JSON.stringify(p.entitySet)}, not ${JSON.stringify(set)}`);
  });
  return partitions;
}

/**
 * Refuses a plan made for other options than this export's. Each partition's `url` is the query it
 * was planned on with its range added, and a range is only sound on that query: `$skip` windows
 * taken of another `$filter` (or `$search`, or a custom option such as `sap-client`) skip rows or
 * repeat them, and machines given other options would export sets that do not add up. `$select`
 * and `$expand` choose what each row holds, not which rows, and may differ; so may `$orderby`,
 * but for windows in the service's own order.
 */
function checkPlannedQuery(file: string, partitions: QueryPartition[], query: CollectionQuery): QueryPartition[] {
  partitions.forEach((p, i) => {
    // `$orderby` chooses rows only for `$skip` windows taken in the service's own order (no
    // `orderBy` of their own); a key range, or a window whose order leads with the key, holds the
    // same rows in any order, and `--partition` writes its range in the order given.
    const ordered = p.kind === "skip" && !p.orderBy?.length;
    const rowsDecidedBy = (url: URL) => {
      const options = new Map<string, string>();
      for (const [name, value] of url.searchParams) {
        if (name !== "$select" && name !== "$expand" && (ordered || name !== "$orderby")) options.set(name, options.has(name) ? `${options.get(name)}&${value}` : value);
      }
      return options;
    };
    let planned: URL;
    try {
      planned = new URL(p.url);
    } catch {
      throw new CliUsageError(`--plan-file ${file}: partition ${i + 1} has no URL as --plan prints it`);
    }
    const given = rowsDecidedBy(new URL(query.partition(p).url()));
    const was = rowsDecidedBy(planned);
    const name = [...new Set([...was.keys(), ...given.keys()])].find((option) => was.get(option) !== given.get(option));
    if (name === undefined) return;
    // As name=value, whose value the redaction masks where the name is a credential's (api_key=…).
    const shown = (value: string | undefined) => (value === undefined ? `no ${name}` : redactText(`${name}=${value}`));
    throw new CliUsageError(
      `--plan-file ${file} was planned for another query: partition ${i + 1} has ${shown(was.get(name))} where this export sends ${shown(given.get(name))}; give the query options that --plan was given`,
    );
  });
  return partitions;
}

/**
 * `model`: the `$metadata` the command has read already, where it has (its client may be another
 * than the query's); `null` where it read that the service has none.
 */
async function planFor(context: CommandContext, client: ODataClient, query: CollectionQuery, set: string, count: number, model?: ServiceModel | null): Promise<QueryPartition[]> {
  const file = stringOption(context.args, "plan-file");
  if (file !== undefined) return checkPlannedQuery(file, await readPlanFile(file, resolve(context.environment.cwd, file), set, count), query);
  // Checked by readMode.
  const strategy = stringOption(context.args, "strategy") ?? "auto";
  const key = stringOption(context.args, "partition-key");
  // With --partition-key the planner plans without $metadata where it cannot read it, and goes on:
  // read here first then, once, for the plan and the warning below. A refusal of the credentials
  // (401, 403) stops the command before the planner sends anything; none (404) is planned so.
  let known = model;
  if (known === undefined && key !== undefined) known = (await optionalMetadata(client, context.signal)) ?? null;
  let plan: QueryPartition[];
  try {
    // No model given: the planner reads $metadata (the client's cache, which model() shares) while
    // it counts. null: the command found that the service has none, which the planner does not ask again.
    plan = await query.partitions(count, { signal: context.signal, strategy: strategy as PartitionStrategy, key, ...(known !== undefined ? { model: known } : {}) });
  } catch (error) {
    if (error instanceof ODataClientError && error.code === "PARTITION_KEY_UNKNOWN") {
      // The planner's own $metadata failed where the error has a cause: a refusal of the
      // credentials (401, 403) is no service without one, and stops the command, as
      // optionalMetadata's does where the command reads it; other failures mean none.
      if (refusesCredentials(error.cause)) throw error.cause;
      // No key, for want of the set itself: said so rather than asking for --partition-key. The
      // planner's $metadata, where it read one, from the client's cache (no request).
      const read = known !== undefined ? known : error.cause === undefined ? await optionalMetadata(client, context.signal).catch(() => undefined) : undefined;
      checkSetName("export", read ?? undefined, set);
      throw new CliUsageError(`the ranges need the key of ${set}, which $metadata does not give here; name the property with --partition-key PROP`, { cause: error });
    }
    throw error;
  }
  if (key !== undefined) warnOfUnstableWindows(context, plan, set, key, known ?? undefined);
  return plan;
}

/**
 * `$skip` windows ordered by `--partition-key` alone: the planner puts the entity key after it to
 * order the rows of one value, and does not where `$metadata` does not give that key. Unless the
 * property is the key itself, a service that orders the rows of one value differently from one
 * request to the next then puts some rows in two windows and others in none: said, not refused, as
 * the property may well be unique (a key the service's `$metadata` does not tell).
 */
function warnOfUnstableWindows(context: CommandContext, plan: QueryPartition[], set: string, key: string, known: ServiceModel | undefined): void {
  const window = plan.find((partition) => partition.kind === "skip");
  if (window?.orderBy === undefined || window.orderBy.length > 1 || plan.length < 2) return;
  const entitySet = known?.entitySet(set);
  const entityKey = entitySet && known ? known.keyOf(known.entityTypeOf(entitySet)).map((ref) => ref.path) : [];
  if (entityKey.length === 1 && entityKey[0] === key) return;
  context.reporter.warn(
    `the partitions are $skip windows ordered by --partition-key ${key} alone: $metadata does not give the key of ${set} to order rows of the same ${key} by. If ${key} has repeated values, a service that orders them differently from one request to the next puts rows in two partitions or in none; name a property whose values are unique`,
  );
}

/**
 * A step that says `MaxDataServiceVersion: 2.0` on the export's requests while `active()`: where it
 * reads the service as OData 2.0 without knowing the version the service declares (no `$metadata`
 * read, nor kept by the checkpoint). OData 3.0 answers a client that reads no more than 2.0 in
 * verbose JSON, v2's form, where it would answer a plain `application/json` in JSON light, which the
 * v2 reader cannot read. Asking for verbose JSON (`odata=verbose`) by name is left to a service
 * known to be 3.0: a v2 service need not know that parameter, while this header is what SAPUI5's
 * v2 model sends SAP Gateway with every request. A value the request has already stays.
 */
function readsNoMoreThanV2(active: () => boolean): PipelineStep {
  return {
    name: "cli-export-v2-max-version",
    handle(request, next) {
      if (active() && request.method === "GET" && !request.headers.has("maxdataserviceversion")) request.headers.set("maxdataserviceversion", "2.0");
      return next(request);
    },
  };
}

/**
 * Checks, before anything is asked or saved, that `--out` can be written at an offset, as the
 * checkpoint needs (`--resume` cuts the file back to it). A named pipe, or `/dev/stdout` that is a
 * pipe or a terminal, cannot (ESPIPE): the first page's write failed there, after a checkpoint was
 * saved beside it that then refused the same command run again. A device that can (`/dev/null`)
 * passes: a write of no bytes at offset 0 tells.
 */
async function checkOffsetWritable(file: string): Promise<void> {
  const found = await stat(file).catch(() => undefined);
  if (found === undefined || found.isFile() || found.isDirectory()) return;
  let refused = found.isFIFO() || found.isSocket();
  if (!refused && found.isCharacterDevice()) {
    // Opened without O_TRUNC or O_CREAT: nothing changes. Another failure is left to the export's own open.
    const handle = await open(file, fsConstants.O_WRONLY).catch(() => undefined);
    if (handle) {
      refused = await handle.write(Buffer.alloc(0), 0, 0, 0).then(
        () => false,
        (error: NodeJS.ErrnoException) => error.code === "ESPIPE",
      );
      await handle.close();
    }
  }
  if (refused) {
    throw new CliUsageError(`--out ${file} cannot be written at an offset (a pipe or a terminal), which the checkpoint needs; write to stdout with --out - (and redirect it), or name a regular file`);
  }
}

/** Checks, before anything is asked, that the folder of `file` is there: a checkpoint could not be saved else. */
async function checkFolder(file: string, option: string): Promise<void> {
  const folder = dirname(file);
  const isFolder = (path: string) => stat(path).then((found) => found.isDirectory(), () => false);
  // Exit 1, as for any file that cannot be written.
  if (!(await isFolder(folder))) {
    // A file on the way (`--out notes.txt/x.ndjson`) is named: the folder is not missing, it cannot be one.
    const exists = (path: string) => stat(path).then(() => true, () => false);
    let nearest = folder;
    while (!(await exists(nearest)) && dirname(nearest) !== nearest) nearest = dirname(nearest);
    if ((await exists(nearest)) && !(await isFolder(nearest))) {
      throw new Error(`${option} ${file}: ${nearest} is a file, not a folder`);
    }
    throw new Error(`${option} ${file}: the folder ${folder} does not exist`);
  }
  if (await isFolder(file)) throw new Error(`${option} ${file} is a folder; name a file in it`);
}

/** Checks that a checkpoint belongs to the export the command describes. */
function checkResumable(
  checkpoint: ExportCheckpoint,
  file: string,
  expected: { request: string; odataVersion: ODataVersion; headers: Record<string, string>; format: FileFormatName; mode: Mode; out: string; trustedOrigins: ReadonlySet<string> },
): void {
  const mismatch = (what: string) => new CliUsageError(`the checkpoint ${file} is of another export (${what}); run the same command as before with --resume, or delete the checkpoint to start again`);
  // The checkpoint's length is that of its own output: cutting another file to it would destroy that file.
  if (checkpoint.out !== expected.out) throw mismatch(`its output is ${checkpoint.out}, not ${expected.out}`);
  if (checkpoint.format !== expected.format) throw mismatch(`format ${checkpoint.format}, not ${expected.format}`);
  if (expected.mode.kind === "parallel") {
    if (checkpoint.type !== "traverse-odata/export-parallel") throw mismatch("a single walk, not --parallel");
    // Its plan is read here: checked first (checkResumePoint checks the rest below).
    if (!Array.isArray(checkpoint.plan)) checkResumePoint(checkpoint, file, expected.trustedOrigins);
    if (checkpoint.plan.length !== expected.mode.count) throw mismatch(`--parallel ${checkpoint.plan.length}, not ${expected.mode.count}`);
  } else {
    if (checkpoint.type !== "traverse-odata/export-checkpoint") throw mismatch("--parallel, not a single walk");
    const partition = checkpoint.partition;
    if (expected.mode.kind === "partition" && (partition?.index !== expected.mode.index - 1 || partition.of !== expected.mode.count)) {
      throw mismatch(partition ? `partition ${partition.index + 1}/${partition.of}` : "the whole set, not a partition");
    }
    if (expected.mode.kind === "single" && partition) throw mismatch(`partition ${partition.index + 1}/${partition.of}`);
  }
  if (checkpoint.request !== expected.request) throw mismatch("its query differs from this one");
  // The same URL read as another version is another export: its pages would not read as the
  // version given (v2's `d` against v4's `value`). A checkpoint saved before the version was kept
  // says nothing of it, and is taken as of this one.
  if (checkpoint.odataVersion !== undefined && checkpoint.odataVersion !== expected.odataVersion) {
    throw mismatch(`OData version ${checkpoint.odataVersion}, not ${expected.odataVersion}`);
  }
  // A header may choose the rows (SAP's client, the language of texts): rows asked with another
  // would be mixed with the file's. Secrets are not kept, so a changed credential goes on.
  const header = checkpoint.headers === undefined ? undefined : headerDifference(checkpoint.headers, expected.headers);
  if (header !== undefined) throw mismatch(header);
  checkResumePoint(checkpoint, file, expected.trustedOrigins);
}

async function runExport(context: CommandContext): Promise<void> {
  const { args, reporter } = context;
  const [service = "", set = ""] = args.positionals;
  const mode = readMode(args);
  const planOnly = flag(args, "plan");
  const outArg = stringOption(args, "out");
  if (outArg === undefined && !planOnly) throw new CliUsageError("export needs --out FILE (the file to write)");
  if (planOnly) checkPlanOnly(args, outArg);
  // `--out -`: stdout, as most commands take `-`. A stream cannot be cut back to a checkpoint's
  // length nor joined into, so what needs the file is refused rather than done half.
  const toStdout = outArg === "-" && !planOnly;
  if (toStdout) checkStdoutExport(args, mode);
  const out = outArg === undefined || toStdout ? "" : resolve(context.environment.cwd, outArg);
  const formatArg = stringOption(args, "format");
  if (formatArg !== undefined && !FILE_FORMATS.includes(formatArg as FileFormatName)) {
    throw new CliUsageError(`--format must be one of ${FILE_FORMATS.join(", ")} for export; got ${JSON.stringify(formatArg)}`);
  }
  const format = (formatArg as FileFormatName | undefined) ?? formatFromFileName(out);
  const checkpointFile = resolve(context.environment.cwd, stringOption(args, "checkpoint") ?? `${out}.checkpoint.json`);
  // The checkpoint is saved by renaming over its file, and removed at the end: over the output, it
  // would replace the rows, then delete them.
  if (!planOnly && !toStdout && checkpointFile === out) throw new CliUsageError("--checkpoint must name another file than --out");
  if (!planOnly && !toStdout) {
    await checkFolder(out, "--out");
    await checkOffsetWritable(out);
    await checkFolder(checkpointFile, "--checkpoint");
    // Named after --out unless --checkpoint names it: then the error names --out and its file.
    await checkCheckpointWritable(checkpointFile, "--checkpoint", stringOption(args, "checkpoint") === undefined ? out : undefined);
  }
  // A file named `rows.tsv` or `rows.txt` gets NDJSON: said, so that it is not taken for what its name says.
  if (formatArg === undefined && !planOnly && !toStdout && !namesFormat(out)) {
    reporter.warn(`${outArg}: its extension names none of the formats (.csv, .json, .ndjson or .jsonl); writing NDJSON (--format ndjson|csv|json chooses one)`);
  }
  // CSV written into `rows.json` as --format says: said, so that the name is not taken for what the file holds.
  if (formatArg !== undefined && !planOnly && !toStdout && namesFormat(out) && formatFromFileName(out) !== format) {
    const named = (name: FileFormatName) => (name === "ndjson" ? "NDJSON" : name.toUpperCase());
    reporter.warn(`${outArg}: its extension names ${named(formatFromFileName(out))}; writing ${named(format)}, as --format says`);
  }
  const resume = flag(args, "resume");
  const checkpointInterval = integerOption(args, "checkpoint-interval", 0, 3_600_000);

  // Every client of the export has the step; whether it says MaxDataServiceVersion is decided once
  // the client that reads the pages is (`capVersion`).
  let capVersion = false;
  const steps = [readsNoMoreThanV2(() => capVersion)];
  const made = clientFor(context, service, steps);
  // The options are checked before anything is sent.
  let query = buildQuery(made.client.collection(set), args, { paging: true });
  // $metadata only when something needs it (a plan, CSV columns): NDJSON and JSON of one walk
  // start with the first page, and a service's $metadata may be megabytes.
  let metadata: Promise<ServiceModel | undefined> | undefined;
  // The $metadata read, wherever it is, knows the service's names: a set it lacks is refused then.
  const known = (read: ServiceModel | undefined) => {
    checkSetName("export", read, set);
    return read;
  };
  const model = () => (metadata ??= optionalMetadata(made.client, context.signal).then(known));
  // Where the export reads $metadata anyway (a plan without --plan-file, CSV columns) and the user
  // set no version, it speaks the one $metadata declares, as `query` does: $metadata is read first
  // then, since the query's literals and the reading of the answers depend on the version. A plan
  // made so asks $count after $metadata, where the planner would ask both at once.
  // With OData 2.0 set by the user, $metadata read anyway tells whether the service is a 3.0 one,
  // to be asked for verbose JSON (clientSpeaking), as the other commands that read it do.
  const plans = (planOnly || mode.kind !== "single") && stringOption(args, "plan-file") === undefined;
  const speaksDeclared = (plans || (!planOnly && format === "csv")) && (!versionGiven(context.environment) || made.client.version === "2.0");
  /** The version the service declares, where this run knows it: from $metadata, or from the checkpoint. */
  let declared: string | undefined;
  let client = made.client;
  const speak = (spoken: ODataClient) => {
    if (spoken !== client) query = buildQuery(spoken.collection(set), args, { paging: true });
    client = spoken;
  };
  /** Reads $metadata now (for the plan and the columns too) and speaks the version it declares; resolves with it. */
  const speakDeclared = async (): Promise<ServiceModel | null> => {
    const spoken = await clientWithMetadata(context, service, steps, made);
    metadata = Promise.resolve(known(spoken.model));
    declared = spoken.model?.odataVersion;
    speak(spoken.client);
    // null: read, and the service has none.
    return spoken.model ?? null;
  };

  if (planOnly) {
    // Read first: speakDeclared() may give the query of another client.
    const read = speaksDeclared ? await speakDeclared() : undefined;
    capVersion = client.version === "2.0" && declared === undefined;
    const plan = await planFor(context, client, query, set, mode.count, read);
    await context.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
    return;
  }

  const existing = toStdout ? undefined : await loadCheckpoint(checkpointFile);
  if (existing && !resume) {
    throw new CliUsageError(`a checkpoint of an unfinished export is at ${checkpointFile}: add --resume to go on from it, or delete it to start again`);
  }
  if (!existing && resume) await startWithoutCheckpoint(out, checkpointFile, (text) => reporter.warn(text));
  // A resumed export reads no $metadata: it speaks the version its checkpoint says the run that
  // started it spoke (read from $metadata then), so that the same command goes on from it, and asks
  // as that run did: a 3.0 service (the version declared, kept) for verbose JSON. A checkpoint saved
  // before the version declared was kept resumes as it did then.
  let read: ServiceModel | null | undefined;
  if (existing && (speaksDeclared || existing.declaredVersion !== undefined)) {
    declared = existing.declaredVersion;
    speak(clientSpeaking(context, declared ?? existing.odataVersion, made).client);
  } else if (speaksDeclared && !existing) {
    read = await speakDeclared();
  }
  const odataVersion = client.version;
  capVersion = odataVersion === "2.0" && declared === undefined;
  // Kept for a resume where it tells how to ask (a service read as v2).
  const declaredVersion = odataVersion === "2.0" ? declared : undefined;
  // Where the walks follow next links (the service's origin, --trust-origin, a profile's
  // trustedOrigins): a checkpoint may go on at any of them.
  const trustedOrigins = coreOf(client).options.trustedOrigins;
  const secrets = context.environment.secrets;
  const headers = keptHeaders(coreOf(client).options.headers, (value) => secrets?.holds(value) === true);
  const pageSize = pageSizeWarning(args, odataVersion);
  if (pageSize !== undefined) reporter.warn(pageSize);

  const started = performance.now();
  const label = mode.kind === "partition" ? `${set} ${mode.index}/${mode.count}` : set;
  let total: number | undefined = existing?.type === "traverse-odata/export-checkpoint" ? existing.total : undefined;
  let latest: WalkReport = { rows: 0, pages: 0 };
  const onPage = (report: WalkReport) => {
    latest = report;
    reporter.walk(label, { ...report, total }, started);
  };
  const warn = (text: string) => reporter.warn(text);
  // The progress line is cleared before rows go to stdout: on a terminal the two share the screen.
  const write = async (text: string) => {
    reporter.clear();
    await context.stdout.write(text);
  };
  const countInBackground = (counted: CollectionQuery) => {
    // Only for the ETA: a count that fails costs nothing but the ETA.
    if (total === undefined && reporter.showsProgress) counted.countAll({ signal: context.signal }).then((n) => (total = rowsToRead(n, args)), () => {});
  };

  try {
    let partitions = 1;
    if (mode.kind === "single") {
      if (existing) checkResumable(existing, checkpointFile, { request: query.url(), odataVersion, headers, format, mode, out, trustedOrigins });
      countInBackground(query);
      // A resumed walk writes the columns of its checkpoint: $metadata is not asked for them (a complete
      // output is finished without a request).
      const columns = format !== "csv" ? undefined : existing ? existing.columns : declaredColumns(args, set, await model());
      latest = toStdout
        ? await walkToStream({ query, format, columns, write, signal: context.signal, onPage, warn })
        : await walkToFile({ query, out, checkpoint: checkpointFile, format, whole: true, columns, resume: existing as WalkCheckpoint | undefined, odataVersion, declaredVersion, headers, checkpointInterval, signal: context.signal, onPage, warn });
    } else if (mode.kind === "partition") {
      let partition: QueryPartition;
      if (existing) {
        const saved = (existing as WalkCheckpoint).partition;
        if (!saved) throw new CliUsageError(`the checkpoint ${checkpointFile} is of an export of the whole set, not of partition ${mode.index}/${mode.count}`);
        partition = saved;
        checkResumable(existing, checkpointFile, { request: query.partition(partition).url(), odataVersion, headers, format, mode, out, trustedOrigins });
      } else {
        partition = (await planFor(context, client, query, set, mode.count, read))[mode.index - 1] as QueryPartition;
      }
      total ??= partition.estimatedCount;
      const columns =
        format !== "csv" ? undefined : existing ? existing.columns : (declaredColumns(args, set, await model()) ?? (partition.kind === "empty" ? undefined : await firstColumns(query, context.signal)));
      if (partition.kind === "empty") {
        if (toStdout) await write(emptyText(format, columns));
        else await writeEmpty(out, format, columns);
      } else if (toStdout) {
        latest = await walkToStream({ query: query.partition(partition), format, columns, write, signal: context.signal, onPage, warn });
      } else {
        latest = await walkToFile({ query: query.partition(partition), out, checkpoint: checkpointFile, format, whole: true, columns, partition, resume: existing as WalkCheckpoint | undefined, odataVersion, declaredVersion, headers, checkpointInterval, signal: context.signal, onPage, warn });
      }
    } else {
      let plan: QueryPartition[];
      let columns: string[] | undefined;
      if (existing) {
        checkResumable(existing, checkpointFile, { request: query.url(), odataVersion, headers, format, mode, out, trustedOrigins });
        plan = (existing as { plan: QueryPartition[] }).plan;
        columns = existing.columns;
      } else {
        plan = await planFor(context, client, query, set, mode.count, read);
        // Every part writes the same columns, so they are fixed before any part starts.
        columns = format === "csv" ? declaredColumns(args, set, await model()) ?? (await firstColumns(query, context.signal)) : undefined;
      }
      partitions = plan.length;
      total = plan.reduce((sum, p) => sum + (p.estimatedCount ?? 0), 0) || undefined;
      latest = await parallelExport({
        query,
        out,
        checkpoint: checkpointFile,
        format,
        columns,
        plan,
        resume: existing?.type === "traverse-odata/export-parallel" ? existing : undefined,
        odataVersion,
        declaredVersion,
        headers,
        trustedOrigins,
        checkpointInterval,
        signal: context.signal,
        onPage,
        warn,
      });
    }
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? latest.rows / seconds : 0;
    reporter.summary(
      `exported ${formatCounted(latest.rows, "row")} in ${formatCounted(latest.pages, "page")}${partitions > 1 ? ` (${partitions} partitions)` : ""} to ${toStdout ? "stdout" : outArg} in ${seconds.toFixed(1)} s (${formatCount(rate)} rows/s)`,
    );
  } catch (error) {
    if (isAbort(error) && context.signal.aborted) {
      if (toStdout) throw new CliInterrupted(`interrupted after ${formatCounted(latest.rows, "row")}, written to stdout; --out - keeps no checkpoint: run the command again to start over`);
      // Interrupted before the first checkpoint (while the ranges were planned): nothing to resume.
      const saved = await stat(checkpointFile).then(
        () => true,
        () => false,
      );
      if (!saved) throw new CliInterrupted(`interrupted after ${formatCounted(latest.rows, "row")}, before any checkpoint was saved: run the command again to start over`);
      throw new CliInterrupted(`interrupted after ${formatCounted(latest.rows, "row")}; the checkpoint is at ${checkpointFile}: run the same command with --resume to go on`);
    }
    // An export of one walk to NDJSON or JSON reads no $metadata: a 404 before any page asks it
    // whether the set is named otherwise (the document read already, where the export read it).
    if (latest.pages === 0) throw await explainMissingSet(error, "export", set, () => metadata ?? optionalMetadata(made.client, context.signal));
    throw error;
  }
}

/**
 * `--resume` where there is no checkpoint. Nothing is written into the output before the first
 * checkpoint is in place (a parallel export writes it only when the parts are joined), so a run
 * killed before that leaves the output missing or empty: the export then starts from the beginning,
 * saying so. An output that holds bytes is refused and left as it is: it may be an earlier export's
 * file, or this export's complete one (a kill after the checkpoint was removed), which cannot be told apart.
 */
async function startWithoutCheckpoint(out: string, checkpointFile: string, warn: (text: string) => void): Promise<void> {
  const found = await stat(out).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (found !== undefined && found.isFile() && found.size > 0) {
    throw new CliUsageError(
      `nothing to resume: there is no checkpoint at ${checkpointFile}, and ${out} holds ${found.size} bytes, left as they are: if they are this export's, it is complete; to export again into it, run the command without --resume`,
    );
  }
  const why = found === undefined ? "there is no such file" : found.isFile() ? "it is empty" : "it is not a regular file";
  warn(`no checkpoint at ${checkpointFile}, and ${out} holds no rows (${why}): the export starts from the beginning`);
}

/** The columns of the first entity (for CSV without $select or $metadata, before parts start). */
async function firstColumns(query: CollectionQuery, signal: AbortSignal): Promise<string[] | undefined> {
  const first = await query.first({ signal });
  return first === undefined ? undefined : columnsOf(first as Record<string, unknown>);
}

/**
 * `--out -` with what needs a file: a checkpoint (`--resume`, `--checkpoint`,
 * `--checkpoint-interval`) is the length of a file to cut back to, and `--parallel` joins its
 * partitions' part files into one. `--partition K/N`, a single walk, streams.
 */
function checkStdoutExport(args: ParsedArgs, mode: Mode): void {
  const needFile = [
    ...(flag(args, "resume") ? ["--resume"] : []),
    ...["checkpoint", "checkpoint-interval"].filter((name) => stringOption(args, name) !== undefined).map((name) => `--${name}`),
    ...(mode.kind === "parallel" ? ["--parallel"] : []),
  ];
  if (needFile.length === 0) return;
  throw new CliUsageError(
    `--out - writes the rows to stdout, which keeps no checkpoint and no part files: ${needFile.join(" and ")} ${needFile.length === 1 ? "needs" : "need"} a file, --out FILE${mode.kind === "parallel" ? " (--partition K/N writes one range to stdout)" : ""}`,
  );
}

/**
 * Refuses the options of the file an export writes beside `--plan`, which writes none: `--out
 * plan.json` would leave that file unwritten without a word (`> plan.json` writes the plan there).
 */
function checkPlanOnly(args: ParsedArgs, outArg: string | undefined): void {
  const idle = [
    ...(outArg !== undefined && outArg !== "-" ? ["--out"] : []),
    ...["checkpoint", "checkpoint-interval", "format"].filter((name) => stringOption(args, name) !== undefined).map((name) => `--${name}`),
    ...(flag(args, "resume") ? ["--resume"] : []),
  ];
  if (idle.length === 0) return;
  throw new CliUsageError(`--plan prints the plan on stdout (> plan.json writes it to a file) and exports nothing: leave out ${idle.join(" and ")}`);
}

/** The text of an export that holds no rows: head and tail only. */
function emptyText(format: FileFormatName, columns: string[] | undefined): string {
  const rows = rowFormat(format, columns, () => {});
  return `${format === "csv" && columns === undefined ? "" : rows.head()}${rows.tail(0)}`;
}

/** The file of a partition that holds nothing: head and tail only. */
async function writeEmpty(out: string, format: FileFormatName, columns: string[] | undefined): Promise<void> {
  const sink = await FileSink.open(out);
  try {
    await sink.write(emptyText(format, columns));
  } finally {
    await sink.close();
  }
}
