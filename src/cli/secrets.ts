/**
 * The secret values of one run of the command line, masked in everything it writes to stderr. The
 * library masks credentials by the names around them (`Authorization: …`, `"password": …`); a
 * service that echoes a bare token in an error message gets past that. So the run keeps the values
 * themselves: the credentials it was given (environment, profile, `-H` headers with credential
 * names) and every `Authorization` header its requests sent (an OAuth2 access token among them).
 */
import type { TextStream } from "./terminal.js";

/** Shorter values are not masked: masking a two-letter password would mangle every message. */
const MIN_SECRET_LENGTH = 4;

export class SecretMask {
  /** The values, longest first, so that a value containing another is masked whole. */
  #values: string[] = [];

  /** Keeps a secret value (and its form inside a JSON string). */
  add(value: string | undefined): void {
    if (value === undefined) return;
    for (const form of [value, JSON.stringify(value).slice(1, -1)]) {
      if (form.length < MIN_SECRET_LENGTH || this.#values.includes(form)) continue;
      this.#values.push(form);
    }
    this.#values.sort((a, b) => b.length - a.length);
  }

  /** Keeps an `Authorization` value, its credentials, and for Basic the `user:password` they encode and the password. */
  addAuthorization(value: string): void {
    this.add(value);
    const [scheme = "", credentials] = value.trim().split(/\s+/, 2);
    if (credentials === undefined) return;
    this.add(credentials);
    if (scheme.toLowerCase() !== "basic") return;
    let pair: string;
    try {
      pair = atob(credentials);
    } catch {
      return;
    }
    this.add(pair);
    this.add(pair.slice(pair.indexOf(":") + 1));
  }

  /** The text with every kept value replaced by `***`. */
  mask(text: string): string {
    let masked = text;
    for (const value of this.#values) masked = masked.replaceAll(value, "***");
    return masked;
  }
}

/** `stream` with every text written to it masked first. */
export function maskedStream(stream: TextStream, secrets: SecretMask): TextStream {
  const masked: TextStream = {
    write: (text, callback) => stream.write(secrets.mask(text), callback),
    once: (event: "drain" | "error", listener: (() => void) & ((error: Error) => void)) => stream.once(event as "drain", listener),
    removeListener: (event, listener) => stream.removeListener(event, listener),
    ...(stream.isTTY === undefined ? {} : { isTTY: stream.isTTY }),
    ...(stream.columns === undefined ? {} : { columns: stream.columns }),
  };
  return masked;
}
