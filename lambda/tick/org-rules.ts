/**
 * The campaign's own setup and the org's outbound rules, checked against its configuration each
 * tick: a knob that does nothing in the campaign's dialing mode, or bounds the org does not allow,
 * refuse the campaign with the field and the fix; an org setting that makes the controller's abandon
 * count differ from the rule's is a warning on the campaign.
 */
import type { CampaignConfig } from '../config/config.js';
import { KNOBS_BY_DIALING_MODE, knobActsIn } from '../config/dialing-modes.js';
import type { CampaignSnapshot, OutboundSettings } from '../ports.js';

/** Why a campaign is not paced this tick. */
export interface Refusal {
  reason: 'knob-inert-in-mode' | 'org-limit';
  message: string;
}

/** The second limit after which the US rule (47 CFR 64.1200(a)(7), 16 CFR 310.4(b)(4)) counts a call as abandoned. */
export const US_ABANDON_SECONDS = 2;

/** The knobs a campaign's configuration moves: its own and its compliance loop's. */
function knobsOf(c: CampaignConfig) {
  return c.compliance.knob.name === c.knob.name ? [{ field: 'knob', knob: c.knob }] : [{ field: 'knob', knob: c.knob }, { field: 'compliance.knob', knob: c.compliance.knob }];
}

/** Why this campaign must not be paced as configured, if it must not. */
export function refusal(c: CampaignConfig, snapshot: CampaignSnapshot, settings: OutboundSettings | undefined): Refusal | undefined {
  for (const { field, knob } of knobsOf(c)) {
    if (!knobActsIn(snapshot.dialingMode, knob.name)) {
      const acting = KNOBS_BY_DIALING_MODE[snapshot.dialingMode];
      return {
        reason: 'knob-inert-in-mode',
        message:
          `${field}.name ${knob.name} does nothing in ${snapshot.dialingMode} dialing mode: ` +
          (acting.length ? `set it to ${acting.join(' or ')} for campaign ${c.campaignId}` : `Genesys does not pace ${snapshot.dialingMode} campaigns; remove campaign ${c.campaignId} from the configuration`),
      };
    }
  }
  const orgMax = settings?.maxConfigurableCallsPerAgent ?? settings?.maxCallsPerAgent;
  for (const { field, knob } of knobsOf(c)) {
    if (knob.name === 'maxCallsPerAgent' && orgMax !== undefined && knob.max > orgMax) {
      return {
        reason: 'org-limit',
        message: `${field}.max ${knob.max} is above the org's limit of ${orgMax} calls per agent (Outbound Settings): lower ${field}.max of campaign ${c.campaignId} to ${orgMax} or less, or raise the org's limit`,
      };
    }
  }
  return undefined;
}

/** What a campaign's report should warn of in the org's settings. */
export function settingsWarnings(c: CampaignConfig, settings: OutboundSettings | undefined): string[] {
  const seconds = settings?.abandonSeconds;
  if (c.compliance.window.type === 'periods' && seconds !== undefined && seconds > US_ABANDON_SECONDS) {
    return [
      `the org's compliance abandon threshold is ${seconds} s, above the ${US_ABANDON_SECONDS} s the US rule allows: Genesys counts fewer abandons than the rule does; ` +
        `set Abandon seconds to ${US_ABANDON_SECONDS} in Admin > Outbound > Settings`,
    ];
  }
  return [];
}
