/**
 * A knob's grid: Genesys takes a knob's value as a whole number of its resolution (0.05 calls per
 * agent, whole lines). Values are counted in steps of the resolution and written with the
 * resolution's decimals, so 31 steps of 0.05 is 1.55, never 1.5499999999999998.
 *
 * Bounds need not lie on the grid (the abandon target's default max follows the compliance limit,
 * 3.33 for a limit of 0.0333): the values written are the grid values inside them, compared with
 * the bounds as written, so an upper bound is never crossed, not even by floating-point dust.
 */

/** Decimals the resolution is written with: 0.05 has 2, 1 has 0, 1e-7 has 7. */
function decimalsOf(resolution: number): number {
  const [mantissa = '', exponent = '0'] = String(resolution).split('e');
  const fraction = mantissa.split('.')[1]?.length ?? 0;
  return Math.max(0, fraction - Number(exponent));
}

/** The value `steps` resolutions above zero, written as Genesys takes it. */
function gridValue(steps: number, resolution: number): number {
  return Number((steps * resolution).toFixed(decimalsOf(resolution)));
}

/** Steps to the lowest grid value at or above `x` (x / resolution alone can land either side: 1.15 / 0.05 is 22.999999999999996). */
function stepsAtOrAbove(x: number, resolution: number): number {
  const n = Math.round(x / resolution);
  return gridValue(n, resolution) < x ? n + 1 : n;
}

/** Steps to the highest grid value at or below `x`. */
function stepsAtOrBelow(x: number, resolution: number): number {
  const n = Math.round(x / resolution);
  return gridValue(n, resolution) > x ? n - 1 : n;
}

/** The lowest grid value at or above `x`. */
export function gridAbove(x: number, resolution: number): number {
  return gridValue(stepsAtOrAbove(x, resolution), resolution);
}

/** The highest grid value at or below `x`. */
export function gridBelow(x: number, resolution: number): number {
  return gridValue(stepsAtOrBelow(x, resolution), resolution);
}

/**
 * Floating-point dust, as a share of one step, that a lower bound computed as knob - maxStep may
 * carry (1.3 - 0.1 is 1.2000000000000002): undershooting it by that much is taken as reaching it,
 * so a cut is not one resolution short. Upper bounds get no such allowance.
 */
const DUST = 1e-9;

/**
 * Rounds `value` to the nearest grid value inside [lo, hi]: down where rounding would cross `hi`,
 * up where it would cross `lo`.
 *
 * When no grid value lies inside (both bounds between the same two neighbours), the one below `hi`:
 * an upper bound (the knob's max, an override's ceiling) is never crossed, and undershooting `lo`
 * by less than one resolution dials less, the safe direction for every knob.
 */
export function quantise(value: number, resolution: number, lo: number, hi: number): number {
  const first = stepsAtOrAbove(lo - DUST * resolution, resolution);
  const last = stepsAtOrBelow(hi, resolution);
  return gridValue(first > last ? last : Math.min(last, Math.max(first, Math.round(value / resolution))), resolution);
}

/**
 * `value` to the grid value at or below it, within the knob's bounds (a lower bound off the grid
 * rounds up onto it): where a computed cut or ceiling lands.
 */
export function gridFloorWithin(knob: { min: number; max: number; resolution: number }, value: number): number {
  return quantise(Math.floor(value / knob.resolution) * knob.resolution, knob.resolution, gridAbove(knob.min, knob.resolution), gridBelow(knob.max, knob.resolution));
}
