/**
 * Profiles: named services in a configuration file, so that `<service>` can be a short name.
 *
 * The file is `traverse-odata.config.json` in the current directory, else `config.json` in the
 * user's configuration folder (`$XDG_CONFIG_HOME/traverse-odata/`, or `~/.config/traverse-odata/`;
 * on Windows `%APPDATA%\traverse-odata\`); `--config FILE` names one explicitly.
 *
 * ```json
 * {
 *   "profiles": {
 *     "s4": {
 *       "url": "https://s4.example.com/sap/opu/odata/sap/API_BUSINESS_PARTNER/",
 *       "version": "2.0",
 *       "headers": { "sap-client": "100", "x-api-key": { "env": "S4_API_KEY" } },
 *       "csrf": true,
 *       "trustedOrigins": ["https://files.example.com"],
 *       "oauth2": { "tokenUrl": "https://login.example.com/oauth/token", "clientId": "cli", "clientSecretEnv": "S4_CLIENT_SECRET", "scope": "api" }
 *     }
 *   }
 * }
 * ```
 *
 * Secrets never stand in the file: a header value may name the environment variable that holds
 * it (`{ "env": "NAME" }`), and OAuth2 names the variable of its client secret. Messages about a
 * file name the file and the place in it, never a value.
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import type { ODataVersion } from "../index.js";
import { CliUsageError } from "./errors.js";
import { withoutBom } from "./json-file.js";

/** The file name looked for in the current directory. */
export const PROJECT_CONFIG_FILE = "traverse-odata.config.json";

/** OAuth2 client credentials of a profile, as written (the secret by the name of its variable). */
export interface OAuth2Profile {
  tokenUrl: string;
  clientId: string;
  /** The environment variable that holds the client secret. */
  clientSecretEnv: string;
  scope?: string;
  /** The `resource` form field (Entra's v1 endpoint). */
  resource?: string;
  /** The `audience` form field. */
  audience?: string;
  /** Where the client id and secret go: `"body"` (the library's default) or `"basic"`. */
  clientAuthentication?: "body" | "basic";
}

/** A header value: the text, or the environment variable that holds it. */
export type HeaderValue = string | { env: string };

/** A profile after validation. */
export interface Profile {
  name: string;
  /** Where it was read from (for messages). */
  file: string;
  url: string;
  version?: ODataVersion;
  headers: Record<string, HeaderValue>;
  csrf: boolean;
  /** Keys as path segments (`Customers/ALFKI`), the client's `keyAsSegment` (`--key-as-segment`). */
  keyAsSegment: boolean;
  /** Other origins that get the credentials and headers, and whose next links are followed (`--trust-origin`). */
  trustedOrigins: string[];
  oauth2?: OAuth2Profile;
}

/** Where a command's service is: a URL given on the command line, or a profile. */
export type ServiceTarget = { kind: "url"; url: string } | { kind: "profile"; profile: Profile };

/** What finding the configuration depends on. */
export interface ConfigContext {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  platform: NodeJS.Platform;
  /** `--config FILE`. */
  configFile?: string | undefined;
}

const VERSIONS: readonly string[] = ["2.0", "4.0", "4.01"];
/**
 * The end of the path of a service's `$metadata` (`$` written as `%24` too), the URL users copy
 * from a browser or a service catalog: every command takes it as the service root it is read
 * from. A query after it stays, for the client to refuse as it refuses one after the root (a
 * query such as sap-client must go with every request, not with `$metadata` alone).
 */
const METADATA_PATH_END = /\/(?:\$|%24)metadata$/;
const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The configuration files looked at, in order: `--config`, else the project's and then the user's. */
export function configFiles(context: ConfigContext): string[] {
  if (context.configFile !== undefined) return [isAbsolute(context.configFile) ? context.configFile : resolve(context.cwd, context.configFile)];
  const files = [join(context.cwd, PROJECT_CONFIG_FILE)];
  if (context.platform === "win32" && context.env["APPDATA"]) {
    files.push(join(context.env["APPDATA"], "traverse-odata", "config.json"));
  } else {
    const base = context.env["XDG_CONFIG_HOME"] || join(context.env["HOME"] || homedir(), ".config");
    files.push(join(base, "traverse-odata", "config.json"));
  }
  return files;
}

/**
 * The service a `<service>` argument names: an `http(s)://` URL (the URL of its `$metadata` taken
 * as the service's, see {@link METADATA_PATH_END}), anything else a profile, looked up in
 * the configuration files.
 */
