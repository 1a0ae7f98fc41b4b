/** Reading the `Retry-After` header (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. */

/**
 * The delay a `Retry-After` value asks for, in ms from `now`, or `undefined` when the header is
 * absent or unreadable. A date in the past gives 0.
 */
export function retryAfterMs(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP-date in any of its forms (RFC 9110 §5.6.7): the IMF-fixdate, the obsolete RFC 850 form
  // (a weekday's full name), or asctime, which is GMT though it names no zone (Date.parse would read
  // it in the machine's zone). Only texts that look like one: Date.parse alone takes "1" too.
  if (!/^[A-Za-z]{3,9},? /.test(text)) return undefined;
  const at = Date.parse(/\d{4}$/.test(text) ? `${text} GMT` : text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
