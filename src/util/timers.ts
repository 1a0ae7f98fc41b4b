/**
 * The longest delay `setTimeout` can wait, 2^31-1 ms (about 24.8 days). A longer one fires at once
 * (Node warns and waits 1 ms), so waits and timeouts beyond it are split or treated as "never".
 */
export const MAX_TIMER_DELAY = 2 ** 31 - 1;
