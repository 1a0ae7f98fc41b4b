/**
 * From the command line to an `ODataClient`: the service (a URL or a profile), the common options
 * (`--header`, `--odata-version`, `--timeout`), and credentials from the environment or the
 * profile. {@link clientOptions} is the one place where the client's options are built.
 */
import { discard } from "../http/body.js";
import { requestHeaders } from "../http/request-headers.js";
import { AsyncOperationError, ODataClient, ODataClientError, ODataHttpError, redactUrl, type AuthOptions, type OAuth2ClientCredentials, type ODataClientOptions, type ODataVersion, type PipelineStep } from "../index.js";
import { speakingVersion } from "../client.js";
import { integerOption, listOption, stringOption, type ParsedArgs } from "./args.js";
import { OAUTH2_SETTINGS, resolveService, type OAuth2Profile, type Profile, type ServiceTarget } from "./config.js";
import { CliUsageError } from "./errors.js";
import type { SecretMask } from "./secrets.js";
import { isSecretHeaderName } from "../util/redact.js";
import { nodeDebugNames } from "../http/debug.js";
import { isJsonContentType } from "../payload/content-type.js";
import { COLLECTION_IF_MATCH_ADVICE, CSRF_ADVICE, IF_MATCH_ADVICE } from "../write/requests.js";
import { UNSEEN_VERSION_HINT, VERSION_HINT, versionValue } from "../read/payload-failure.js";

/** The environment variables the command line reads credentials from. */
export const ENV = {
  token: "TRAVERSE_ODATA_TOKEN",
  user: "TRAVERSE_ODATA_USER",
  password: "TRAVERSE_ODATA_PASSWORD",
} as const;

/** What a command runs in: the environment, the working directory, the platform. */
export interface Environment {
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  platform: NodeJS.Platform;
  /** The run's secret values, masked in what it writes to stderr (runCli sets it). */
  secrets?: SecretMask;
  /** Where `--debug` writes the wire log's lines (runCli sets it: stderr, masked); console.error otherwise. */
  wireLog?: (line: string) => void;
  /** Where a warning goes (runCli sets it: stderr, once per text); nowhere otherwise. */
  warn?: (text: string) => void;
  /** The service of the latest client made ({@link connect} sets it), whose settings runCli's messages name. */
  connected?: WrittenService;
}

/** The common options that shape the client, read once from the arguments. */
export interface ClientSettings {
  headers: Record<string, string>;
  version: ODataVersion | undefined;
  timeout: number | undefined;
  maxPageSize: number | undefined;
  configFile: string | undefined;
  /** `--trust-origin`: origins that get the credentials and headers too (the profile's `trustedOrigins` add to them). */
  trustedOrigins: string[];
  /** `--key-as-segment`: keys as path segments (the profile's `keyAsSegment` sets it too). */
  keyAsSegment: boolean;
  /**
   * `--debug`: the client's wire log on stderr. Without it `NODE_DEBUG=traverse-odata` still turns
   * the log on, as for any program using the library.
   */
  debug: boolean;
}

/** Reads the common client options (`--header`, `--odata-version`, `--timeout`, `--page-size`, `--config`, `--trust-origin`, `--key-as-segment`). */
export function clientSettings(args: ParsedArgs): ClientSettings {
  const headers: Record<string, string> = {};
  for (const header of listOption(args, "header")) {
    const colon = header.indexOf(":");
    const name = colon < 0 ? "" : header.slice(0, colon).trim();
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      // The value may be a secret: quote only the name part, if any.
      throw new CliUsageError(`--header must be "Name: value"; got a value without a valid header name${name ? ` (${JSON.stringify(name.slice(0, 40))})` : ""}`);
    }
    // Written alike, a second -H would replace the first without a word; the client refuses the
    // same header written in two cases, so both are refused here, in its words.
    const lower = name.toLowerCase();
    if (Object.keys(headers).some((given) => given.toLowerCase() === lower)) {
      throw new CliUsageError(`--header (-H) names the header ${JSON.stringify(name)} twice (names are case-insensitive)`);
    }
    headers[name] = header.slice(colon + 1).trim();
  }
  const maxPageSize = args.values["page-size"] === undefined ? undefined : integerOption(args, "page-size", 1);
  checkPreferredPageSize(headers, maxPageSize);
  const version = stringOption(args, "odata-version");
  if (version !== undefined && version !== "2.0" && version !== "4.0" && version !== "4.01") {
    throw new CliUsageError(`--odata-version must be "4.0", "4.01" or "2.0"; got ${JSON.stringify(version)}`);
  }
  return {
    headers,
    version,
    timeout: integerOption(args, "timeout", 0, 2_147_483_647),
    maxPageSize,
    configFile: stringOption(args, "config"),
    trustedOrigins: listOption(args, "trust-origin"),
    keyAsSegment: args.values["key-as-segment"] === true,
    debug: args.values["debug"] === true,
  };
}

