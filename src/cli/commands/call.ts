/**
 * `call`, `wait` and `cancel`: actions and functions, and long-running operations.
 * - `call <service> <operation>` invokes an action (POST) or a function (GET), unbound (an action
 *   or function import) or bound (`Set/NS.name`, with `--key` for one entity; `Singleton/NS.name`).
 *   `$metadata` says which it is and types the `--param` values.
 * - `--async` asks for `Prefer: respond-async` and waits with a progress bar; `--no-wait` prints
 *   the poller's resume token instead, which `wait` and `cancel` take from a file or stdin.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { AsyncOperationTimeoutError, ODataClientError, ODataHttpError, type ActionCall, type ODataClient, type AsyncPoller, type AsyncPollerToken, type FunctionCall, type Operation, type OperationParameters, type Parameter, type PipelineStep, type ServiceModel, type ServiceOperationMethod } from "../../index.js";
import { flag, integerOption, listOption, stringOption } from "../args.js";
import { answeredUrl, resolveLocation } from "../../lro/answer-url.js";
import { answerRecorder, clientFor, clientWithMetadata, type AnswerRecorder, type Command, type CommandContext } from "../context.js";
import { CliInterrupted, CliUsageError, isAbort } from "../errors.js";
import { clientSettings, connect, IF_MATCH_HEADERS, takeConditions, v4AnswerCheck, warnOfUnsentConditions } from "../connect.js";
import { unknownSetError } from "../container-names.js";
import { formatDuration } from "../terminal.js";
import { parseKey, parseParameters } from "../values.js";
import { parseJsonFile } from "../json-file.js";
import { jsonWithServiceDigits } from "../formats.js";
import { findStringEnd, OPEN_BRACE, QUOTE, skipJsonSpace, skipJsonValue } from "../../payload/json-text.js";
import { DEFAULT_MAX_WAIT } from "../../lro/poller.js";
import { SERVICE_OPERATION_METHODS } from "../../operations/requests.js";

const POLL_OPTIONS = {
  "poll-interval": { type: "string", value: "MS", help: "ms between polls when the service sends no Retry-After (default 2000)" },
  "max-wait": { type: "string", value: "MS", help: `give up waiting after MS ms (exit 5; the operation may still run); wait counts it from its own start (default ${DEFAULT_MAX_WAIT})` },
} as const;

/** The poller options of the command line, with progress on stderr. */
function pollTiming(context: CommandContext): { pollInterval?: number; maxWait?: number } {
  // 0 would poll without a pause, as fast as the service answers: the library takes it, a user means none.
  const pollInterval = integerOption(context.args, "poll-interval", 1);
  const maxWait = integerOption(context.args, "max-wait", 1);
  return {
    ...(pollInterval === undefined ? {} : { pollInterval }),
    ...(maxWait === undefined ? {} : { maxWait }),
  };
}

/** The poller options of the command line, with progress on stderr, drawn after every poll. */
function pollerOptions(context: CommandContext, progress: OperationProgress) {
  // Polls come from the poller, which `progress` has by then; what they report is its status() and percentComplete().
  return { ...pollTiming(context), onProgress: () => progress.draw(true) };
}

/** A long-running operation's progress line on stderr. */
class OperationProgress {
  /** The operation's poller, once the request that starts it has been answered. */
  poller: AsyncPoller<unknown> | undefined;
  readonly #context: CommandContext;
  readonly #label: string;
  readonly #started: number;

  constructor(context: CommandContext, label: string, started: number) {
    this.#context = context;
    this.#label = label;
    this.#started = started;
  }

  /** Draws the line from the poller's status and percentage (`force`: whether or not a line is due). */
  draw(force: boolean): void {
    const poller = this.poller;
    if (poller === undefined) return;
    // A service that reports progress often stops short of 100 (or never reports it) before it
    // answers with the result: once the operation has succeeded, its last percentage is stale.
    const percent = hasSucceeded(poller) ? 100 : poller.percentComplete();
    this.#context.reporter.operation(this.#label, poller.status(), percent, this.#started, force);
  }
}

