import { describe } from "./values.js";

/**
 * The longest delay `setTimeout` can wait, 2^31-1 ms (about 24.8 days). A longer one fires at once
 * (Node warns and waits 1 ms), so waits and timeouts beyond it are split or treated as "never".
 */
export const MAX_TIMER_DELAY = 2 ** 31 - 1;

/**
 * The `timeout` option of one call (`RequestOptions.timeout`), checked as the client's is;
 * `undefined` leaves the client's.
 * @throws RangeError naming `where` and the option
 */
export function callTimeout(value: unknown, where: string): number | undefined {
  return value === undefined ? value : checkTimeout(value, `${where}: option`);
}

/**
 * A timeout in ms, the client's or a call's: from 0 (none) to the longest delay a timer takes.
 * @throws RangeError naming `option` (`ODataClient option`, `get(): option`)
 */
export function checkTimeout(value: unknown, option: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > MAX_TIMER_DELAY) {
    throw new RangeError(`${option} "timeout" must be a number of ms from 0 (no timeout) to ${MAX_TIMER_DELAY}; got ${describe(value)}`);
  }
  return value;
}