/**
 * Refuses (exit 2) an `-H Prefer` that asks for pages of another size than `--page-size`: the
 * client merges the two, its own preference winning, and the -H one would go unsent without a
 * word. The same size twice, or a Prefer of other preferences, goes with it. A profile's Prefer
 * gives way to `--page-size`, as a profile's header gives way to an -H of its name.
 */
function checkPreferredPageSize(headers: Record<string, string>, pageSize: number | undefined): void {
  if (pageSize === undefined) return;
  const name = Object.keys(headers).find((given) => given.toLowerCase() === "prefer");
  if (name === undefined) return;
  // `odata.maxpagesize` (OData 4.0) or `maxpagesize` (4.01), names case-insensitive (RFC 7240).
  const asked = /(?:^|[,;])\s*(?:odata\.)?maxpagesize\s*=\s*"?([^",;\s]*)/i.exec(headers[name]!)?.[1];
  if (asked === undefined || asked === String(pageSize)) return;
  throw new CliUsageError(`--header (-H) Prefer asks for pages of ${asked} and --page-size for pages of ${pageSize}; give the page size once, with --page-size`);
}

/**
 * Credentials from `TRAVERSE_ODATA_TOKEN`, or `TRAVERSE_ODATA_USER` and `TRAVERSE_ODATA_PASSWORD`.
 * An empty variable counts as unset: `TRAVERSE_ODATA_USER= command` means no user name, not basic
 * authentication with an empty one (`Basic Og==`).
 */
export function authFromEnvironment(env: Environment["env"]): AuthOptions | undefined {
  const [token, user, password] = [env[ENV.token], env[ENV.user], env[ENV.password]].map((value) => (value === "" ? undefined : value));
  if (token !== undefined) {
    if (user !== undefined || password !== undefined) {
      throw new CliUsageError(`both ${ENV.token} and ${ENV.user}/${ENV.password} are set; set one kind of credentials`);
    }
    return { bearer: token };
  }
  if (user !== undefined || password !== undefined) {
    if (user === undefined || password === undefined) {
      throw new CliUsageError(`${user === undefined ? ENV.password : ENV.user} is set but ${user === undefined ? ENV.user : ENV.password} is not (or is empty); basic authentication needs both`);
    }
    return { basic: { username: user, password } };
  }
  return undefined;
}

/**
 * The client credentials of a profile's `oauth2` block, the secret read from the environment
 * variable it names. An unset variable is a usage error naming the variable (never a value).
 */
export function oauth2Credentials(oauth2: OAuth2Profile, profile: string, env: Environment["env"]): OAuth2ClientCredentials {
  const clientSecret = env[oauth2.clientSecretEnv];
  if (clientSecret === undefined || clientSecret === "") {
    throw new CliUsageError(`profile ${JSON.stringify(profile)}: the environment variable ${oauth2.clientSecretEnv} (oauth2.clientSecretEnv) is not set`);
  }
  const { clientSecretEnv: _named, ...settings } = oauth2;
  return { ...settings, clientSecret };
}

/**
 * The headers of a profile, values named by `{ env }` read from the environment. Those values are
 * secrets, whatever the header's name (`X-Tenant-Pass`): the environment is where a profile keeps
 * what must not stand in its file. They are kept in `secrets`, to be masked in what the run writes.
 */
function profileHeaders(profile: Profile, env: Environment["env"], secrets: SecretMask | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(profile.headers)) {
    if (typeof value === "string") {
      headers[name] = value;
      continue;
    }
    const text = env[value.env];
    // Empty counts as unset, as for the credentials' variables: a CI secret that is not configured
    // comes as an empty variable, and the header would go out empty.
    if (text === undefined || text === "") throw new CliUsageError(`profile ${JSON.stringify(profile.name)}: the environment variable ${value.env} of header ${name} is not set`);
    secrets?.add(text);
    headers[name] = text;
  }
  return headers;
}

/**
 * The request headers that make a request conditional (RFC 9110 section 13.1), names in lower
 * case. Given with `-H` (or in a profile's `headers`) they condition the request the command is
 * for, not the library's requests on the way (`$metadata`, a CSRF token fetch, a status monitor's
 * polls and result), which a service would answer 412 or 304 to.
 */
const CONDITIONAL_HEADERS: ReadonlySet<string> = new Set(["if-match", "if-none-match", "if-modified-since", "if-unmodified-since", "if-range"]);

/**
 * The options of the command's `ODataClient`: the one place where they are built, for every
 * command. Their `headers` leave out the conditional ones ({@link CONDITIONAL_HEADERS}), which
 * {@link connect} keeps for the command's own requests.
 */
export function clientOptions(target: ServiceTarget, settings: ClientSettings, environment: Environment): ODataClientOptions {
  return optionsAndConditions(target, settings, environment).options;
}

