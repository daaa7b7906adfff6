/**
 * Batched reads in chunks: every chunk runs (within the client's concurrency), a chunk whose
 * request failed in a way worth repeating gets one more try while the deadline allows, and the
 * ids of the chunks that still failed, or of records that could not be used, are named in a
 * BatchReadError beside everything that was read. One bad chunk blinds only the ids it held.
 *
 * Not ky's retry: ky repeats one request at once, within its backoff; this repeats a whole chunk
 * (pages included) after ky has given up on it and after every other chunk has had its first try.
 */
import type { LimitFunction } from 'p-limit';
import { BatchReadError } from '../ports.js';

/** What one chunk's request read. */
export interface ChunkRead<T> {
  values: ReadonlyMap<string, T>;
  /** Ids of the chunk whose own record could not be used, each with the error that says why. */
  unusable?: ReadonlyMap<string, Error>;
}

export interface ChunkedRead<I, T> {
  /** The operation, for the error message (e.g. "getOutboundCampaigns"). */
  operation: string;
  /** What the ids are, plural, for the error message (e.g. "campaigns"). */
  noun: string;
  items: readonly I[];
  idOf: (item: I) => string;
  chunkSize: number;
  /** Bounds the requests in flight (shared by every batched read of a client). */
  limit: LimitFunction;
  read: (chunk: I[]) => Promise<ChunkRead<T>>;
  /**
   * Whether a chunk that failed with `error` is tried once more, asked after every chunk has had
   * its first try (so the retry comes after the others, not straight into the same burst).
   */
  retryable: (error: unknown) => boolean;
  /** Called before each chunk retry (for the retry counter). */
  onRetry: () => void;
  /** Values already known (e.g. from a cache); returned with what is read. */
  known?: ReadonlyMap<string, T>;
}

/**
 * Runs a batched read over chunks of `items`.
 *
 * @returns every value read (with `known`), when every id could be read
 * @throws BatchReadError when some ids could not be read, even all of them: `partial` holds the
 *   rest, `reasons` says why per id, `cause` is the first failure in chunk order
 */
export async function readInChunks<I, T>(spec: ChunkedRead<I, T>): Promise<Map<string, T>> {
  const chunks: I[][] = [];
  for (let i = 0; i < spec.items.length; i += spec.chunkSize) chunks.push(spec.items.slice(i, i + spec.chunkSize));
  const { limit } = spec;
  const outcomes: Array<{ ok: true; read: ChunkRead<T> } | { ok: false; error: unknown }> = [];
  const attempt = async (index: number) => {
    try {
      outcomes[index] = { ok: true, read: await spec.read(chunks[index]!) };
    } catch (error) {
      outcomes[index] = { ok: false, error };
    }
  };
  await Promise.all(chunks.map((_, index) => limit(() => attempt(index))));
  const again = chunks.map((_, index) => index).filter((index) => {
    const outcome = outcomes[index]!;
    return !outcome.ok && spec.retryable(outcome.error);
  });
  await Promise.all(
    again.map((index) =>
      limit(async () => {
        // Asked again at the time of the retry: the deadline may have come closer meanwhile.
        const outcome = outcomes[index]!;
        if (outcome.ok || !spec.retryable(outcome.error)) return;
        spec.onRetry();
        await attempt(index);
      }),
    ),
  );

  const values = new Map<string, T>(spec.known ?? []);
  const reasons = new Map<string, string>();
  let cause: unknown;
  outcomes.forEach((outcome, index) => {
    if (outcome.ok) {
      for (const [id, value] of outcome.read.values) values.set(id, value);
      for (const [id, error] of outcome.read.unusable ?? []) {
        reasons.set(id, error.message);
        cause ??= error;
      }
    } else {
      const message = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
      for (const item of chunks[index]!) reasons.set(spec.idOf(item), message);
      cause ??= outcome.error;
    }
  });
  if (reasons.size === 0) return values;
  const total = new Set([...spec.items.map(spec.idOf), ...(spec.known?.keys() ?? [])]).size;
  const first = reasons.values().next().value as string;
  throw new BatchReadError(values, new Set(reasons.keys()), `${spec.operation}: ${reasons.size} of ${total} ${spec.noun} could not be read; first: ${first}`, {
    cause,
    reasons,
  });
}