export function resolveService(argument: string, context: ConfigContext): ServiceTarget {
  // host:port/path (localhost:8080/svc, 127.0.0.1:8080/svc, [::1]:8080/svc) is no profile name,
  // nor a URL, though a host name parses as a scheme: what is missing is http:// before it.
  if (/^(?:[\p{L}\p{N}.-]+|\[[\p{N}a-f:.]+\]):\d+(?:[/?#]|$)/iu.test(argument)) throw new CliUsageError(`<service> ${JSON.stringify(argument)} has no scheme: add http:// (or https://) before it`);
  if (/^[a-z][a-z0-9+.-]*:/i.test(argument)) {
    let url: URL;
    try {
      url = new URL(argument);
    } catch {
      throw new CliUsageError(`<service> ${JSON.stringify(argument)} is not a URL`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new CliUsageError(`<service> must be an http or https URL or a profile name; got a ${url.protocol} URL`);
    return { kind: "url", url: serviceRoot(url, url.href) };
  }
  if (!PROFILE_NAME.test(argument)) {
    throw new CliUsageError(`<service> ${JSON.stringify(argument)} is neither an http(s) URL nor a profile name (letters, digits, "_", "-", ".")`);
  }
  const files = configFiles(context);
  for (const file of files) {
    const config = readConfig(file, context.configFile !== undefined);
    if (config === undefined) continue;
    const profile = config.get(argument);
    if (profile) return { kind: "profile", profile };
  }
  throw new CliUsageError(`there is no profile named ${JSON.stringify(argument)} in ${files.join(" or ")}, and it is not an http(s) URL`);
}

/**
 * The service root `url` names: `written` (the URL as written), or the root of the `$metadata` it
 * is the URL of ({@link METADATA_PATH_END}), for a `<service>` argument and a profile's `url`
 * alike. `url` is the parse already made of it, and is changed in the second case.
 */
function serviceRoot(url: URL, written: string): string {
  if (!METADATA_PATH_END.test(url.pathname)) return written;
  url.pathname = url.pathname.replace(METADATA_PATH_END, "/");
  return url.href;
}

/** Reads and checks a configuration file; `undefined` when it does not exist (and need not). */
export function readConfig(file: string, required: boolean): Map<string, Profile> | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT" && !required) return undefined;
    throw new CliUsageError(`cannot read the configuration file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let document: unknown;
  try {
    document = JSON.parse(withoutBom(text));
  } catch {
    // JSON.parse quotes the text around the mistake, which may be a secret: say only where it is.
    // The place counts from after a byte order mark, as JSON.parse read it.
    throw new CliUsageError(`the configuration file ${file} is not valid JSON${jsonErrorPlace(withoutBom(text))}`);
  }
  const at = (path: string) => `${file}: ${path}`;
  if (!isObject(document)) throw new CliUsageError(`${at("the top level")} must be an object with "profiles"`);
  for (const key of Object.keys(document)) {
    if (key !== "profiles" && key !== "$schema") throw new CliUsageError(`${at(key)} is not a setting of traverse-odata (expected "profiles")`);
  }
  const profiles = document["profiles"];
  if (profiles === undefined) return new Map();
  if (!isObject(profiles)) throw new CliUsageError(`${at("profiles")} must be an object of named profiles`);
  const result = new Map<string, Profile>();
  for (const [name, value] of Object.entries(profiles)) {
    if (!PROFILE_NAME.test(name)) throw new CliUsageError(`${at(`profiles.${name}`)}: a profile name has letters, digits, "_", "-" and "."`);
    result.set(name, readProfile(name, value, file));
  }
  return result;
}

function readProfile(name: string, value: unknown, file: string): Profile {
  const at = (path: string) => `${file}: profiles.${name}${path}`;
  if (!isObject(value)) throw new CliUsageError(`${at("")} must be an object with at least "url"`);
  for (const key of Object.keys(value)) {
    if (!PROFILE_SETTINGS.includes(key)) {
      throw new CliUsageError(`${at(`.${key}`)} is not a profile setting (${PROFILE_SETTINGS.join(", ")})`);
    }
  }
  const url = value["url"];
  const parsed = typeof url === "string" ? httpUrl(url) : undefined;
  if (typeof url !== "string" || parsed === undefined) throw new CliUsageError(`${at(".url")} must be the service's http(s) URL`);
  const profile: Profile = { name, file, url: serviceRoot(parsed, url), headers: {}, csrf: false, keyAsSegment: false, trustedOrigins: [] };
  const version = value["version"];
  if (version !== undefined) {
    if (typeof version !== "string" || !VERSIONS.includes(version)) throw new CliUsageError(`${at(".version")} must be "2.0", "4.0" or "4.01"`);
    profile.version = version as ODataVersion;
  }
  const csrf = value["csrf"];
  if (csrf !== undefined) {
    if (typeof csrf !== "boolean") throw new CliUsageError(`${at(".csrf")} must be true or false`);
    profile.csrf = csrf;
  }
  const keyAsSegment = value["keyAsSegment"];
  if (keyAsSegment !== undefined) {
    if (typeof keyAsSegment !== "boolean") throw new CliUsageError(`${at(".keyAsSegment")} must be true or false`);
    profile.keyAsSegment = keyAsSegment;
  }
  const headers = value["headers"];
  if (headers !== undefined) {
    if (!isObject(headers)) throw new CliUsageError(`${at(".headers")} must be an object of header names and values`);
    for (const [header, headerValue] of Object.entries(headers)) {
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(header)) throw new CliUsageError(`${at(".headers")}: ${JSON.stringify(header)} is not a header name`);
      if (typeof headerValue === "string") profile.headers[header] = headerValue;
      else if (isObject(headerValue) && Object.keys(headerValue).length === 1 && typeof headerValue["env"] === "string" && ENV_NAME.test(headerValue["env"])) {
        profile.headers[header] = { env: headerValue["env"] };
      } else {
        throw new CliUsageError(`${at(`.headers.${header}`)} must be a string or { "env": "VARIABLE_NAME" }`);
      }
    }
  }
  const trusted = value["trustedOrigins"];
  if (trusted !== undefined) {
    if (!Array.isArray(trusted)) throw new CliUsageError(`${at(".trustedOrigins")} must be an array of origins such as "https://files.example.com"`);
    // Checked here rather than by the client, whose message would name its own option: the place in the file, never the value.
    trusted.forEach((origin, index) => {
      if (typeof origin !== "string" || !isOrigin(origin)) {
        throw new CliUsageError(`${at(`.trustedOrigins[${index}]`)} must be an origin: http or https, the host and a port, no path (such as "https://files.example.com:8443")`);
      }
    });
    profile.trustedOrigins = trusted as string[];
  }
  const oauth2 = value["oauth2"];
  if (oauth2 !== undefined) profile.oauth2 = readOAuth2(oauth2, at);
  return profile;
}

/** The settings a profile may have. */
const PROFILE_SETTINGS: readonly string[] = ["url", "version", "headers", "csrf", "keyAsSegment", "trustedOrigins", "oauth2"];

/** Whether `text` is an origin as the client takes one: scheme, host and port, at most a "/" after them. */
function isOrigin(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === "http:" || url.protocol === "https:") && url.href === `${url.origin}/` && !/[?#]/.test(text);
  } catch {
    return false;
  }
}

/** The settings of a profile's `oauth2` block. */
export const OAUTH2_SETTINGS: readonly string[] = ["tokenUrl", "clientId", "clientSecretEnv", "scope", "resource", "audience", "clientAuthentication"];

function readOAuth2(value: unknown, at: (path: string) => string): OAuth2Profile {
  if (!isObject(value)) throw new CliUsageError(`${at(".oauth2")} must be an object with tokenUrl, clientId and clientSecretEnv`);
  for (const key of Object.keys(value)) {
    if (key === "clientSecret") {
      // Never echo it: the value is a secret that should not be in the file at all.
      throw new CliUsageError(`${at(".oauth2")} holds "clientSecret", but a secret does not belong in the configuration file; put it in an environment variable and name that variable in "clientSecretEnv"`);
    }
    if (!OAUTH2_SETTINGS.includes(key)) {
      throw new CliUsageError(`${at(`.oauth2.${key}`)} is not an OAuth2 setting (${OAUTH2_SETTINGS.join(", ")})`);
    }
  }
  const { tokenUrl, clientId, clientSecretEnv, scope, resource, audience, clientAuthentication } = value;
  if (typeof tokenUrl !== "string" || httpUrl(tokenUrl) === undefined) throw new CliUsageError(`${at(".oauth2.tokenUrl")} must be the http(s) URL of the token endpoint`);
  if (typeof clientId !== "string" || clientId === "") throw new CliUsageError(`${at(".oauth2.clientId")} must be the client id (a non-empty string)`);
  if (typeof clientSecretEnv !== "string" || !ENV_NAME.test(clientSecretEnv)) {
    throw new CliUsageError(`${at(".oauth2.clientSecretEnv")} must name the environment variable that holds the client secret`);
  }
  const profile: OAuth2Profile = { tokenUrl, clientId, clientSecretEnv };
  for (const [name, text] of [["scope", scope], ["resource", resource], ["audience", audience]] as const) {
    if (text === undefined) continue;
    if (typeof text !== "string" || text === "") throw new CliUsageError(`${at(`.oauth2.${name}`)} must be a non-empty string`);
    profile[name] = text;
  }
  if (clientAuthentication !== undefined) {
    if (clientAuthentication !== "body" && clientAuthentication !== "basic") throw new CliUsageError(`${at(".oauth2.clientAuthentication")} must be "body" or "basic"`);
    profile.clientAuthentication = clientAuthentication;
  }
  return profile;
}

/** Where in `text` JSON.parse failed, as " (line L, column C)" (or nothing when it cannot be found). */
function jsonErrorPlace(text: string): string {
  const offset = jsonMistakeAt(text);
  if (offset < 0) return "";
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  return ` (line ${line}, column ${column})`;
}

const JSON_SPACE = /[ \t\n\r]*/y;
/** The longest start of a string that JSON allows: what follows it, unless a closing quote, is the mistake. */
const JSON_STRING = /"(?:[^"\\\0-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*/y;
const HEX_DIGITS = /[0-9a-fA-F]{0,4}/y;
const DIGITS = /[0-9]*/y;

/**
 * The offset of the first character that makes `text` no JSON (its length when it ends too soon),
 * or -1 when it is JSON; where V8 says a position, the same one. V8 tells it for some mistakes only
 * (an unquoted value or a comment has none on Node 20), so the text is scanned: once, with a stack
 * of the open objects and arrays rather than recursion, so that neither its size nor its depth
 * matters.
 */
function jsonMistakeAt(text: string): number {
  const open: string[] = [];
  // What may come next: a value, a value or "]", a member's name, a name or "}", ":", or what follows a value.
  let expect: "value" | "value]" | "name" | "name}" | ":" | "after" = "value";
  const end = (pattern: RegExp, from: number) => {
    pattern.lastIndex = from;
    pattern.test(text);
    return pattern.lastIndex;
  };
  /** The end of the string at `from`, or -1 - the offset of its mistake. */
  const stringEnd = (from: number) => {
    const stop = end(JSON_STRING, from);
    if (text[stop] === '"') return stop + 1;
    // A bad escape: the mistake is the character after the backslash, or the first that is no hex digit of \u.
    if (text[stop] === "\\") return -1 - (text[stop + 1] === "u" ? end(HEX_DIGITS, stop + 2) : stop + 1);
    return -1 - stop;
  };
  let at = 0;
  for (;;) {
    at = end(JSON_SPACE, at);
    const char = text[at];
    if (char === undefined) return expect === "after" && open.length === 0 ? -1 : at;
    if (expect === "after") {
      const close = open.at(-1);
      if (close === undefined) return at;
      if (char === close) {
        open.pop();
        at += 1;
      } else if (char === ",") {
        at += 1;
        expect = close === "}" ? "name" : "value";
      } else return at;
    } else if (expect === ":") {
      if (char !== ":") return at;
      at += 1;
      expect = "value";
    } else if ((expect === "name}" && char === "}") || (expect === "value]" && char === "]")) {
      open.pop();
      at += 1;
      expect = "after";
    } else if (expect === "name" || expect === "name}") {
      if (char !== '"') return at;
      at = stringEnd(at);
      if (at < 0) return -1 - at;
      expect = ":";
    } else if (char === "{" || char === "[") {
      open.push(char === "{" ? "}" : "]");
      at += 1;
      expect = char === "{" ? "name}" : "value]";
    } else if (char === '"') {
      at = stringEnd(at);
      if (at < 0) return -1 - at;
      expect = "after";
    } else if (char === "-" || (char >= "0" && char <= "9")) {
      // Each part that has begun needs a digit: after the minus sign, the point, the exponent's sign.
      const digits = at + (char === "-" ? 1 : 0);
      at = text[digits] === "0" ? digits + 1 : end(DIGITS, digits);
      if (at === digits) return at;
      if (text[at] === ".") {
        const fraction = at + 1;
        at = end(DIGITS, fraction);
        if (at === fraction) return at;
      }
      if (text[at] === "e" || text[at] === "E") {
        const exponent = at + (text[at + 1] === "+" || text[at + 1] === "-" ? 2 : 1);
        at = end(DIGITS, exponent);
        if (at === exponent) return at;
      }
      expect = "after";
    } else {
      const word = ["true", "false", "null"].find((literal) => literal[0] === char);
      if (word === undefined) return at;
      for (const letter of word) {
        if (text[at] !== letter) return at;
        at += 1;
      }
      expect = "after";
    }
  }
}

/** `text` parsed, where it is an http or https URL; `undefined` otherwise. */
function httpUrl(text: string): URL | undefined {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:" ? url : undefined;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