/** {@link clientOptions}, and the conditional headers taken out of its `headers`. */
function optionsAndConditions(target: ServiceTarget, settings: ClientSettings, environment: Environment): { options: ODataClientOptions; conditions: Record<string, string> } {
  const profile = target.kind === "profile" ? target.profile : undefined;
  const envAuth = authFromEnvironment(environment.env);
  let auth: AuthOptions | undefined = envAuth;
  if (profile?.oauth2) {
    if (envAuth) throw new CliUsageError(`profile ${JSON.stringify(profile.name)} has oauth2 credentials, and ${ENV.token} or ${ENV.user} is set too; use one of them`);
    auth = { oauth2: oauth2Credentials(profile.oauth2, profile.name, environment.env) };
  }
  const headers: Record<string, string> = {};
  const conditions: Record<string, string> = {};
  const fromProfile: Record<string, string> = {};
  // An -H takes the place of the profile's header of its name, however either writes the name.
  const givenNames = new Set(Object.keys(settings.headers).map((name) => name.toLowerCase()));
  const profiles = Object.entries(profile ? profileHeaders(profile, environment.env, environment.secrets) : {}).filter(([name]) => !givenNames.has(name.toLowerCase()));
  for (const [name, value] of [...profiles, ...Object.entries(settings.headers)]) {
    if (!CONDITIONAL_HEADERS.has(name.toLowerCase())) {
      headers[name] = value;
      continue;
    }
    conditions[name] = value;
    if (profile && !Object.hasOwn(settings.headers, name)) fromProfile[name] = value;
  }
  // The client checks its own headers; these it never sees as options, so they are checked here, as
  // a request's own headers are, before anything is sent: the profile's alone first, so that what
  // is wrong with them names the profile, then all, where what is left to refuse is an -H's.
  if (profile) checkConditions(fromProfile, `${profile.file}: profiles.${profile.name}.headers`);
  checkConditions(conditions, "--header (-H)");
  const secrets = environment.secrets;
  if (secrets) {
    if (auth && "bearer" in auth && typeof auth.bearer === "string") secrets.add(auth.bearer);
    if (auth && "basic" in auth) secrets.add(auth.basic.password);
    if (auth && "oauth2" in auth) secrets.add(auth.oauth2.clientSecret);
    for (const [name, value] of Object.entries(headers)) if (isSecretHeaderName(name)) secrets.add(value);
  }
  const options: ODataClientOptions = {
    serviceUrl: target.kind === "url" ? target.url : target.profile.url,
    version: settings.version ?? profile?.version,
    headers,
    auth,
    csrf: profile?.csrf,
    keyAsSegment: settings.keyAsSegment || profile?.keyAsSegment === true,
    trustedOrigins: [...(profile?.trustedOrigins ?? []), ...settings.trustedOrigins],
    timeout: settings.timeout,
    maxPageSize: settings.maxPageSize,
    // Every Authorization the run sends is a secret to mask, an OAuth2 access token among them.
    ...(secrets ? { fetch: recordingAuthorization(secrets) } : {}),
    // --debug, or NODE_DEBUG=traverse-odata: either way through the run's masked stderr.
    ...(settings.debug || nodeDebugNames(environment.env["NODE_DEBUG"]) ? { debug: environment.wireLog ?? true } : {}),
  };
  return { options, conditions };
}

/**
 * Refuses (exit 2) conditional headers that are no request's: a value with a control character, or
 * one header twice (`If-Match` and `if-match`), which would leave which one goes unsaid. `given`
 * names where they were set, in the words the client's refusal of a plain header gets ({@link inCliWords}).
 */
function checkConditions(conditions: Record<string, string>, given: string): void {
  try {
    requestHeaders(conditions, given, given);
  } catch (error) {
    throw new CliUsageError((error as Error).message, { cause: error });
  }
}

/** A `fetch` that keeps the `Authorization` of every request in `secrets` before sending it. */
function recordingAuthorization(secrets: SecretMask): typeof fetch {
  return (input, init) => {
    const given = init?.headers;
    const authorization = (given instanceof Headers ? given : new Headers(given)).get("authorization");
    if (authorization !== null) secrets.addAuthorization(authorization);
    return globalThis.fetch(input, init);
  };
}

/** The service of each client {@link connect} made, as the user wrote it, which {@link speakDeclared} changes. */
const WRITTEN = new WeakMap<ODataClient, WrittenService>();

/**
 * The client for a `<service>` argument; `extra` adds options of the command's own (its pipeline
 * steps, or `auth: undefined` for a client that sends no credentials). `writtenAs` names where
 * the user wrote the service's URL, for a mistake found in it: the `<service>` argument unless
 * the command took it from elsewhere (a resume token). The service is kept as
 * `environment.connected`, so that an error of a later request is told in the same words.
 */
