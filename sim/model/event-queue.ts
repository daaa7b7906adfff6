/**
 * The future-event list of the discrete-event simulation: a binary min-heap ordered by virtual time,
 * ties broken by insertion order so runs are reproducible.
 */

export interface Scheduled<E> {
  readonly t: number;
  readonly seq: number;
  readonly event: E;
}

export class EventQueue<E> {
  private readonly heap: Scheduled<E>[] = [];
  private nextSeq = 0;

  /** Time of the earliest pending event, or Infinity when none. */
  peekTime(): number {
    return this.heap.length ? this.heap[0]!.t : Infinity;
  }

  /** Schedules an event at virtual time t. */
  push(t: number, event: E): void {
    const item: Scheduled<E> = { t, seq: this.nextSeq++, event };
    const heap = this.heap;
    let i = heap.length;
    heap.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!earlier(item, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = item;
  }

  /** Removes and returns the earliest event. Call only when size > 0. */
  pop(): Scheduled<E> {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length) {
      let i = 0;
      const n = heap.length;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= n) break;
        const right = left + 1;
        const child = right < n && earlier(heap[right]!, heap[left]!) ? right : left;
        if (!earlier(heap[child]!, last)) break;
        heap[i] = heap[child]!;
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}

function earlier<E>(a: Scheduled<E>, b: Scheduled<E>): boolean {
  return a.t < b.t || (a.t === b.t && a.seq < b.seq);
}
