/**
 * Text in the charset its answer names: a `$batch` part's, a JSON batch's and an error body's, read
 * by one rule. A module without imports, so that the error reader takes it without the multipart
 * reader.
 */

/** The charset a Content-Type names, UTF-8 where it names none. */
export function charsetOf(type: string | null | undefined): string {
  return /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(type ?? "")?.[1] ?? "utf-8";
}

/**
 * `bytes` in `charset`; UTF-8 where the charset is one this runtime does not know. With `fatal`,
 * a charset not known (`RangeError`) or bytes that are no text in it (`TypeError`) throw instead:
 * what a request carries as text must be that, where an answer is read as best it can be.
 */
export function decode(bytes: Uint8Array, charset: string, { fatal = false }: { fatal?: boolean } = {}): string {
  return textDecoder(charset, fatal)(bytes);
}

/**
 * A decoder of text in `charset` that is fed a body piece by piece (`stream` true but for the
 * last), read as {@link decode} reads it whole: an Atom page scanned as it arrives.
 */
export function textDecoder(charset: string, fatal = false): (bytes?: Uint8Array, stream?: boolean) => string {
  let decoder: InstanceType<typeof TextDecoder>;
  try {
    decoder = new TextDecoder(charset, { fatal });
  } catch (error) {
    if (fatal) throw error;
    decoder = new TextDecoder();
  }
  // The Encoding Standard reads iso-8859-1, latin1 and us-ascii as windows-1252, and browsers, Deno,
  // Bun and workerd do; Node's decoder of that name gives C1 controls for 0x80-0x9F. Mapped here,
  // a text reads the same in every runtime (a no-op where the decoder did it).
  const c1 = decoder.encoding === "windows-1252";
  return (bytes, stream = false) => {
    const text = decoder.decode(bytes, { stream });
    return c1 ? text.replace(/[\x80-\x9f]/g, (c) => WINDOWS_1252_C1[c.charCodeAt(0) - 0x80]!) : text;
  };
}

/** windows-1252's characters for 0x80-0x9F; the five it leaves undefined stay as they are. */
const WINDOWS_1252_C1 = "\u20ac\x81\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\x8d\u017d\x8f\x90\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\x9d\u017e\u0178";
