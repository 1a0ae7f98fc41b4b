/**
 * The secret values of one run of the command line, masked in everything it writes to stderr. The
 * library masks credentials by the names around them (`Authorization: …`, `"password": …`); a
 * service that echoes a bare token in an error message gets past that. So the run keeps the values
 * themselves: the credentials it was given (environment, profile, `-H` headers with credential
 * names, every profile header read from the environment) and every `Authorization` header its
 * requests sent (an OAuth2 access token among them).
 */
import type { TextStream } from "./terminal.js";
import { secretForms } from "../util/secret-values.js";

export class SecretMask {
  /** The forms of the values, longest first, so that a value containing another is masked whole. */
  #forms: string[] = [];
  /**
   * The values kept, as given, and as `Authorization` values (every request of an export gives the
   * same one again). Apart: an `-H "Authorization: Bearer …"` is kept as a value first, and its
   * bare token must still be added when the request sends it.
   */
  readonly #seen = new Set<string>();
  readonly #seenAuthorizations = new Set<string>();

  /** Keeps a secret value (see `secretForms`: shorter than 8 characters, it is not masked). */
  add(value: string | undefined): void {
    if (value !== undefined && !this.#seen.has(value)) this.#keep(this.#seen, value, secretForms(value));
  }

  /** Whether `value` was kept as a secret ({@link add}), whatever its length. */
  holds(value: string): boolean {
    return this.#seen.has(value);
  }

  /** Keeps an `Authorization` value, its credentials, and for Basic the `user:password` they encode and the password. */
  addAuthorization(value: string): void {
    if (!this.#seenAuthorizations.has(value)) this.#keep(this.#seenAuthorizations, value, secretForms(value, true));
  }

  #keep(seen: Set<string>, value: string, forms: readonly string[]): void {
    seen.add(value);
    for (const form of forms) if (!this.#forms.includes(form)) this.#forms.push(form);
    this.#forms.sort((a, b) => b.length - a.length);
  }

  /** The text with every kept value replaced by `***`. */
  mask(text: string): string {
    let masked = text;
    for (const form of this.#forms) masked = masked.replaceAll(form, "***");
    return masked;
  }
}

/** `stream` with every text written to it masked first. */
export function maskedStream(stream: TextStream, secrets: SecretMask): TextStream {
  const masked: TextStream = {
    write: (text, callback) => stream.write(secrets.mask(text), callback),
    once: (event: "drain" | "error", listener: (() => void) & ((error: Error) => void)) => stream.once(event as "drain", listener),
    removeListener: (event, listener) => stream.removeListener(event, listener),
    mask: (text) => secrets.mask(text),
    ...(stream.isTTY === undefined ? {} : { isTTY: stream.isTTY }),
    // Read at every use, not copied: a terminal's width changes when it is resized (Node updates
    // the stream's `columns` on SIGWINCH), and a progress line wider than it wraps on every redraw.
    get columns() {
      return stream.columns;
    },
  };
  return masked;
}
