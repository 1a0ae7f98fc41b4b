/**
 * The options of a URL's query as OData reads them: percent-decoded and nothing more, so a `+` is a
 * plus. `URLSearchParams` reads the query as an HTML form's (a `+` is a space) and writes a space
 * back as `+`, which a service then reads as a plus: options carried from one URL to another go
 * as they were written, never through it.
 */
export interface QueryOption {
  /** The name percent-decoded; `undefined` where an escape in it is broken (it matches no name). */
  name: string | undefined;
  /** The value percent-decoded (`""` without `=`); `undefined` where an escape in it is broken. */
  value: string | undefined;
  /** The option as the URL has it, `name=value`. */
  text: string;
}

/** The options of `url`'s query, in order (empty ones, as `a&&b` has, left out). */
export function queryOptions(url: URL): QueryOption[] {
  const options: QueryOption[] = [];
  for (const text of url.search.slice(1).split("&")) {
    if (text === "") continue;
    const equals = text.indexOf("=");
    const name = equals < 0 ? text : text.slice(0, equals);
    options.push({ name: percentDecoded(name), value: equals < 0 ? "" : percentDecoded(text.slice(equals + 1)), text });
  }
  return options;
}

function percentDecoded(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/**
 * SAP's logon parameters, which choose the session a request is served in: the client (mandant),
 * and the logon language, fixed for a session once it is opened. In this order on a URL that
 * carries them, whichever order they were written in.
 */
const SAP_SESSION_NAMES = ["sap-client", "sap-language"] as const;

/** A query option that chooses a SAP session: `name` in lower case, `text` as the URL has it. */
export interface SapSessionOption extends QueryOption {
  name: (typeof SAP_SESSION_NAMES)[number];
}

/**
 * The options of `url`'s query that choose a SAP session (`sap-client`, `sap-language`):
 * `sap-client`'s first, each in the order written. Names are matched case-insensitively, as SAP's
 * ICF reads form fields (`SAP-Client=100` logs on in client 100); the text stays as written, for
 * the request that carries it on to reach the session the given one would.
 */
export function sapSessionOptions(url: URL): SapSessionOption[] {
  const given = queryOptions(url);
  return SAP_SESSION_NAMES.flatMap((name) => given.filter((option) => option.name?.toLowerCase() === name).map((option) => ({ ...option, name })));
}
