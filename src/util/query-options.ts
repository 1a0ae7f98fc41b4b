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
