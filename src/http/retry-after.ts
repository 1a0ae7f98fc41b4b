/** Reading the `Retry-After` header (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. */

/**
 * The delay a `Retry-After` value asks for, in ms from `now`, or `undefined` when the header is
 * absent or unreadable. A date in the past gives 0.
 */
export function retryAfterMs(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Only dates that look like an HTTP-date; Date.parse alone would accept "1" or "tomorrow-ish".
  if (!/^[A-Za-z]{3},? /.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
