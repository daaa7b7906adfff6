/**
 * How the twin stores a PATCHed pacing knob. Genesys's API reference says nothing of rounding or
 * clamping a CampaignPatchRequest value it accepts, so by default the twin stores what it was sent;
 * a test can make it round to a step and clamp to a ceiling, as a Genesys that does would, to check
 * that the controller adopts the value Genesys holds.
 */

/** The knobs of a CampaignPatchRequest the twin can adjust. */
export const STORED_KNOBS = ['maxCallsPerAgent', 'abandonRate', 'outboundLineCount'] as const;
export type StoredKnob = (typeof STORED_KNOBS)[number];

/** Per knob: round an accepted value to a multiple of `step`, then clamp it to at most `max`. */
export type KnobStorage = Partial<Record<StoredKnob, { step?: number; max?: number }>>;

/**
 * Checks twin options before the twin starts.
 * @throws TypeError naming the knob and field at fault
 */
export function checkKnobStorage(storage: KnobStorage): void {
  for (const [knob, rule] of Object.entries(storage)) {
    if (!(STORED_KNOBS as readonly string[]).includes(knob)) throw new TypeError(`knobStorage.${knob} is not a knob; use ${STORED_KNOBS.join(', ')}`);
    if (rule?.step !== undefined && !(Number.isFinite(rule.step) && rule.step > 0)) throw new TypeError(`knobStorage.${knob}.step must be a number above 0, got ${String(rule.step)}`);
    if (rule?.max !== undefined && !(Number.isFinite(rule.max) && rule.max >= 0)) throw new TypeError(`knobStorage.${knob}.max must be a number of at least 0, got ${String(rule.max)}`);
  }
}

/**
 * The value the twin stores for an accepted PATCH value.
 * @param knob - the field PATCHed
 * @param value - the value sent, already range-checked
 */
export function storedValue(storage: KnobStorage, knob: StoredKnob, value: number): number {
  const rule = storage[knob];
  if (!rule) return value;
  let stored = value;
  if (rule.step !== undefined) {
    // Through the step's decimal digits, so 0.1 steps store 2.3 rather than 2.3000000000000003.
    const digits = (String(rule.step).split('.')[1] ?? '').length;
    stored = Number((Math.round(stored / rule.step) * rule.step).toFixed(digits));
  }
  return rule.max === undefined ? stored : Math.min(stored, rule.max);
}
