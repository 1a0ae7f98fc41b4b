/** Header values that came as UTF-8 bytes, read as the text they are. */

/**
 * A value read from bytes one character each (ISO-8859-1, as fetch gives a response's header
 * values), as UTF-8 where its bytes are that, and as it is otherwise: RFC 9110 §5.5 leaves bytes
 * beyond ASCII (obs-text) to the recipient, and services that send them write UTF-8, as in an
 * unencoded `Location: Tgt/Müller`. Resolved as it came, each byte would be encoded as a character
 * of its own (`M%C3%83%C2%BCller`), a URL the service does not know; fetch, following a redirect
 * itself, reads the value as UTF-8 too; and services write a batch part's headers as UTF-8 text
 * (SAP CAP writes them as strings into a UTF-8 body). A value with characters beyond U+00FF was not
 * read from bytes and is given back as it is.
 */
export function utf8Text(value: string): string {
  if (!/[\x80-\xff]/.test(value) || /[^\0-\xff]/.test(value)) return value;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(value, (char) => char.charCodeAt(0)));
  } catch {
    return value;
  }
}
