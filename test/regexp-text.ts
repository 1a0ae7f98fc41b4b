/**
 * Text to match literally inside a `RegExp` (a URL, a path, a message quoted whole): every character
 * a pattern gives a meaning is escaped. For the tests that assert a line around such text.
 */
export function regExpText(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
