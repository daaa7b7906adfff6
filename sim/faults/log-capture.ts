/**
 * Captures everything the process writes — process.stdout and process.stderr (where Powertools
 * Logger and Metrics write outside dev mode) and the console methods (where they write in dev
 * mode, and where a test runner may reroute the console) — checks every chunk for secrets at
 * the moment it is written, and keeps the lines since the last drain.
 */
import { inspect } from 'node:util';

/** One captured line, parsed when it is JSON (Powertools writes one JSON object per line). */
export interface CapturedLine {
  text: string;
  json?: Record<string, unknown>;
}

type Write = typeof process.stdout.write;
const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

export class LogCapture {
  /** Lines written since the last drain. */
  #pending: CapturedLine[] = [];
  /** Lines seen, in total. */
  lines = 0;
  /** Every sensitive string found, with the start of the line it was in (the secret itself masked). */
  readonly leaks: string[] = [];
  readonly #sensitive: () => Iterable<string>;
  readonly #restore: Array<() => void> = [];
  readonly #originalStdout: Write = process.stdout.write;

  private constructor(sensitive: () => Iterable<string>) {
    this.#sensitive = sensitive;
  }

  /**
   * Starts capturing. Nothing reaches the real streams until `uninstall`, except through `passthrough`.
   *
   * @param sensitive - the secrets and tokens to look for, asked again for every chunk (tokens appear as the run goes)
   */
  static install(sensitive: () => Iterable<string>): LogCapture {
    const capture = new LogCapture(sensitive);
    for (const stream of [process.stdout, process.stderr]) {
      const original = stream.write;
      stream.write = ((chunk: unknown, ...rest: unknown[]) => {
        capture.record(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
        const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
        callback?.();
        return true;
      }) as Write;
      capture.#restore.push(() => (stream.write = original));
    }
    for (const method of CONSOLE_METHODS) {
      const original = console[method];
      console[method] = (...args: unknown[]) => capture.record(args.map((a) => (typeof a === 'string' ? a : inspect(a, { depth: 8 }))).join(' '));
      capture.#restore.push(() => (console[method] = original));
    }
    return capture;
  }

  /** Checks text that leaves the process some other way (a returned summary, a thrown error). */
  scan(text: string): void {
    for (const secret of this.#sensitive()) {
      if (secret.length >= 4 && text.includes(secret)) this.leaks.push(text.slice(0, 200).split(secret).join('<SECRET>'));
    }
  }

  /** Records a chunk: scans it, splits it into lines. */
  record(chunk: string): void {
    this.scan(chunk);
    for (const text of chunk.split('\n')) {
      if (text.trim() === '') continue;
      this.lines += 1;
      let json: Record<string, unknown> | undefined;
      if (text.startsWith('{')) {
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          json = undefined;
        }
      }
      this.#pending.push(json ? { text, json } : { text });
    }
  }

  /** The lines written since the last drain. */
  drain(): CapturedLine[] {
    const out = this.#pending;
    this.#pending = [];
    return out;
  }

  /** Writes to the real stdout while capturing (a script's progress and report). */
  passthrough(text: string): void {
    this.#originalStdout.call(process.stdout, text);
  }

  /** Restores the streams and the console. */
  uninstall(): void {
    for (const restore of this.#restore.splice(0).reverse()) restore();
  }
}
