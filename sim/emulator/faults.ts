/**
 * Fault injection: what can go wrong between a client and Genesys Cloud, drawn per request from
 * its own seeded stream so faults never disturb the simulation's random numbers.
 */
import { RandomStream } from '../model/random.js';
import type { FaultSettings } from '../model/scenario.js';

/** What happens to one request before the handler runs. */
export type RequestFault =
  | { kind: 'none' }
  | { kind: 'status'; status: 429 | 500 | 502 | 503 | 504 }
  | { kind: 'timeout' }
  | { kind: 'drop' };

/** What happens to a successful JSON answer. */
export type BodyFault = 'none' | 'malformed' | 'partial' | 'empty';

export class FaultInjector {
  private readonly rng: RandomStream;
  private pathPattern: RegExp;

  constructor(
    private settings: FaultSettings,
    seed: number,
  ) {
    this.rng = new RandomStream(seed, 'faults');
    this.pathPattern = new RegExp(settings.pathPattern);
  }

  /** Replaces the fault settings (already validated, defaults filled). */
  configure(settings: FaultSettings): void {
    this.settings = settings;
    this.pathPattern = new RegExp(settings.pathPattern);
  }

  /** Retry-After of injected 429s. */
  get retryAfterSeconds(): number {
    return this.settings.retryAfterSeconds;
  }

  /** Whether requests to this path get faults. */
  applies(path: string): boolean {
    return this.pathPattern.test(path);
  }

  /** Wall-clock delay to add before answering, ms. */
  latencyMs(): number {
    const { min, max } = this.settings.latencyMs;
    return max > 0 ? this.rng.uniform(min, Math.max(min, max)) : 0;
  }

  /** One draw decides between the error statuses, a held request and a dropped connection. */
  requestFault(): RequestFault {
    const u = this.rng.next();
    let edge = 0;
    for (const status of [429, 500, 502, 503, 504] as const) {
      edge += this.settings.errorRates[String(status) as keyof FaultSettings['errorRates']] ?? 0;
      if (u < edge) return { kind: 'status', status };
    }
    edge += this.settings.timeoutRate;
    if (u < edge) return { kind: 'timeout' };
    edge += this.settings.dropRate;
    if (u < edge) return { kind: 'drop' };
    return { kind: 'none' };
  }

  /** One draw decides whether a successful answer's body is broken, and how. */
  bodyFault(): BodyFault {
    const u = this.rng.next();
    let edge = this.settings.malformedRate;
    if (u < edge) return 'malformed';
    edge += this.settings.partialRate;
    if (u < edge) return 'partial';
    edge += this.settings.emptyRate;
    if (u < edge) return 'empty';
    return 'none';
  }
}
