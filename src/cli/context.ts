/**
 * What every command gets: its parsed arguments, stdout for data, stderr for the rest, the
 * environment, stdin, and the signal that Ctrl-C aborts.
 */
import { ODataClientError, ODataHttpError, type ODataClient, type ODataVersion, type PipelineStep, type ServiceModel } from "../index.js";
import type { CommandSpec, ParsedArgs } from "./args.js";
import { clientSettings, connect, speakDeclared, versionGiven, type ClientSettings, type Environment } from "./connect.js";
import { isJsonContentType } from "../payload/content-type.js";
import { parseHttpMessage } from "../payload/http-envelope.js";
import { readBodyText } from "../http/body.js";
import { isTransientFailure } from "../resources/partitions.js";
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

/**
 * The client for the command's `<service>` argument and the common options, with the command's own
 * pipeline steps. Unless told otherwise (`checkVersion: false`, for the polls of a resume token,
 * whose monitor answers as the service does), a client that speaks OData 4.0 only by default
 * refuses an answer of a v2 service, naming `--odata-version 2.0`.
 */
export function clientFor(context: CommandContext, service: string, steps?: PipelineStep[], checkVersion = true): { client: ODataClient; settings: ClientSettings } {
  const settings = clientSettings(context.args);
  return { client: connect(service, settings, context.environment, { ...(steps ? { steps } : {}), checkVersion }), settings };
}

/**
 * The version a client speaks for a service whose `$metadata` declares `declared`: OData 4.0 and
 * 4.01 as declared; any other (a v2 EDMX's `DataServiceVersion`: 1.0, 2.0 or 3.0) as OData 2.0,
 * as the generator reads such a document (codegen's `v2`). A 1.0 service (ADO.NET and WCF Data
 * Services, the classic Northwind) answers as v2 does, a collection as `{"d": [...]}`, which the
 * v2 reader takes; a 3.0 service answers v2's verbose JSON when asked for it ({@link speakDeclared}).
 * `undefined` for a v4 version the client does not know (`4.02`): the client made stays.
 */
function spokenVersion(declared: string): ODataVersion | undefined {
  if (declared === "4.0" || declared === "4.01") return declared;
  return declared.startsWith("4") ? undefined : "2.0";
}

/**
 * The client for `<service>` and its `$metadata` (`undefined` where it has none to read). Where the
 * user set no version (`--odata-version`, a profile's `version`) and `$metadata` declares one the
 * client does not speak, the client returned speaks the declared one (1.0 and 3.0 as 2.0, see
 * {@link spokenVersion}): the command has read it, so an OData v2 service needs no
 * `--odata-version 2.0`. A version the user set stays. `made`: the client of {@link clientFor}
 * where the command has one already (it checked its options with it).
 */
export async function clientWithMetadata(
  context: CommandContext,
  service: string,
  steps?: PipelineStep[],
  made: { client: ODataClient; settings: ClientSettings } = clientFor(context, service, steps),
): Promise<{ client: ODataClient; settings: ClientSettings; model: ServiceModel | undefined }> {
  const model = await optionalMetadata(made.client, context.signal);
  return { ...clientSpeaking(context, model?.odataVersion, made), model };
}

/**
 * The client of `made` where the user set a version (`--odata-version`, a profile's `version`), or
 * `version` is none the client can speak ({@link spokenVersion}) or the one it speaks already; else
 * a client that speaks it, which the command has read from the service: its `$metadata`
 * ({@link clientWithMetadata}), or the checkpoint of an export that had read it. That client sends
 * through `made`'s pipeline ({@link speakDeclared}). A client that reads an OData 3.0 service as v2
 * also asks for verbose JSON.
 */
