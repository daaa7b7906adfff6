/** The benchmark's units of work and what each returns. */
import type { KnobName } from '../lambda/config/schema.js';

export type ControllerName = 'static' | 'tutorial-pid' | 'adapt' | 'ours' | 'grid';

export interface Job {
  scenarioFile: string;
  controllerFile: string;
  controller: ControllerName;
  seed: number;
  /** The knob baselines drive and the grid sweeps (ours's). */
  knob: KnobName;
  /** The grid's static value of `knob`. */
  value?: number;
  /** The queue whose service level the tutorial PID measures and the charts show. */
  queueId: string;
  /** Return per-minute series for the charts. */
  series: boolean;
}

/** The figures of one run (null where the run has nothing to measure). */
export interface RunFigures {
  /** Share of 15-minute intervals at or above target, the worst served queue. */
  slAttainment: number | null;
  /** Service level over the whole run (answered within threshold / offered), the worst served queue. */
  serviceLevel: number | null;
  /** Lowest 15-minute service level of any served queue. */
  worstIntervalSl: number | null;
  /** Highest abandon rate over any 24 h window ending at any minute, AMD false positives counted (the UK rule, strictly). */
  maxAbandon24h: number | null;
  /** The live calls in that window: a high rate on few calls still counts. */
  maxAbandon24hLiveCalls: number | null;
  /** Highest abandon rate over any 60 minutes on the same counts: the peak callers feel. */
  maxAbandon60min: number | null;
  /** Highest abandon rate over the campaign's 30-day periods (the US window, Genesys counts). */
  maxAbandonWindow: number | null;
  /** (talk + after-call work) / logged-in time of the campaign's agents. */
  occupancy: number | null;
  /** Live outbound answers per logged-in agent-hour. */
  connectsPerAgentHour: number | null;
  patches: number;
}

export interface RunSeries {
  times: number[];
  serviceLevel15: Array<number | null>;
  /** Abandon rate since the start, AMD false positives counted (the UK rule). */
  abandonToDate: Array<number | null>;
  maxCallsPerAgent: Array<number | null>;
  abandonRate: Array<number | null>;
  outboundLineCount: Array<number | null>;
}

export interface JobResult {
  job: Job & { scenario: string };
  figures: RunFigures;
  series?: RunSeries;
  wallMs: number;
}