export function connect(service: string, settings: ClientSettings, environment: Environment, extra: ConnectExtra = {}, writtenAs = "<service>"): ODataClient {
  const target = resolveService(service, { cwd: environment.cwd, env: environment.env, platform: environment.platform, configFile: settings.configFile });
  const version = settings.version ?? (target.kind === "profile" ? target.profile.version : undefined);
  const versionGiven = version !== undefined;
  const { checkVersion = false, ...given } = extra;
  const v2Given = version !== "2.0" ? undefined : settings.version === undefined ? "profile" : "option";
  const written: WrittenService = { target, headers: settings.headers, keyAsSegment: settings.keyAsSegment, writtenAs, versionGiven, conditions: {}, verboseJson: false, ...(v2Given ? { v2Given } : {}) };
  environment.connected = written;
  const { options, conditions } = optionsAndConditions(target, settings, environment);
  written.conditions = conditions;
  warnOfReplacedCredentials("auth" in given ? given.auth : options.auth, options.headers as Record<string, string>, settings, target, environment);
  warnOfReplacedAccept(options.headers as Record<string, string>, settings, target, environment);
  const checked = checkVersion && !versionGiven ? [...(given.steps ?? []), versionCheck(written)] : (given.steps ?? []);
  // The steps of a client that speaks OData 2.0, or may come to (speakDeclared): each looks at the
  // service as the client speaks to it when an answer comes, and lets the others pass.
  const versioned = [...checked, v4Evidence(written), verboseJson(written)];
  const steps = Object.keys(conditions).length > 0 ? [...versioned, ownRequestConditions(written)] : versioned;
  try {
    const client = new ODataClient({ ...options, ...given, steps });
    WRITTEN.set(client, written);
    return client;
  } catch (error) {
    throw inCliWords(error, written);
  }
}

/**
 * A client of {@link connect} made to speak as its service declares (`declared`: the version of
 * its `$metadata`, or the one an export's checkpoint kept): in OData `spoken`, where the command
 * speaks that in place of the version the client took by default (else `undefined`), and asking
 * for v2's verbose JSON where `verbose` (an OData 3.0 service read as v2). The client returned
 * sends through `client`'s pipeline: one OAuth2 token, one CSRF session and one numbering of the
 * wire log for the command, however it came to speak. Its messages then name the version the
 * service declares, not `--odata-version`, which the user did not give.
 */
export function speakDeclared(client: ODataClient, environment: Environment, declared: string, spoken: ODataVersion | undefined, verbose: boolean): ODataClient {
  const written = WRITTEN.get(client);
  if (written === undefined) throw new TypeError("speakDeclared(client): the client was not made by connect()");
  written.verboseJson ||= verbose;
  if (spoken === undefined) return client;
  written.versionGiven = true;
  written.declaredVersion = declared;
  if (spoken === "2.0") written.v2Given = "service";
  environment.connected = written;
  try {
    const speaking = speakingVersion(client, spoken);
    WRITTEN.set(speaking, written);
    return speaking;
  } catch (error) {
    throw inCliWords(error, written);
  }
}

/**
 * A step for an OData 3.0 service, read as v2 (`service.verboseJson`): its JSON answers are asked
 * for in the verbose form (`application/json;odata=verbose`), which is v2's. WCF Data Services 5
 * answers a plain `application/json` with v3's JSON light, which a v2 reader cannot read (5.1 on),
 * or with 415 (5.0). An `Accept` that names a form of its own (`odata=`), or another type, is left alone.
 */
function verboseJson(service: WrittenService): PipelineStep {
  return {
    name: "cli-v3-verbose-json",
    handle(request, next) {
      const accept = request.headers.get("accept");
      if (service.verboseJson && accept !== null && /^\s*application\/json\s*(?:;|$)/i.test(accept) && !/;\s*odata\s*=/i.test(accept)) {
        request.headers.set("accept", accept.replace(/^\s*application\/json\s*/i, "application/json;odata=verbose"));
      }
      return next(request);
    },
  };
}

/**
 * A configured `Authorization` header (`-H`, a profile's `headers`) goes on every request in place
 * of the credentials (the library's auth steps leave a request that has one alone): said, so that
 * a `TRAVERSE_ODATA_TOKEN` set in the shell is not taken for the one sent.
 */
function warnOfReplacedCredentials(auth: AuthOptions | undefined, headers: Record<string, string>, settings: ClientSettings, target: ServiceTarget, environment: Environment): void {
  const header = Object.keys(headers).find((name) => name.toLowerCase() === "authorization");
  if (auth === undefined || header === undefined || environment.warn === undefined) return;
  const profile = target.kind === "profile" ? target.profile : undefined;
  const given = Object.hasOwn(settings.headers, header) || !profile ? "--header (-H)" : `${profile.file}: profiles.${profile.name}.headers`;
  const replaced = "oauth2" in auth ? "the profile's oauth2 credentials" : "basic" in auth ? `${ENV.user} and ${ENV.password}` : ENV.token;
  environment.warn(`the Authorization header of ${given} is sent, not ${replaced}: a configured Authorization header takes the place of the credentials`);
}

/**
 * A configured `Accept` (`-H`, a profile's `headers`) gives way to the one each request sets: the
 * command reads JSON (and `$metadata`'s XML), which another form would not give it. Said, so that
 * an `Accept` asking for more (`odata.metadata=full`) is not taken for what the service was asked;
 * `application/json`, which the command asks for anyway, is taken without a word.
 */