export function clientSpeaking(
  context: CommandContext,
  version: string | undefined,
  made: { client: ODataClient; settings: ClientSettings },
): { client: ODataClient; settings: ClientSettings } {
  if (version === undefined) return made;
  const spokenAs = spokenVersion(version);
  const switched = spokenAs !== undefined && spokenAs !== made.client.version && !versionGiven(context.environment);
  // A 3.0 service read as v2, as declared or as the user set it, is asked for verbose JSON.
  const verbose = version === "3.0" && (switched ? spokenAs : made.client.version) === "2.0";
  if (!switched && !verbose) return made;
  // Switched, the version is the service's: its messages say so, not `--odata-version`, which the user did not give.
  const client = speakDeclared(made.client, context.environment, version, switched ? spokenAs : undefined, verbose);
  return { client, settings: switched ? { ...made.settings, version: spokenAs } : made.settings };
}

/** What {@link answerRecorder} gives: the step to add to the client, and the text it kept. */
export interface AnswerRecorder {
  step: PipelineStep;
  /** The text of the latest successful JSON answer, once it is read whole; `undefined` when there was none. */
  text(): Promise<string | undefined>;
}

/**
 * A pipeline step that keeps the text of the latest successful JSON answer (`$metadata` aside), read
 * from a copy of its body beside the library's own reading: `get` and `call` print their result
 * with the digits the service sent (jsonWithServiceDigits), which a number read by JavaScript may
 * have lost. A status monitor's `application/http` answer gives the body it wraps.
 */
export function answerRecorder(): AnswerRecorder {
  let latest: Promise<string | undefined> = Promise.resolve(undefined);
  return {
    step: {
      name: "cli-answer-text",
      async handle(request, next) {
        const response = await next(request);
        const type = response.headers.get("content-type");
        const envelope = type !== null && /^\s*application\/http\b/i.test(type);
        if (response.ok && response.body !== null && (envelope || isJsonContentType(type)) && !new URL(request.url).pathname.endsWith("/$metadata")) {
          // The copy is read as the library reads its own; a failure there is the library's to report.
          // To the limit of any answer read whole, as the library reads its own copy.
          latest = readBodyText(response.clone(), request.method, request.url, request.signal)
            .then((text) => (envelope ? parseHttpMessage(text).body : text))
            .catch(() => undefined);
        }
        return response;
      },
    },
    text: () => latest,
  };
}

/**
 * The service's `$metadata`, or `undefined` when it has none (commands then fall back to what the
 * data says): it answers `$metadata` with a failure status that is its answer (a 404, a 500, a 501
 * Not Implemented). An abort is not swallowed, and neither is a failure that says nothing of the
 * service's document (a timeout, the network, a 429 or 503: `isTransientFailure`), nor one that
 * refuses the credentials ({@link refusesCredentials}: a 401 or 403, an OAuth2 token endpoint's
 * refusal), nor a document answered 200 that cannot be read (`BAD_METADATA`: an expired session's
 * HTML logon page, a document cut off): the service has `$metadata`, and the command would send
 * its request typed otherwise than it types it (`Products(42)` for a string key, a function called
 * as an action) and fail, or worse succeed, for a reason not its own. That error stops the command
 * as it stops `describe`, with the exit code and words of the same failure of the command's own
 * request (a 401 or 403: exit 3, `GET …/$metadata failed with HTTP 401 …`).
 */
export async function optionalMetadata(client: ODataClient, signal: AbortSignal): Promise<ServiceModel | undefined> {
  try {
    return await client.metadata({ signal });
  } catch (error) {
    if (signal.aborted || isTransientFailure(error) || refusesCredentials(error) || (error instanceof ODataClientError && error.code === "BAD_METADATA")) throw error;
    return undefined;
  }
}

/**
 * Whether `error` says the credentials are wrong or lack rights: a 401 or 403 answer, or an OAuth2
 * token endpoint that refused the client (`AUTH_FAILED`). Said at once where it comes from
 * `$metadata`: the user's next request would be refused alike, after one sent with guessed types.
 */
export function refusesCredentials(error: unknown): boolean {
  if (error instanceof ODataHttpError) return error.status === 401 || error.status === 403;
  return error instanceof ODataClientError && error.code === "AUTH_FAILED";
}
