/**
 * Piecewise-constant schedules and random durations, the two ways a scenario lets a parameter vary
 * over the day.
 */
import type { RandomStream } from './random.js';
import { clockTimeToMs, type DurationSpec, type Schedule } from './scenario.js';

/** A schedule compiled for fast look-up: value at virtual time t. */
export type ScheduleFn = (t: number) => number;

/** Compiles a constant or a list of "at" steps into a function of virtual ms. */
export function compileSchedule(schedule: Schedule): ScheduleFn {
  if (typeof schedule === 'number') return () => schedule;
  const starts = schedule.map((s) => clockTimeToMs(s.at));
  const values = schedule.map((s) => s.value);
  return (t) => {
    let i = starts.length - 1;
    while (i > 0 && starts[i]! > t) i--;
    return values[i]!;
  };
}

/** The largest value a schedule ever takes (the thinning bound for arrival rates). */
export function scheduleMax(schedule: Schedule): number {
  return typeof schedule === 'number' ? schedule : Math.max(...schedule.map((s) => s.value));
}

/** Draws a duration in ms given the virtual time (for drifting means) and a random stream. */
export type DurationSampler = (t: number, rng: RandomStream) => number;

/** Compiles a scenario duration (seconds) into a sampler returning ms. */
export function compileDuration(spec: DurationSpec): DurationSampler {
  switch (spec.dist) {
    case 'exponential': {
      const mean = compileSchedule(spec.meanSeconds);
      return (t, rng) => rng.exponential(mean(t) * 1000);
    }
    case 'lognormal': {
      const mean = compileSchedule(spec.meanSeconds);
      return (t, rng) => rng.lognormal(mean(t) * 1000, spec.cv);
    }
    case 'uniform': {
      const min = compileSchedule(spec.minSeconds);
      const max = compileSchedule(spec.maxSeconds);
      return (t, rng) => rng.uniform(min(t) * 1000, max(t) * 1000);
    }
    case 'fixed': {
      const seconds = compileSchedule(spec.seconds);
      return (t) => seconds(t) * 1000;
    }
  }
}

/** Mean in ms of a duration at virtual time t (what an omniscient planner would assume). */
export function durationMeanMs(spec: DurationSpec, t: number): number {
  switch (spec.dist) {
    case 'exponential':
    case 'lognormal':
      return compileSchedule(spec.meanSeconds)(t) * 1000;
    case 'uniform':
      return ((compileSchedule(spec.minSeconds)(t) + compileSchedule(spec.maxSeconds)(t)) / 2) * 1000;
    case 'fixed':
      return compileSchedule(spec.seconds)(t) * 1000;
  }
}
