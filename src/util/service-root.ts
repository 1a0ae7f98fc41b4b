/**
 * URLs below a service root: the paths the library builds, the links a service sends, and the way
 * back from an absolute URL to the path a `$batch` part addresses. The service root's path always
 * ends in `/` (the client's options see to that), so relative references resolve below it.
 */

/**
 * The absolute URL of a path the library built (percent-encoded, relative to the service root,
 * with or without a query): `Books(1)?$select=title`. The `./` in front keeps a first segment that
 * holds a `:` (`NS.fn(p=1)` has none, `a:b` would) from being read as a URL scheme.
 * @example urlBelowRoot(new URL("https://host/odata/"), "Books(1)").href // "https://host/odata/Books(1)"
 */
export function urlBelowRoot(serviceRoot: URL, path: string): URL {
  return new URL(`./${path}`, serviceRoot);
}

/**
 * A URL a service or a caller gave (a next link, a delta link, a status monitor), absolute or
 * relative to the service root; `undefined` when it is not a URL at all, or is empty (which would
 * resolve to the service root itself, whose service document would then be read as a page).
 * @example resolveReference(new URL("https://host/odata/"), "Books?$skiptoken=9")?.href // "https://host/odata/Books?$skiptoken=9"
 */
export function resolveReference(serviceRoot: URL, reference: string): URL | undefined {
  if (reference.trim() === "") return undefined;
  try {
    return new URL(reference, serviceRoot);
  } catch {
    return undefined;
  }
}

/**
 * The part of `url` after the service root, as a `$batch` part addresses it (`Books(1)?$top=1`);
 * the whole URL when it does not lie below the root.
 */
export function pathBelowRoot(serviceRoot: URL, url: URL): string {
  const root = serviceRoot.href;
  return url.href.startsWith(root) ? url.href.slice(root.length) : url.href;
}

/**
 * Microsoft Graph's hosts: the global service's and the national clouds'
 * (learn.microsoft.com/graph/deployments).
 */
const GRAPH_HOST = /^(?:graph\.microsoft\.(?:com|us)|dod-graph\.microsoft\.us|microsoftgraph\.chinacloudapi\.cn)$/;

/** A path's first segment when it is one of Graph's versions (`/v1.0`, `/beta`). */
const GRAPH_VERSION = /^\/(?:v\d+(?:\.\d+)*|beta)(?=[/?#]|$)/i;

/**
 * The reference that, resolved against `base` by RFC 3986, names what the service meant. Graph
 * writes a 202's `Location` as a path from the host without the version (`/teams('…')/operations('…')`, see "Create team") and means
 * it below the version root its SDKs prefix; read from the host, the poll would ask
 * `/teams('…')`, which Graph refuses (400 "Invalid version") while the operation runs on. So on a
 * Graph host, a path-absolute reference that names no version gets the version of `base`. Any
 * other service's `/jobs/1` means the host's root, as RFC 3986 has it. Every status monitor's
 * `Location` is read so (lro/answer-url.ts), and a monitor's path a caller hands to
 * `client.asyncPoller()` too, against the service URL (lro/resume.ts).
 * @example graphReference("/teams('1')", new URL("https://graph.microsoft.com/v1.0/teams")) // "/v1.0/teams('1')"
 */
export function graphReference(reference: string, base: URL): string {
  const version = GRAPH_HOST.test(base.hostname) ? GRAPH_VERSION.exec(base.pathname) : null;
  // `//host/…` and `/\host/…` name another host (WHATWG URL reads `\` as `/`): not a path.
  return version && /^\/(?![/\\])/.test(reference) && !GRAPH_VERSION.test(reference) ? version[0] + reference : reference;
}