function warnOfReplacedAccept(headers: Record<string, string>, settings: ClientSettings, target: ServiceTarget, environment: Environment): void {
  const header = Object.keys(headers).find((name) => name.toLowerCase() === "accept");
  if (header === undefined || environment.warn === undefined || headers[header]!.trim().toLowerCase() === "application/json") return;
  const profile = target.kind === "profile" ? target.profile : undefined;
  const given = Object.hasOwn(settings.headers, header) || !profile ? "--header (-H)" : `${profile.file}: profiles.${profile.name}.headers`;
  environment.warn(`the Accept header of ${given} is replaced by the command's own: it asks for the JSON it reads (XML for $metadata); --format (query, export) chooses what is written`);
}

/** What a command adds to the client's options: its steps, `auth: undefined`, and whether to check the service's version. */
export type ConnectExtra = Pick<ODataClientOptions, "steps" | "auth"> & {
  /**
   * Whether a client that speaks OData 4.0 only because no version was given (no
   * `--odata-version`, no profile `version`) refuses the answers of an OData v2 service: it would
   * read them wrongly (a `{"d": …}` envelope printed as the entity, a collection without "value").
   */
  checkVersion?: boolean;
};

/** How the user names the version: the option, and the profile's setting where a profile is used. */
function versionSetting(target: ServiceTarget): string {
  return `--odata-version 2.0${target.kind === "profile" ? ` (or "version": "2.0" in ${target.profile.file}: profiles.${target.profile.name})` : ""}`;
}

/**
 * A step that stops at the first successful JSON answer of an OData v2 service (`DataServiceVersion`
 * without `OData-Version`) to a client that took OData 4.0 as the default: every v2 service sends
 * that header, and a v4 service sends `OData-Version`. (`$metadata`, XML, reads alike in both.) It
 * lets every answer pass once the client speaks the version its service declares ({@link speakDeclared}).
 */
function versionCheck(service: WrittenService): PipelineStep {
  return {
    name: "cli-odata-version",
    async handle(request, next) {
      const response = await next(request);
      const v2 = response.headers.get("dataserviceversion");
      if (!service.versionGiven && v2 === null && /^\s*4\./.test(response.headers.get("odata-version") ?? "")) service.saidV4 = true;
      // JSON only: a v2 count or raw value reads as it would in v4.
      if (service.versionGiven || !response.ok || v2 === null || response.headers.has("odata-version") || !isJsonContentType(response.headers.get("content-type"))) return response;
      await discard(response);
      throw new CliUsageError(
        `${request.method} ${redactUrl(request.url)} was answered by an OData v2 service (DataServiceVersion${versionValue(v2, true)}), which the command read as OData 4.0, the default: give ${versionSetting(service.target)}`,
      );
    },
  };
}

/**
 * A step that keeps the `OData-Version` of an answer to a client set to OData 2.0 (`v2Given`; an
 * OData v4 service sends it, a v2 one `DataServiceVersion`): the error of an answer read as v2
 * then says the service looks like v4 (see {@link inCliWords}).
 */
function v4Evidence(service: WrittenService): PipelineStep {
  return {
    name: "cli-v4-evidence",
    async handle(request, next) {
      const response = await next(request);
      if (service.v2Given === undefined) return response;
      const v4 = response.headers.get("odata-version");
      if (response.headers.has("dataserviceversion")) service.answeredV2 = true;
      else if (v4 !== null && /^\s*4\./.test(v4)) service.answeredV4 = versionValue(v4);
      return response;
    },
  };
}

/**
 * The words added to an error of a client the user set to OData 2.0 when the service looks like
 * OData v4: its answers said so (`OData-Version: 4.0`), or a collection came without the `d`
 * that every v2 JSON answer has. `undefined` where nothing says so.
 */
function v4Hint(error: ODataClientError, service: WrittenService): string | undefined {
  const given = service.v2Given;
  // Told once, however often the error is put in the command line's words.
  if (given === undefined || error.message.includes("the service looks like OData v4")) return undefined;
  const unread = error.code === "BAD_PAYLOAD";
  // A 400 may be a v2 form the v4 service does not know ($inlinecount, datetime'…').
  const refused = error instanceof ODataHttpError && error.status === 400;
  // Without the header, a collection without "d" from a service that never said it is v2.
  const noEnvelope = unread && service.answeredV2 !== true && /the v2 collection body has no "d" member/.test(error.message);
  if (!((unread || refused) && service.answeredV4 !== undefined) && !noEnvelope) return undefined;
  return looksLikeV4(service.answeredV4 !== undefined ? `it answered OData-Version${service.answeredV4}` : `every OData v2 JSON answer has a "d" member`, service);
}

