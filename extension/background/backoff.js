// @ts-check
// Reconnect delays: exponential with full jitter, so many browsers restarting
// with one agent do not knock in step.

export const BASE_MS = 500;
export const CAP_MS = 30_000;

/**
 * Delay before reconnect attempt n (0-based).
 * @param {number} attempt
 * @param {() => number} [random] in [0, 1)
 */
export function backoff(attempt, random = Math.random) {
  const ceiling = Math.min(CAP_MS, BASE_MS * 2 ** Math.min(attempt, 16));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
