/**
 * Seeded pseudo-random numbers for the simulation. Every random draw in the twin comes from here,
 * so the same scenario and seed always give the same day.
 *
 * Generator: sfc32 (Chris Doty-Humphrey's Small Fast Counter), seeded through splitmix32. It passes
 * PractRand to large sizes, is fast in plain JS integer arithmetic and needs no package.
 */

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** FNV-1a hash of a label, to derive independent named streams from one seed. */
function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** A stream of random numbers with the distributions a contact-centre model needs. */
export class RandomStream {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /** Second normal deviate of the last Box-Muller pair, kept so no draw is wasted. */
  private spareNormal: number | undefined;

  /**
   * @param seed any 32-bit integer
   * @param label names the stream; equal seeds with different labels give independent streams
   * @param item numbers one of many streams under a label (a campaign's contacts, say); 0 is the
   *   label's own stream, and distinct items below 2^32 give distinct seeds
   */
  constructor(seed: number, label = '', item = 0) {
    const base = splitmix32((seed ^ hashLabel(label)) >>> 0);
    const init = item === 0 ? base : splitmix32((base() ^ Math.imul(item, 0x9e3779b1)) >>> 0);
    this.a = init();
    this.b = init();
    this.c = init();
    this.d = init();
    // Discard the first outputs: sfc32 mixes poorly for a few rounds after seeding.
    for (let i = 0; i < 15; i++) this.nextUint32();
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform on [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform on [min, max). */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Exponential with the given mean (not rate). */
  exponential(mean: number): number {
    // 1 - next() lies in (0, 1], so the log is finite.
    return -mean * Math.log(1 - this.next());
  }

  /** Standard normal deviate (Box-Muller, polar-free form). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const z = this.spareNormal;
      this.spareNormal = undefined;
      return z;
    }
    const u = 1 - this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /**
   * Lognormal parameterised by its own mean and coefficient of variation (what WFM data reports),
   * not by the underlying normal's mu and sigma.
   */
  lognormal(mean: number, cv: number): number {
    if (cv <= 0) return mean;
    const sigma2 = Math.log(1 + cv * cv);
    const mu = Math.log(mean) - sigma2 / 2;
    return Math.exp(mu + Math.sqrt(sigma2) * this.normal());
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }
}