/** That the service looks like OData v4 (`evidence` says why), and the setting to change: the option, or the profile's `version`. */
function looksLikeV4(evidence: string, service: WrittenService): string {
  const profile = service.target.kind === "profile" ? service.target.profile : undefined;
  if (service.v2Given === "service") {
    const declared = service.declaredVersion ?? "2.0";
    return `the service looks like OData v4 (${evidence}), which the command read as OData 2.0 (the service declares OData ${declared}${declared === "2.0" ? "" : ", read as v2"}): give --odata-version 4.0`;
  }
  if (service.v2Given === "profile" && profile) {
    return `the service looks like OData v4 (${evidence}), which the command read as OData 2.0 ("version": "2.0" in ${profile.file}: profiles.${profile.name}): give --odata-version 4.0, or set the profile's version to 4.0`;
  }
  return `the service looks like OData v4 (${evidence}), which the command read as OData 2.0 (--odata-version 2.0): leave the option out, or give --odata-version 4.0`;
}

/**
 * A step for the commands that print an answer as they read it (`get`, `call`): it stops at the
 * first successful JSON answer that carries `OData-Version: 4.x` (and no `DataServiceVersion`) to
 * a client the user set to OData 2.0, as {@link versionCheck} stops at a v2 answer to a client
 * that took 4.0 by default. Read as v2, such an answer would print without an error: an entity
 * with its `@odata.context`, an operation's result as its `{"value": …}` envelope. `query` and
 * `export` need no such step: a v4 collection, read as v2, has no "d", and that error gets the
 * same words ({@link v4Hint}). The step reads the service from `environment.connected` when the
 * answer comes, so that it can be given with the command's other steps to the client that
 * {@link connect} is about to make.
 */
export function v4AnswerCheck(environment: Environment): PipelineStep {
  return {
    name: "cli-v4-answer",
    async handle(request, next) {
      const response = await next(request);
      const service = environment.connected;
      const v4 = response.headers.get("odata-version");
      if (service?.v2Given === undefined || !response.ok || v4 === null || !/^\s*4\./.test(v4) || response.headers.has("dataserviceversion")) return response;
      if (!isJsonContentType(response.headers.get("content-type"))) return response;
      await discard(response);
      throw new CliUsageError(`${request.method} ${redactUrl(request.url)}: ${looksLikeV4(`it answered OData-Version${versionValue(v4)}`, service)}`);
    },
  };
}

/**
 * A step that sends the conditional headers given ({@link CONDITIONAL_HEADERS}) with the command's
 * own requests, those the library sends for no purpose of its own, and with the DELETE of `cancel`
 * (the request that command is for): not with `$metadata`, a CSRF token fetch, a status monitor's
 * polls or the read of an operation's result. A header the request has already stays: a command
 * that sends the conditions itself ({@link takeConditions}) gives them to its request.
 */
function ownRequestConditions(service: WrittenService): PipelineStep {
  return {
    name: "cli-conditions",
    handle(request, next) {
      if (request.purpose === undefined || request.purpose === "cancel") {
        for (const [name, value] of Object.entries(service.conditions)) if (!request.headers.has(name)) request.headers.set(name, value);
      }
      return next(request);
    },
  };
}

/**
 * The conditional headers given (`-H 'If-Match: <etag>'`, or a profile's), for the command to send
 * with its request alone, as a request's own `headers` (an action's `invoke()`), so that the
 * library explains a 412 or 428 by them; the client's step then finds them there and adds none.
 * `undefined` where none were given.
 */
export function takeConditions(environment: Environment): Record<string, string> | undefined {
  const service = environment.connected;
  if (service === undefined || Object.keys(service.conditions).length === 0) return undefined;
  return { ...service.conditions };
}

/**
 * Warns that the conditional headers given go with no request, for a command that sends none it
 * could condition: `sends` says what it sends instead.
 */
export function warnOfUnsentConditions(environment: Environment, command: string, sends: string): void {
  const names = Object.keys(environment.connected?.conditions ?? {});
  if (names.length === 0) return;
  environment.warn?.(`${names.join(" and ")} ${names.length === 1 ? "is" : "are"} not sent: a conditional header goes with the request a command is for, and ${command} sends ${sends}`);
}

/** A service as the user of the command line wrote it: what {@link inCliWords} names settings by. */
interface WrittenService {
  target: ServiceTarget;
  /** The `--header` options (the profile's headers are the rest). */
  headers: Readonly<Record<string, string>>;
  /** Whether `--key-as-segment` was given (else the profile's `keyAsSegment` set it, if anything did). */
  keyAsSegment: boolean;
  /** Where the user wrote the service's URL when no profile has it. */
  writtenAs: string;
  /**
   * Whether `--odata-version` or the profile's `version` set the version, or the command set the
   * one the service declares (else the client took 4.0).
   */
  versionGiven: boolean;
  /**
   * What set OData 2.0, if anything did: the user (`--odata-version 2.0`, or the profile's
   * `version`), or the command, for a service that declares OData 1.0 to 3.0 (`declaredVersion`).
   */
  v2Given?: "option" | "profile" | "service";
  /** The version the service declares, where the command speaks it without the user having set one ({@link speakDeclared}). */
  declaredVersion?: string;
  /** Whether JSON is asked for in v2's verbose form: an OData 3.0 service read as v2 ({@link verboseJson}). */
  verboseJson: boolean;
  /** What an answer to such a client carried as `OData-Version` (`: 4.0`; {@link v4Evidence}, {@link versionValue}). */
  answeredV4?: string;
  /** Whether an answer to such a client carried `DataServiceVersion`, as a v2 service's do. */
  answeredV2?: boolean;
  /**
   * Whether an answer to a client that took OData 4.0 by default carried `OData-Version: 4.x` and
   * no `DataServiceVersion` ({@link versionCheck}): an answer it cannot read is then no sign of a
   * v2 service.
   */
  saidV4?: boolean;
  /** The conditional headers given, which go with the command's own requests alone ({@link ownRequestConditions}). */
  conditions: Readonly<Record<string, string>>;
}

