/**
 * Which pacing knob acts in which Genesys dialing mode. Power and predictive campaigns pace
 * themselves toward `abandonRate`, capped by `maxCallsPerAgent`, on at most `outboundLineCount`
 * lines; a progressive campaign places one call per idle agent, so only its line count limits it;
 * an agentless campaign dials `outboundLineCount` lines; preview and external campaigns are not
 * paced by Genesys at all (Genesys Cloud API: CampaignPatchRequest and the Campaign model's field
 * notes, summarised in docs/compliance-and-control.md).
 */
import type { DialingMode } from '../ports.js';
import type { KnobName } from './schema.js';

export const KNOBS_BY_DIALING_MODE: Readonly<Record<DialingMode, readonly KnobName[]>> = {
  predictive: ['abandonRate', 'maxCallsPerAgent', 'outboundLineCount'],
  power: ['abandonRate', 'maxCallsPerAgent', 'outboundLineCount'],
  progressive: ['outboundLineCount'],
  agentless: ['outboundLineCount'],
  preview: [],
  external: [],
};

/** Whether a knob changes how a campaign in this dialing mode dials. */
export function knobActsIn(mode: DialingMode, knob: KnobName): boolean {
  return KNOBS_BY_DIALING_MODE[mode].includes(knob);
}
