/** Reading the `Retry-After` header (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. */

/**
 * The delay a `Retry-After` value asks for, in ms from `now`, or `undefined` when the header is
 * absent or unreadable. A date in the past gives 0.
 */
export function retryAfterMs(value: string | null, now: number): number | undefined {
  const text = value?.trim() ?? "";
  if (/^\d+$/.test(text)) return +text * 1000;
  // An HTTP-date (RFC 9110 §5.6.7). The obsolete forms recipients must read, asctime (GMT though it
  // names no zone) and RFC 850, are written as the IMF-fixdate first; an RFC 850 two-digit year is
  // the latest with those digits at most 50 years ahead. `Date.parse` alone is not enough: engines
  // differ on what is no IMF-fixdate (Firefox reads hour 25 as 1 o'clock the next day, V8 refuses
  // it). What it reads must write back as the very text (toUTCString is the IMF-fixdate), so a
  // field out of range (31 February, hour 25, a weekday the date is not on, a leap second) or any
  // other shape leaves the header unread.
  const later = new Date(now).getUTCFullYear() + 50;
  const date = text
    .replace(/^(\w+) (\w+) ( \d|\d\d) (\S+) (\d+)$/, (_, name: string, month: string, day: string, time: string, year: string) => `${name}, ${day.replace(" ", "0")} ${month} ${year} ${time} GMT`)
    .replace(/^(\w{3})(?:s|nes|rs|ur)?day, (\d\d)-(\w+)-(\d\d) /, (_, name: string, day: string, month: string, year: number) => `${name}, ${day} ${month} ${later - ((later - year) % 100)} `);
  const at = Date.parse(date);
  return at === at && new Date(at).toUTCString() === date ? Math.max(0, at - now) : undefined;
}