/** Whether the latest client made speaks a version the user set (`--odata-version`, a profile's `version`). */
export function versionGiven(environment: Environment): boolean {
  return environment.connected?.versionGiven === true;
}

/**
 * What the user of the command line set in place of the library's option `option` of the client,
 * `undefined` where the command line has no setting of its own for it. `header` is the header a
 * message about option "headers" names. This is the one table of these names, for the mistakes the
 * client finds in its options and for the errors of its requests alike.
 */
function settingOf(option: string, service: WrittenService, header: string | undefined): string | undefined {
  const profile = service.target.kind === "profile" ? service.target.profile : undefined;
  const inProfile = (key: string) => profile && `${profile.file}: profiles.${profile.name}.${key}`;
  const oauth2 = /^auth\.oauth2\.(\w+)$/.exec(option)?.[1];
  if (option === "serviceUrl") return inProfile("url") ?? service.writtenAs;
  if (option === "auth") return `the environment's credentials (${ENV.user} and ${ENV.password}, or ${ENV.token})${profile ? " or the profile's oauth2" : ""}`;
  if (option === "auth.bearer") return ENV.token;
  if (option === "auth.basic.username") return ENV.user;
  if (option === "auth.oauth2.clientSecret") return profile?.oauth2 && `${profile.oauth2.clientSecretEnv} (${inProfile("oauth2.clientSecretEnv")})`;
  if (oauth2 !== undefined && OAUTH2_SETTINGS.includes(oauth2)) return inProfile(`oauth2.${oauth2}`);
  if (option === "headers") return header !== undefined && !Object.hasOwn(service.headers, header) && profile ? inProfile("headers") : "--header (-H)";
  if (option === "timeout") return "--timeout";
  if (option === "keyAsSegment") return service.keyAsSegment || !profile ? "--key-as-segment" : inProfile("keyAsSegment");
  // A profile's entries are checked as it is read (config.ts): one the client refuses is an option's.
  if (option === "trustedOrigins") return "--trust-origin";
  return undefined;
}

/**
 * The message of a next link to an origin the client does not trust, which names the library's
 * `trustedOrigins`, in the command line's words: the option, and the profile's setting where a
 * profile is used, with the origin to give (SAP CAP's OData v2 adapter writes its next links on
 * `localhost`, whatever host the request named).
 */
function untrustedInCliWords(message: string, service: WrittenService): string {
  const origin = /\bto (https?:\/\/[^\s,]+), which is neither\b/.exec(message)?.[1];
  const profile = service.target.kind === "profile" ? service.target.profile : undefined;
  const inProfile = profile ? ` (or "trustedOrigins" in ${profile.file}: profiles.${profile.name})` : "";
  const told = message.replace(/\bnor listed in trustedOrigins\b/, "nor a trusted one (--trust-origin)");
  return origin === undefined ? told : `${told}; to follow it, give --trust-origin ${origin}${inProfile}, if you trust that origin with the credentials and headers`;
}

/**
 * The library names its options as a program writes them: at the start of a check of the options
 * (`ODataClient option "serviceUrl" must ...`), and in the errors of requests (`(option "timeout")`,
 * `use option "auth"`); a service URL with a query suggests a pipeline step (`option "steps"`),
 * which the command line has not, where it has headers.
 */
const LIBRARY_OPTION = /(ODataClient option|can be sent as a header instead, option|option) "([\w.]+)"/g;

/** The end of the message of a write refused for want of a CSRF token, where the client has no `csrf` (write/requests.ts). */
const LIBRARY_CSRF_ADVICE = `${CSRF_ADVICE})`;

/**
 * What a 428's explanation advises on the command line, in place of the library's options (`{ etag }`,
 * `{ ifMatch: "*" }`, {@link IF_MATCH_ADVICE}), which it has not: the header itself.
 */
export const IF_MATCH_HEADERS = "-H 'If-Match: <etag>' (the ETag get prints with the entity), or -H 'If-Match: *' to act on whatever version is there";
const CLI_IF_MATCH_ADVICE = `send ${IF_MATCH_HEADERS}`;

