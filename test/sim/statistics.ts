/**
 * Batch-means confidence intervals and queueing formulas for the simulation's validation tests.
 * Intervals come from the run itself: split the post-warm-up run into batches long enough to be
 * nearly independent, and take a Student-t interval on the batch means.
 */

/** Two-sided Student-t quantile via the Cornish-Fisher expansion (accurate to ~1e-3 for df >= 10). */
export function tQuantile(confidence: number, df: number): number {
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const z3 = z ** 3;
  const z5 = z ** 5;
  return z + (z3 + z) / (4 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96 * df * df);
}

/** Standard normal quantile (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const q = p < 0.5 ? Math.sqrt(-2 * Math.log(p)) : Math.sqrt(-2 * Math.log(1 - p));
  if (p < 0.02425 || p > 1 - 0.02425) {
    const x = (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
    return p < 0.5 ? x : -x;
  }
  const r = (p - 0.5) ** 2;
  const s = p - 0.5;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * s) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/** Mean and confidence interval of batch means. */
export function batchMeansInterval(batches: readonly number[], confidence = 0.99): { mean: number; low: number; high: number; halfWidth: number } {
  const n = batches.length;
  const mean = batches.reduce((s, x) => s + x, 0) / n;
  const variance = batches.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
  const halfWidth = tQuantile(confidence, n - 1) * Math.sqrt(variance / n);
  return { mean, low: mean - halfWidth, high: mean + halfWidth, halfWidth };
}

/** Erlang C for N agents and A erlangs: probability of waiting, service level at t, mean speed of answer. */
export function erlangC(agents: number, erlangs: number, meanServiceS: number): { pWait: number; serviceLevel: (thresholdS: number) => number; asaS: number } {
  let b = 1;
  for (let k = 1; k <= agents; k++) b = (erlangs * b) / (k + erlangs * b);
  const pWait = (agents * b) / (agents - erlangs * (1 - b));
  return {
    pWait,
    serviceLevel: (t) => 1 - pWait * Math.exp((-(agents - erlangs) * t) / meanServiceS),
    asaS: (pWait * meanServiceS) / (agents - erlangs),
  };
}
