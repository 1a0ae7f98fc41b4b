/**
 * OData names as they go into a URL unquoted: simple identifiers (CSDL `SimpleIdentifier`) and
 * namespace-qualified names. The one definition the query builders, the client's entity set names
 * and `$batch` references share.
 */

// A letter or "_" first, then letters, digits and connector marks, at most 128 characters.
const IDENTIFIER = /^[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Nd}\p{Mn}\p{Mc}\p{Pc}\p{Cf}]{0,127}$/u;

/** Whether `text` is an OData simple identifier such as `Name`, `author_id` or `Bücher`. */
export function isIdentifier(text: string): boolean {
  return IDENTIFIER.test(text);
}

/** Whether `text` is a namespace-qualified name such as `Edm.String` or `My.Schema.Color`. */
export function isQualifiedName(text: string): boolean {
  const parts = text.split(".");
  return parts.length >= 2 && parts.every(isIdentifier);
}