/** The end of the message of a write or action answered 428: the library's explanation with its advice (write/requests.ts `preconditionExplanation`). */
const LIBRARY_IF_MATCH_ADVICE = `; ${IF_MATCH_ADVICE})`;
/** The same for an action bound to a collection, which has no ETag to send: `If-Match: *` alone. */
const LIBRARY_COLLECTION_IF_MATCH_ADVICE = `; ${COLLECTION_IF_MATCH_ADVICE})`;

/**
 * The error as the user of the command line needs it: the library's options named as the user set
 * them (a profile key in a configuration file, the `<service>` argument, an environment variable,
 * a command-line option), the library's words about what is wrong kept. A check of the client's
 * options becomes a usage error (exit 2); an error of a request keeps its class and code (its exit
 * code), only its message reworded. Errors that quote a service (its HTTP error, a failed
 * operation) are left as they are.
 */
export function inCliWords(error: unknown, service: WrittenService | undefined): unknown {
  // The one sentence of the library's own in an HTTP error: the option a refusal for want of a
  // CSRF token asks for, which the command line sets in a profile alone.
  if (service !== undefined && error instanceof ODataHttpError && error.message.endsWith(LIBRARY_CSRF_ADVICE)) {
    const profile = service.target.kind === "profile" ? service.target.profile : undefined;
    const setting = profile ? `set "csrf": true in ${profile.file}: profiles.${profile.name}` : `name the service by a profile with "csrf": true (the command line has no option for it)`;
    error.message = `${error.message.slice(0, -LIBRARY_CSRF_ADVICE.length)}${setting}, and the command fetches one for its writes)`;
    return error;
  }
  // The advice of a 428 names the library's options of a write; the command line sends the header.
  if (error instanceof ODataHttpError && error.status === 428 && error.message.endsWith(LIBRARY_IF_MATCH_ADVICE)) {
    error.message = `${error.message.slice(0, -LIBRARY_IF_MATCH_ADVICE.length)}; ${CLI_IF_MATCH_ADVICE})`;
    return error;
  }
  if (error instanceof ODataHttpError && error.status === 428 && error.message.endsWith(LIBRARY_COLLECTION_IF_MATCH_ADVICE)) {
    error.message = `${error.message.slice(0, -LIBRARY_COLLECTION_IF_MATCH_ADVICE.length)}; the action is bound to a collection, which has no ETag of its own: send -H 'If-Match: *')`;
    return error;
  }
  // The library's words for an answer of the other OData version name its option; the command
  // line's own (below, and versionCheck before any answer is read) name the command line's.
  if (service !== undefined && error instanceof ODataClientError && error.code === "BAD_PAYLOAD") {
    error.message = error.message.replace(VERSION_HINT, "");
    if (error.message.endsWith(UNSEEN_VERSION_HINT)) error.message = error.message.slice(0, -UNSEEN_VERSION_HINT.length);
  }
  const hint = service !== undefined && error instanceof ODataClientError ? v4Hint(error, service) : undefined;
  if (hint !== undefined) {
    (error as Error).message = `${(error as Error).message}; ${hint}`;
    return error;
  }
  if (service === undefined || !(error instanceof Error) || error instanceof ODataHttpError || error instanceof AsyncOperationError) return error;
  const check = (error instanceof TypeError || error instanceof RangeError) && error.message.startsWith("ODataClient option ");
  if (!check && !(error instanceof ODataClientError)) return error;
  const header = /^ODataClient option "headers" [^"]*("(?:[^"\\]|\\.)*")/.exec(error.message)?.[1];
  const message = error.message.replace(LIBRARY_OPTION, (text, lead: string, option: string) => {
    if (lead.startsWith("can be sent as a header")) return option === "headers" ? `can be sent as a header instead: -H "sap-client: 100", or a profile's "headers"` : text;
    // A request's own options (a write's "headers") are no settings of the command line.
    if (lead === "option" && option !== "timeout" && !option.startsWith("auth")) return text;
    return settingOf(option, service, header === undefined ? undefined : (JSON.parse(header) as string)) ?? text;
  });
  if (message === error.message) {
    if (error instanceof ODataClientError && error.code === "UNTRUSTED_NEXT_LINK") {
      error.message = untrustedInCliWords(error.message, service);
      return error;
    }
    // A v2 service's collection is {"d": …}: read as v4 it has no "value". A service that says it is
    // one (DataServiceVersion) is stopped earlier (versionCheck); this is the one that says no
    // version (one that says 4.x sent something else: a singleton's entity, say).
    if (error instanceof ODataClientError && error.code === "BAD_PAYLOAD" && !service.versionGiven && service.saidV4 !== true && /the collection body has no "value" member|, OData v2's entity, not an entity of OData /.test(error.message)) {
      error.message = `${error.message}; an OData v2 service answers {"d": …}: if this is one, give ${versionSetting(service.target)}`;
    }
    return error;
  }
  if (check) return new CliUsageError(message, { cause: error });
  error.message = message;
  return error;
}
