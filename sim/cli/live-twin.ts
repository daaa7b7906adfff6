/**
 * A twin whose virtual clock follows a wall clock: started "now", the analytics intervals, token
 * lifetimes and dates it answers with are those of the real time, so the real controller (or any
 * Genesys client) pointed at it reads live windows. With a fixed start (a past or future day) it
 * can also run faster than real time.
 */
import { startTwin, type Twin } from '../emulator/server.js';
import { loadScenarioFile } from '../model/scenario.js';

export interface LiveTwinOptions {
  scenarioFile: string;
  seed: number;
  port: number;
  /** `now` (default): the scenario's day starts at the current time; `scenario`: at its own startTime; or an instant. */
  start: 'now' | 'scenario' | Date;
  /** With start `now`: the day began this long ago (its history is simulated at once), so a client reads full windows from the first minute. */
  warmUpMs?: number;
  /** Virtual ms per wall ms (1 = real time). Only a fixed start may run faster: "now" must stay now. */
  speed?: number;
  /** The wall clock, epoch ms (tests inject one). */
  clock?: () => number;
}

export interface LiveTwin {
  readonly twin: Twin;
  /** True when the twin's time is the wall clock's. */
  readonly live: boolean;
  /** Runs the simulation up to the clock's present; a fixed day stops at its end, a live one keeps time (the centre closed). */
  catchUp(): void;
  close(): Promise<void>;
}

/** A start or speed that cannot give a usable twin. */
export class LiveTwinError extends Error {
  override readonly name = 'LiveTwinError';
}

/**
 * Starts the twin on the scenario's day, its virtual time 0 at `start`.
 * @throws ScenarioError for a bad scenario; LiveTwinError for a live twin faster than real time
 */
export async function startLiveTwin(options: LiveTwinOptions): Promise<LiveTwin> {
  const clock = options.clock ?? Date.now;
  const speed = options.speed ?? 1;
  const live = options.start === 'now';
  if (live && speed !== 1) throw new LiveTwinError(`--speed ${speed}: a twin on the wall clock runs at real time; give --start scenario (or a time) to run a day faster`);
  const scenario = loadScenarioFile(options.scenarioFile);
  const wallStart = clock();
  // Whole seconds: Genesys's intervals and dates carry no fraction that matters here.
  const startTime = live ? new Date(Math.floor((wallStart - (options.warmUpMs ?? 0)) / 1000) * 1000) : options.start === 'scenario' ? new Date(scenario.startTime) : (options.start as Date);
  const twin = await startTwin({ scenario: { ...scenario, startTime: startTime.toISOString() }, seed: options.seed, port: options.port });
  const offset = wallStart - startTime.getTime();
  const catchUp = () => {
    const elapsed = live ? clock() - wallStart + offset : (clock() - wallStart) * speed;
    const target = live ? elapsed : Math.min(twin.sim.durationMs, elapsed);
    twin.advanceTo(Math.max(twin.now(), Math.floor(target)));
  };
  catchUp();
  return {
    twin,
    live,
    catchUp,
    close: () => twin.close(),
  };
}
