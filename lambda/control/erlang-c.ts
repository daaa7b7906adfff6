/**
 * Erlang C (M/M/N): how many agents an inbound queue needs for its service-level target, from its
 * offered load in erlangs and its mean handle time. Pure functions (pacing.md section 5).
 *
 * No npm package for Erlang C is kept up (none found in the registry), so the formulas live here:
 * Erlang B by the stable recurrence B(0) = 1, B(k) = A B(k-1) / (k + A B(k-1)), then
 * C = N B / (N - A (1 - B)), SL(t) = 1 - C exp(-(N - A) t / E[S]).
 */

/** Input outside the formulas' domain; the message names the argument. */
export class ErlangInputError extends RangeError {
  override readonly name = 'ErlangInputError';
}

function checkLoad(agents: number, load: number): void {
  if (!Number.isInteger(agents) || agents < 0) throw new ErlangInputError(`agents must be a whole number of 0 or more, got ${agents}`);
  if (!(load >= 0) || !Number.isFinite(load)) throw new ErlangInputError(`load must be a finite number of erlangs, 0 or more, got ${load}`);
}

/** Erlang B: the blocking probability of `agents` servers offered `load` erlangs. */
export function erlangB(agents: number, load: number): number {
  checkLoad(agents, load);
  let b = 1;
  for (let k = 1; k <= agents; k += 1) b = (load * b) / (k + load * b);
  return b;
}

/**
 * Erlang C: the probability that a call waits, with `agents` agents and `load` erlangs offered.
 * 1 when the queue is unstable (agents at or below the load): every call waits, without end.
 */
export function erlangC(agents: number, load: number): number {
  checkLoad(agents, load);
  if (load === 0) return 0;
  if (agents <= load) return 1;
  const b = erlangB(agents, load);
  return (agents * b) / (agents - load * (1 - b));
}

/**
 * Share of calls answered within `thresholdSeconds`: 1 - C exp(-(N - A) t / E[S]).
 * 0 when the queue is unstable.
 */
export function serviceLevel(agents: number, load: number, handleSeconds: number, thresholdSeconds: number): number {
  if (!(handleSeconds > 0)) throw new ErlangInputError(`handleSeconds must be above 0, got ${handleSeconds}`);
  if (!(thresholdSeconds >= 0)) throw new ErlangInputError(`thresholdSeconds must be 0 or more, got ${thresholdSeconds}`);
  if (load > 0 && agents <= load) return 0;
  return 1 - erlangC(agents, load) * Math.exp((-(agents - load) * thresholdSeconds) / handleSeconds);
}

/**
 * The fewest agents whose service level reaches `target` (a fraction below 1) for `load` erlangs.
 * 0 for no load.
 */
export function agentsForServiceLevel(load: number, handleSeconds: number, target: number, thresholdSeconds: number): number {
  checkLoad(0, load);
  if (!(target > 0 && target < 1)) throw new ErlangInputError(`target must be a fraction above 0 and below 1, got ${target}`);
  if (load === 0) return 0;
  let agents = Math.floor(load) + 1;
  // SL rises with every agent added past the load and tends to 1, so the search ends.
  while (serviceLevel(agents, load, handleSeconds, thresholdSeconds) < target) agents += 1;
  return agents;
}