/** Whether the poller's operation is over and succeeded (its result is there: `result()` throws before success and after a failure). */
function hasSucceeded(poller: AsyncPoller<unknown>): boolean {
  if (!poller.isDone()) return false;
  try {
    poller.result();
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether the monitor has said the operation succeeded and the poller is reading its result from
 * where the monitor named it (its token then holds that `resultUrl`): the operation is over, its
 * result still to be read.
 */
function isReadingResult(poller: AsyncPoller<unknown>): boolean {
  return !poller.isDone() && poller.toJSON().resultUrl !== undefined;
}

/**
 * Whether the poller's operation is over at the service, so that its token would reach nothing:
 * its outcome is known (a status that says failed or cancelled settles the poller, rule 4 of
 * spec/async-poller.md), or it succeeded and its result is gone (the result URL answers 404 or 410
 * once the result has expired). A result whose read failed otherwise (a 503, a dropped connection,
 * a 401) may be read later: the token's `fetching-result` phase, which keeps the result's URL,
 * reads it again.
 */
function isOver(poller: AsyncPoller<unknown>, error: unknown): boolean {
  const gone = error instanceof ODataHttpError && (error.status === 404 || error.status === 410);
  return poller.isDone() || (gone && poller.toJSON().resultUrl !== undefined);
}

/** The limit a wait gave up at, named as the user set it: `--max-wait`, or its default. */
function maxWaitLimit(context: CommandContext, maxWait: number): string {
  return pollTiming(context).maxWait === undefined ? `the default --max-wait of ${maxWait} ms` : `--max-wait ${maxWait} ms`;
}

/** What `call` found out about the operation. */
interface OperationTarget {
  kind: "action" | "function";
  /** The name to call: an import's name, or the qualified name of a bound operation. */
  name: string;
  set?: string;
  /** Whether `set` names a singleton (the operation is bound to that one entity), not an entity set. */
  singleton?: boolean;
  /** The parameters `$metadata` declares (the binding parameter left out), where it says. */
  parameters?: Operation["parameters"] | undefined;
  /** The method of an OData v2 service operation declared with PUT, MERGE or DELETE. */
  method?: ServiceOperationMethod | undefined;
}

/** What the operation is called on: the client (imports), an entity set or one entity (bound). */
interface OperationHost {
  action(name: string): ActionCall;
  function(name: string, params?: OperationParameters): FunctionCall;
}

/**
 * The overload that the parameters given name (`given`, their names): OData tells a function's
 * overloads apart by their parameters' names (CSDL 4.01 section 12.2), the binding parameter (the
 * first `skip`) aside. The one whose names are those given, else the only one that has them all.
 */
function chooseOverload(overloads: readonly Operation[], given: readonly string[], skip: number, label: string): Operation | undefined {
  if (overloads.length <= 1) return overloads[0];
  const names = (overload: Operation) => overload.parameters.slice(skip).map((p) => p.name);
  const exact = overloads.find((overload) => names(overload).length === given.length && given.every((name) => names(overload).includes(name)));
  if (exact) return exact;
  const having = overloads.filter((overload) => given.every((name) => names(overload).includes(name)));
  if (having.length === 1) return having[0];
  const list = overloads.map((overload) => `${label}(${names(overload).join(", ")})`).join(", ");
  throw new CliUsageError(`call: ${label} has ${overloads.length} overloads, told apart by their parameters' names: ${list}; give the --param of one of them (given: ${given.join(", ") || "none"})`);
}

/**
 * Finds the operation in the model: an import, or an operation bound to the set's type (to one
 * entity with `key`, else to the collection), the overload chosen by the names of the parameters given.
 */
function findOperation(model: ServiceModel | undefined, operation: string, key: boolean, forceFunction: boolean, given: readonly string[]): OperationTarget {
  const slash = operation.indexOf("/");
  if (slash < 0) {
    const actionImport = model?.actionImport(operation);
    if (actionImport) {
      // Unbound actions have no overloads (CSDL 4.01 section 12.1).
      const parameters = model?.actions(actionImport.action).find((o) => !o.bound)?.parameters;
      const method = SERVICE_OPERATION_METHODS.find((m) => m !== "POST" && m === actionImport.httpMethod);
      return { kind: "action", name: operation, parameters, method };
    }
    const functionImport = model?.functionImport(operation);
    if (functionImport) {
      const overloads = model?.functions(functionImport.function).filter((o) => !o.bound) ?? [];
      return { kind: "function", name: operation, parameters: chooseOverload(overloads, given, 0, operation)?.parameters };
    }
    if (model) throw new CliUsageError(`call: the service has no action or function import named ${JSON.stringify(operation)}`);
    return { kind: forceFunction ? "function" : "action", name: operation };
  }
  const set = operation.slice(0, slash);
  const name = operation.slice(slash + 1);
  const entitySet = model?.entitySet(set);
  // An entity addressed by its name alone: its operations are those bound to one entity, with no --key.
  const singleton = entitySet ? undefined : model?.singleton(set);
  if (singleton && key) throw new CliUsageError(`call: ${set} is a singleton, one entity addressed by its name: it takes no --key`);
  if (model && !entitySet && !singleton) throw unknownSetError("call", model, set);
  const type = entitySet ? model?.entityTypeOf(entitySet) : singleton && model?.entityType(singleton.type);
  if (model && type) {
    // A qualified name is the schema's namespace or its alias and the name (CSDL), in a URL too
    // (`self.total` of a schema `my.svc` Alias `self`); the call goes with the namespace, which
    // every service takes, where not every one resolves an alias.
    const qualified = model.resolveName(name);
    const named = (o: Operation) => o.qualifiedName === qualified || o.name === name;
    const one = key || singleton !== undefined;
    const bound = model.boundOperations(type, { collection: !one }).filter(named);
    if (bound.length === 0) {
      // Bound the other way: to one entity where no --key came, to the collection where one did.
      const other = singleton ? undefined : model.boundOperations(type, { collection: key }).find(named);
      if (other && key) throw new CliUsageError(`call: ${other.qualifiedName} is bound to the collection ${set}, not to one entity: it takes no --key`);
      if (other) throw new CliUsageError(`call: ${other.qualifiedName} is bound to one entity of ${set}: it needs --key (the entity's key)`);
      throw new CliUsageError(`call: ${set}${key ? "(key)" : ""} has no bound action or function ${JSON.stringify(name)}`);
    }
    const chosen = chooseOverload(bound, given, 1, `${set}/${bound[0]?.qualifiedName ?? name}`) as Operation;
    return { kind: chosen.kind === "Action" ? "action" : "function", name: chosen.qualifiedName, set, ...(singleton ? { singleton: true } : {}), parameters: chosen.parameters.slice(1) };
  }
  return { kind: forceFunction ? "function" : "action", name, set, ...(singleton ? { singleton: true } : {}) };
}

/**
 * Whether a call surely needs `parameter`: one `$metadata` declares `Nullable="false"`, not a
 * collection (whose `Nullable` speaks of its items) and not annotated `Core.OptionalParameter`.
 * Sent without it, a function is an overload the service does not have (`topN()`: 404) and an
 * action's body lacks a value that cannot be null (400). A nullable one is left to the service:
 * an action's body may leave it out (it is null then), and though a v4 function's call names
 * every parameter (CSDL 4.01 section 12.2), services take a nullable one left out as null.
 */
function isNeeded(parameter: Parameter): boolean {
  return !parameter.nullable && !parameter.collection && !Object.hasOwn(parameter.annotations, "Org.OData.Core.V1.OptionalParameter");
}

/**
 * Refuses (exit 2), before anything is sent, a call without the parameters that `$metadata` says
 * it needs ({@link isNeeded}), each named with its type. Nothing is checked where `$metadata`
 * does not say (no document, an operation it does not declare).
 */
function checkNeededParameters(target: OperationTarget, params: Record<string, unknown>): void {
  const missing = (target.parameters ?? []).filter((parameter) => !(parameter.name in params) && isNeeded(parameter));
  if (missing.length === 0) return;
  const typed = missing.map((p) => `${p.name} (${p.type})`);
  const list = typed.length === 1 ? typed[0] : `${typed.slice(0, -1).join(", ")} and ${typed.at(-1)}`;
  throw new CliUsageError(`call: ${target.kind} ${target.name} needs the parameter${missing.length === 1 ? "" : "s"} ${list}, which $metadata declares not nullable: give ${missing.map((p) => `--param ${p.name}=…`).join(" ")}`);
}

/** `call <service> <operation>`: an action or function, waited for (`--async`) or left running (`--no-wait`). */
export const callCommand: Command = {
  spec: {
    name: "call",
    summary: "Call an action or a function; --async waits for a long-running one with a progress bar, --no-wait prints its resume token.",
    synopsis: "<service> <operation>",
    positionals: { min: 2, max: 2 },
    options: {
      param: { type: "string", multiple: true, value: "NAME=VALUE", help: "a parameter (repeatable); NAME:=JSON for a JSON value" },
      key: { type: "string", value: "KEY", help: "for an operation bound to one entity (Set/NS.name): its key, as get takes it" },
      async: { type: "boolean", help: "ask for a long-running operation (Prefer: respond-async) and wait for it" },
      "no-wait": { type: "boolean", help: "ask for a long-running operation and print its resume token (for wait and cancel)" },
      function: { type: "boolean", help: "call it as a function (GET) where $metadata cannot say" },
      ...POLL_OPTIONS,
    },
    notes: [
      "<operation> is an action or function import (name), or an operation bound to an entity set (Set/NS.name) or a singleton (Singleton/NS.name, no --key).",
      "A parameter $metadata declares not nullable (a collection and one annotated Core.OptionalParameter aside) needs its --param: without it the call is refused before anything is sent, naming it.",
      `An action on an entity the service guards with an ETag may need If-Match (HTTP 428): ${IF_MATCH_HEADERS}.`,
      "Examples:",
      "  traverse-odata call https://host/odata/v4/demo/ exportProducts --param format=csv --async",
      "  traverse-odata call https://host/odata/v4/demo/ exportProducts --param format=csv --no-wait > job.json",
      "  traverse-odata wait job.json",
    ].join("\n"),
  },
  async run(context) {
    const [service = "", operation = ""] = context.args.positionals;
    const asyncMode = flag(context.args, "async");
    const noWait = flag(context.args, "no-wait");
    if (asyncMode && noWait) throw new CliUsageError("--async and --no-wait exclude each other: --async waits, --no-wait prints the token and returns");
    const keyText = stringOption(context.args, "key");
    const keyOnImport = new CliUsageError("--key is for an operation bound to an entity: name it as Set/NS.name");
    // What can be checked without the service is checked before $metadata is asked for.
    if (keyText !== undefined && !operation.includes("/")) throw keyOnImport;
    const given = Object.keys(parseParameters(listOption(context.args, "param"), undefined, undefined));
    pollTiming(context);
    const answers = answerRecorder();
    const accepted = acceptedMonitor();
    // $metadata says the service's version where no --odata-version (or profile) does.
    // A v4 service's result read as v2 would print as its {"@odata.context", "value"} envelope: stopped.
    const { client, model } = await clientWithMetadata(context, service, [answers.step, accepted.step, v4AnswerCheck(context.environment)]);
    const target = findOperation(model, operation, keyText !== undefined, flag(context.args, "function"), given);
    if (keyText !== undefined && target.set === undefined) throw keyOnImport;
    const params = parseParameters(listOption(context.args, "param"), target.parameters, model, client.version);
    checkNeededParameters(target, params);
    // The untyped form of action() and function(), which the client and both queries have.
    const base: OperationHost =
      target.set === undefined
        ? client
        : target.singleton
          ? client.singleton(target.set)
          : keyText === undefined
            ? client.collection(target.set)
            : client.collection(target.set).key(parseKey(keyText, target.set, model, client.version));
    // -H 'If-Match: <etag>' and the like condition the operation's request alone, given as its own
    // headers (the library explains a 412 or 428 by them): not $metadata, nor a poll of its monitor.
    const conditions = takeConditions(context.environment);
    const headers = conditions === undefined ? {} : { headers: conditions };
    const call: ActionCall | FunctionCall =
      target.kind === "function"
        ? base.function(target.name, params)
        : target.method === undefined
          ? base.action(target.name)
          : client.action(target.name, { method: target.method });
    const started = performance.now();

    if (!asyncMode && !noWait) {
      let result: unknown;
      try {
        result = target.kind === "action" ? await (call as ActionCall).invoke(params, { signal: context.signal, ...headers }) : await (call as FunctionCall).get({ signal: context.signal, ...headers });
      } catch (error) {
        const monitor = accepted.location();
        if (!(error instanceof ODataClientError && error.code === "ASYNC_OPERATION_PENDING") || monitor === undefined) throw error;
        // The service runs it asynchronously, unasked: it has started, so its token is printed as
        // --no-wait prints it. No result came: exit 1, the operation neither failed nor timed out.
        const poller = client.resumeAsync({ ...client.asyncPoller(monitor).toJSON(), resultShape: { kind: "operation", name: target.name, version: client.version } });
        await printToken(context, poller, service, answers);
        throw new ODataClientError(
          "ASYNC_OPERATION_PENDING",
          `${target.kind} ${target.name}: the service runs it asynchronously (it answered 202 Accepted), so there is no result yet: its resume token is on stdout, for traverse-odata wait (its result) or cancel${
            // call --async takes a 202 with Location alone as its poller, as the library's ...Async methods do.
            accepted.inOperationLocation() ? " (its monitor is in Operation-Location, which call --async does not take: use wait)" : "; call --async waits for such an operation"
          }`,
        );
      }
      await printResult(context, result, answers);
      context.reporter.summary(`${target.kind} ${target.name}: done in ${formatDuration((performance.now() - started) / 1000)}`);
      return;
    }
    const progress = new OperationProgress(context, target.name, started);
    // Ctrl-C aborts the request that starts the operation, as it aborts a plain call's.
    const options = { ...pollerOptions(context, progress), signal: context.signal, ...headers };
    const poller = target.kind === "action" ? await (call as ActionCall).invokeAsync(params, options) : await (call as FunctionCall).getAsync(options);
    progress.poller = poller;
    if (noWait) {
      await printToken(context, poller, service, answers);
      context.reporter.summary(`${target.name}: ${poller.isDone() ? `done at once (${poller.status()})` : `${poller.status()}: its resume token is on stdout, for traverse-odata wait or cancel`}`);
      return;
    }
    await waitAndPrint(context, poller, service, target.name, started, answers, progress);
  },
};

/**
 * A token the command line prints: the poller's, and the service it was called on (the
 * `<service>` argument, a URL or a profile name), so that `wait` and `cancel` poll with that
 * service's credentials and headers, and only where that service's client sends them.
 */
type CliToken = AsyncPollerToken & { service?: string };

/** Prints the poller's token; `answers` gives the digits of a result it holds (see tokenJson). */
async function printToken(context: CommandContext, poller: AsyncPoller<unknown>, service: string | undefined, answers?: AnswerRecorder): Promise<void> {
  const token: CliToken = service === undefined ? poller.toJSON() : { ...poller.toJSON(), service };
  await context.stdout.write(`${await tokenJson(token, answers)}\n`);
}

/**
 * The token as one line of JSON. A result it holds (an operation that the service answered at
 * once) is written with each long number in the digits of the answer it was read from, where
 * `answers` has that answer: JSON.stringify would write what JavaScript read (9007199254740992 for
 * 9007199254740993), and `wait` would print that. Still JSON that any reader of a token takes.
 */
async function tokenJson(token: CliToken, answers: AnswerRecorder | undefined): Promise<string> {
  const { result, ...rest } = token;
  const body = result === undefined ? undefined : await answers?.text();
  if (body === undefined) return JSON.stringify(token);
  return `${JSON.stringify(rest).slice(0, -1)},"result":${jsonWithServiceDigits(result, body, 0)}}`;
}

/**
 * The text of the member `name` of the JSON object `json` (at its top level) as written, or
 * `undefined`: a token's result with the digits `call` wrote it with (see tokenJson), which
 * JSON.parse rounds to what JavaScript holds. `json` is text JSON.parse has read (the token); of a
 * name given twice, the last member counts, as it does for JSON.parse.
 */
function memberText(json: string, name: string): string | undefined {
  let found: string | undefined;
  let at = skipJsonSpace(json, 0);
  if (json.charCodeAt(at) !== OPEN_BRACE) return undefined;
  at = skipJsonSpace(json, at + 1);
  while (json.charCodeAt(at) === QUOTE) {
    const keyEnd = findStringEnd(json, at + 1);
    if (keyEnd < 0) return undefined;
    const key = JSON.parse(json.slice(at, keyEnd + 1)) as string;
    // Past the colon to the value.
    const start = skipJsonSpace(json, skipJsonSpace(json, keyEnd + 1) + 1);
    const end = skipJsonValue(json, start);
    if (end < 0) return undefined;
    if (key === name) found = json.slice(start, end);
    // Past the comma to the next name (or past the closing brace, where no name follows).
    at = skipJsonSpace(json, skipJsonSpace(json, end) + 1);
  }
  return found;
}

/**
 * Waits for a poller with progress (drawn at once, then after every poll and every half second),
 * prints its result. When the wait ends but the operation goes on (Ctrl-C, `--max-wait`), the
 * resume token is printed instead, for `wait` or `cancel`. `pollFirst` polls once before the
 * wait's first interval. `resultText`: the text of the result where no answer brings it (a token
 * that holds it), for its digits.
 */
async function waitAndPrint(
  context: CommandContext,
  poller: AsyncPoller<unknown>,
  service: string | undefined,
  label: string,
  started: number,
  answers: AnswerRecorder,
  progress: OperationProgress,
  pollFirst = false,
  resultText?: string,
): Promise<void> {
  progress.draw(true);
  // The elapsed time moves between polls too (not forced: a plain log gets a line a second at most).
  const ticker = setInterval(() => progress.draw(false), 500);
  let result: unknown;
  try {
    if (pollFirst) await poller.poll(context.signal);
    result = await poller.wait(context.signal);
  } catch (error) {
    // The line goes before the token: on a terminal stdout and stderr share the screen.
    clearInterval(ticker);
    context.reporter.clear();
    // The monitor may have said the operation succeeded, its result being read from where it
    // named (the token's `fetching-result` phase): the operation goes on no more, and the token's
    // wait reads that result again.
    const succeeded = isReadingResult(poller);
    if (isAbort(error) && context.signal.aborted) {
      await printToken(context, poller, service);
      if (succeeded) throw new CliInterrupted(`interrupted while the result was read; the operation has succeeded at the service: its resume token is on stdout, and traverse-odata wait with it reads the result`);
      throw new CliInterrupted(`interrupted; the operation goes on at the service: its resume token is on stdout (traverse-odata wait or cancel take it)`);
    }
    if (error instanceof AsyncOperationTimeoutError) {
      await printToken(context, poller, service);
      const limit = maxWaitLimit(context, error.maxWait);
      throw new AsyncOperationTimeoutError(
        succeeded
          ? `the operation succeeded, but its result was still being read after ${limit}: its resume token is on stdout, and traverse-odata wait with it reads the result`
          : `the operation still ran after ${limit} (${poller.status()}); it goes on at the service: its resume token is on stdout (traverse-odata wait or cancel take it)`,
        { statusUrl: error.statusUrl, status: error.status, percentComplete: error.percentComplete, maxWait: error.maxWait },
      );
    }
    // A poll that failed (401 or 403, a 500 or a dropped connection past the poller's retries, an
    // answer it cannot read) leaves the operation's outcome unknown: it may go on, and only the
    // token lets wait or cancel reach it. An operation known to be over (failed, cancelled, its
    // monitor gone, or succeeded and its result gone) has no use for one: a wait with it would
    // fail the same way.
    if (!isOver(poller, error)) {
      await printToken(context, poller, service);
      // Where the monitor said the operation succeeded, only the read of its result failed (a 503,
      // a dropped connection): nothing goes on at the service, and cancel has nothing to stop.
      if (error instanceof Error) {
        error.message = succeeded
          ? `${error.message}; the operation has succeeded at the service, but its result could not be read: its resume token is on stdout, and traverse-odata wait with it reads the result`
          : `${error.message}; the operation may go on at the service: its resume token is on stdout (traverse-odata wait or cancel take it)`;
      }
    } else if (!poller.isDone() && error instanceof Error) {
      error.message = `${error.message}; the operation is over at the service (${poller.status()}), so no resume token is printed`;
    }
    throw error;
  } finally {
    clearInterval(ticker);
    context.reporter.clear();
  }
  await printResult(context, result, answers, resultText);
  context.reporter.summary(`${label}: ${poller.status()} in ${formatDuration((performance.now() - started) / 1000)}`);
}

/** The result as indented JSON, its long numbers in the digits of the answer it was read from (else of `resultText`). */
async function printResult(context: CommandContext, result: unknown, answers: AnswerRecorder, resultText?: string): Promise<void> {
  if (result !== undefined) await context.stdout.write(`${jsonWithServiceDigits(result, (await answers.text()) ?? resultText)}\n`);
}

/**
 * All of stdin as text, unless Ctrl-C comes first: its writer may take its time (a `call --no-wait`
 * in a pipe, a terminal where nothing is typed), and the wait for it is the user's to end.
 */
async function readStdin(context: CommandContext): Promise<string> {
  const { signal } = context;
  const interrupted = () => new CliInterrupted("interrupted while waiting for the token on stdin");
  if (signal.aborted) throw interrupted();
  const chunks: Buffer[] = [];
  const reading = context.stdin[Symbol.asyncIterator]();
  let stop: (error: Error) => void = () => {};
  const stopped = new Promise<never>((_, reject) => (stop = reject));
  const onAbort = () => stop(interrupted());
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    for (;;) {
      const next = await Promise.race([reading.next(), stopped]);
      if (next.done === true) break;
      const chunk: unknown = next.value;
      chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** The token of `wait` and `cancel`, and its text: from the file named, or stdin (`-` or nothing). */
async function readToken(context: CommandContext): Promise<{ token: CliToken; text: string }> {
  const source = context.args.positionals[0];
  let text: string;
  if (source === undefined || source === "-") {
    text = await readStdin(context);
  } else {
    try {
      // Relative to the run's working directory, as every path of the command line is.
      text = await readFile(resolve(context.environment.cwd, source), "utf8");
    } catch (error) {
      throw new CliUsageError(`cannot read the token file ${source}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }
  let token: unknown;
  try {
    token = parseJsonFile(text);
  } catch {
    throw new CliUsageError(`the token ${source === undefined || source === "-" ? "on stdin" : `in ${source}`} is not JSON; pass what call --no-wait printed`);
  }
  const statusUrl = (token as { statusUrl?: unknown } | null)?.statusUrl;
  if (typeof statusUrl !== "string" || !/^https?:\/\//i.test(statusUrl)) throw new CliUsageError("the token names no status monitor (statusUrl); pass what call --no-wait printed");
  const service = (token as { service?: unknown }).service;
  if (service !== undefined && typeof service !== "string") throw new CliUsageError("the token's service must be a URL or a profile name; pass what call --no-wait printed");
  return { token: token as CliToken, text };
}

/**
 * The client for a token, and the service it is the client of: `--service`, else the service the
 * token names (`call --no-wait` writes it). A token that names none (one a program made with
 * `toJSON()`) is polled through a client of the monitor's origin without the environment's
 * credentials: the monitor may be elsewhere than the service, and credentials go to the service
 * that the command was given, as in the library.
 */
function clientForToken(context: CommandContext, token: CliToken, steps?: PipelineStep[]): { client: ODataClient; service: string | undefined } {
  const service = stringOption(context.args, "service") ?? token.service;
  // A v2 service's monitor answers as v2: the token's result shape says how its result is read.
  if (service !== undefined) return { client: clientFor(context, service, steps, false).client, service };
  const client = connect(new URL("/", token.statusUrl).href, clientSettings(context.args), context.environment, { auth: undefined, ...(steps ? { steps } : {}) }, "the token's statusUrl");
  return { client, service: undefined };
}

const TOKEN_OPTIONS = {
  service: { type: "string", value: "SERVICE", help: "the service (URL or profile) whose credentials and headers the polls carry (default: the one the token names; a token naming none is polled without credentials)" },
} as const;

/** The operation a token names (`call` writes its name into the result shape), or "operation". */
function operationName(token: CliToken): string {
  const name = (token.resultShape as { name?: unknown } | undefined)?.name;
  return typeof name === "string" && name !== "" ? name : "operation";
}

/** The poller of a token; a token the library cannot read is a usage mistake, told in the command line's words. */
function resumeToken(client: ODataClient, token: CliToken, options?: Parameters<ODataClient["resumeAsync"]>[1]): AsyncPoller<unknown> {
  try {
    return client.resumeAsync(token, options);
  } catch (error) {
    if (!(error instanceof TypeError || error instanceof RangeError) || !error.message.startsWith("resumeAsync")) throw error;
    // "resumeAsync token.version must be ..." → "the token's version must be ...".
    const message = error.message.replace(/^resumeAsync token\./, "the token's ").replace(/^resumeAsync token /, "the token ").replace(/^resumeAsync\(token\): /, "");
    throw new CliUsageError(`${message}; pass what call --no-wait printed`, { cause: error });
  }
}

/**
 * A step that keeps the status monitor of a `202 Accepted` answer (its `Location`, or else its
 * `Operation-Location`, resolved), which
 * the library's error of a plain call names only masked.
 */
function acceptedMonitor(): { step: PipelineStep; location(): string | undefined; inOperationLocation(): boolean } {
  let location: string | undefined;
  let inOperationLocation = false;
  return {
    step: {
      name: "cli-accepted-monitor",
      async handle(request, next) {
        const response = await next(request);
        // Graph's OneNote copies name their monitor in Operation-Location alone, which the library names too.
        const named = response.status === 202 ? response.headers.get("location") : null;
        const other = response.status === 202 && named === null ? response.headers.get("operation-location") : null;
        const header = named ?? other;
        if (header !== null) {
          try {
            // Read as the library reads every monitor's Location (UTF-8, Graph's host paths).
            location = resolveLocation(header, { url: answeredUrl(response, request.url), status: 202, method: request.method }).href;
            inOperationLocation = other !== null;
          } catch {
            // The library's own reading of the answer says what is wrong with it.
          }
        }
        return response;
      },
    },
    location: () => location,
    inOperationLocation: () => inOperationLocation,
  };
}

/** `wait [token-file | -]`: waits for a long-running operation from its resume token and prints its result. */
export const waitCommand: Command = {
  spec: {
    name: "wait",
    summary: "Wait for a long-running operation from its resume token (a file, or stdin) and print its result.",
    synopsis: "[token-file | -]",
    positionals: { min: 0, max: 1 },
    options: { ...TOKEN_OPTIONS, ...POLL_OPTIONS },
  },
  async run(context) {
    // A mistake in the options is told before the token is read: from stdin, that waits for its writer.
    pollTiming(context);
    const { token, text } = await readToken(context);
    const answers = answerRecorder();
    const { client, service } = clientForToken(context, token, [answers.step]);
    warnOfUnsentConditions(context.environment, "wait", "only the polls of the status monitor and the read of the result");
    const started = performance.now();
    // The wait's own --max-wait (or the default) counts from now, never the token's deadline: that
    // was set by the command that printed the token, and may have passed before this one started.
    const maxWait = pollTiming(context).maxWait ?? DEFAULT_MAX_WAIT;
    // The status in the token is as old as the token: the first poll goes at once, so that the
    // wait reports what the service says now, unless the service's Retry-After still runs and
    // ends within the wait (the wait then polls when it ends).
    const retryIn = typeof token.retryAfterAt === "number" ? token.retryAfterAt - Date.now() : 0;
    const label = operationName(token);
    const progress = new OperationProgress(context, label, started);
    const poller = resumeToken(client, token, { ...pollerOptions(context, progress), maxWait });
    progress.poller = poller;
    // A result the token holds already: its digits are those call wrote it with.
    const resultText = token.outcome === "succeeded" ? memberText(text, "result") : undefined;
    await waitAndPrint(context, poller, service, label, started, answers, progress, !(retryIn > 0 && retryIn < maxWait), resultText);
  },
};

/** `cancel [token-file | -]`: DELETE on the status monitor of a resume token. */
export const cancelCommand: Command = {
  spec: {
    name: "cancel",
    summary: "Ask the service to cancel a long-running operation (DELETE on its status monitor), from its resume token.",
    synopsis: "[token-file | -]",
    positionals: { min: 0, max: 1 },
    options: { ...TOKEN_OPTIONS },
  },
  async run(context) {
    const { token } = await readToken(context);
    const poller = resumeToken(clientForToken(context, token).client, token);
    if (poller.isDone()) {
      // Nothing to ask the service: the token itself says how the operation ended.
      throw new CliUsageError(`cancel: ${operationName(token)} had already finished (${poller.status()}) when its token was written: nothing was cancelled, and nothing was sent`);
    }
    try {
      await poller.cancel(context.signal);
    } catch (error) {
      // A refusal (405: it cannot; 409: the operation has finished ...) cancelled nothing, which
      // the service's own words need not say. A 404 or 410 says the monitor is gone; a 5xx, nothing sure.
      if (error instanceof ODataHttpError && error.status >= 400 && error.status < 500 && error.status !== 404 && error.status !== 410) {
        error.message = `${error.message}; ${operationName(token)} was not cancelled (traverse-odata wait with its token tells how it ends)`;
      }
      throw error;
    }
    context.reporter.summary(poller.isDone() ? `cancelled (${poller.status()})` : "the service accepted the cancellation; it is under way");
  },
};
