/**
 * The law outranks the pace: once a campaign's abandon budget is spent, a value a person set by
 * hand above the knob's bounds is cut to the safe value (a compliance override, audited with its
 * own reason), unless the campaign's `compliance.respectManualValues` is true. Pure functions.
 */
import type { ComplianceConfig, KnobConfig } from '../config/config.js';
import type { StepDecision } from '../control/pid.js';
import type { ControllerState } from '../ports.js';
import type { BudgetView } from './budget.js';

/** The window is at or over the limit, on at least `minSample` live answers: no abandon is left to spend. */
export function budgetSpent(config: ComplianceConfig, view: BudgetView): boolean {
  return view.window.live >= config.minSample && view.remainingAbandons <= 0;
}

/** What the override needs to know about the tick. */
export interface ManualOverrideInput {
  campaignId: string;
  compliance: ComplianceConfig;
  knob: KnobConfig;
  /** The knob's value in Genesys now. */
  knobNow: number | undefined;
  /** Where the cut goes: the knob's safe value (fast-cut.ts), inside the bounds. */
  safe: number;
  spent: boolean;
  /** The campaign is on and the tick can see its metrics. */
  canAct: boolean;
  previous: ControllerState | undefined;
  now: number;
  eventId: string;
}

/**
 * Replaces the law's hold on a hand-set value above the bounds (`knob-outside-bounds`) with a cut
 * to the safe value, reason `compliance-override`, when the budget is spent. The state restarts
 * bumplessly on the value written. Any other decision, a value below the bounds (it dials less),
 * or a campaign that respects manual values, is returned as it was.
 */
export function overrideManualValue(decision: StepDecision, input: ManualOverrideInput): StepDecision {
  const { knob, knobNow, safe, now, eventId } = input;
  if (decision.reason !== 'knob-outside-bounds' || knobNow === undefined || knobNow <= knob.max + 1e-9) return decision;
  if (!input.spent || !input.canAct || input.compliance.respectManualValues) return decision;
  return {
    action: 'change',
    reason: 'compliance-override',
    value: safe,
    error: undefined,
    terms: undefined,
    next: {
      ...(input.previous ? { compliance: input.previous.compliance } : {}),
      campaignId: input.campaignId,
      integral: safe,
      previousError: 0,
      lastOutput: safe,
      lastWritten: safe,
      lastTickTime: now,
      lastEventId: eventId,
      blindTicks: 0,
    },
  };
}
