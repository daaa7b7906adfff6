/**
 * The invocation's deadline for AWS SDK calls. The SDK retries on its own and knows nothing of the
 * Lambda's remaining time, so a slow table could run a tick into its timeout with state unsaved;
 * an abort signal set to the deadline ends the call (its retries included) in time.
 */

/** Raised before a call that would start with no time left before the invocation's deadline. */
export class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
}

/**
 * The options that bound one SDK call by `deadlineEpochMs` (none when the deadline is infinite).
 * @throws DeadlineError when the deadline has passed
 */
export function untilDeadline(deadlineEpochMs: number, now: number, what: string): { abortSignal?: AbortSignal } {
  if (!Number.isFinite(deadlineEpochMs)) return {};
  const left = deadlineEpochMs - now;
  if (left <= 0) throw new DeadlineError(`${what}: no time left before the invocation's deadline`);
  return { abortSignal: AbortSignal.timeout(left) };
}
