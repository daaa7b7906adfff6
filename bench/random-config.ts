/**
 * How every random centre is configured: the one starting configuration rule a user applies
 * (`startingCampaignConfig`, lambda/config/starting-config.ts, as `npm run discover` does) on what a
 * user knows when setting a campaign up (team size, dialing mode, whether the team is blended, the
 * rule it works under, the queue's service-level target, and under the UK rule the detector's
 * false-positive rate, which the rule asks the user to estimate), never on what the benchmark hides from
 * the controller (connect rate, handle time, events). The only change is the same for every centre:
 * the campaign is switched from dry run to on, as a user does once the dry run looks right.
 */
import { movedKnobs, startingCampaignConfig, type CampaignEntry, type StartingCampaignInput } from '../lambda/config/starting-config.js';
import { CAMPAIGN_ID, QUEUE_IDS, type CampaignStart, type Centre } from './random-centres.js';

/** A controller file as sim/controllers/ holds them: the pacing configuration without `genesys` and `secretName`. */
export interface ControllerFile {
  defaults: Record<string, unknown>;
  campaigns: CampaignEntry[];
}

/** The lines an org's edges can dial at once in the twin. */
const ORG_LINES = 300;
/** Genesys's abandon target a campaign ran at before, where the rule does not move it: under the cap. */
const PRIOR_ABANDON_TARGET = 2;
/** Calls per agent a campaign ran at before, where the rule does not move it. */
const PRIOR_CALLS_PER_AGENT = 3;

/** The lines the campaign had before, where the rule does not move them: 1.5 per agent, 4 to the org's 300. */
export function linesMax(c: Pick<Centre, 'agents'>): number {
  return Math.min(ORG_LINES, Math.max(4, Math.ceil(1.5 * c.agents)));
}

/**
 * What a UK user knows of the detector: its false-positive rate as measured (Ofcom asks every
 * campaign under the rule for a reasoned estimate), rounded up to the next tenth of a percent.
 */
export function measuredAmdFalsePositiveRate(c: Pick<Centre, 'amdFalsePositive'>): number {
  return Math.ceil(c.amdFalsePositive * 1000 - 1e-9) / 1000;
}

/** What a user knows of the centre, as the starting rule takes it. */
export function ruleInputOf(c: Centre): StartingCampaignInput {
  return {
    campaignId: CAMPAIGN_ID,
    name: `${c.id} ${c.mode}`,
    dialingMode: c.mode,
    queueId: QUEUE_IDS.campaign,
    agents: c.agents,
    complianceRule: c.regime === 'UK' ? 'uk' : 'us',
    ...(c.inboundLoad === undefined ? {} : { inboundQueueId: QUEUE_IDS.inbound }),
    serviceLevelTarget: c.serviceLevel.target,
    ...(c.regime === 'UK' ? { amdFalsePositiveRate: measuredAmdFalsePositiveRate(c) } : {}),
  };
}

/** The centre's campaign entry, by the starting rule, switched on. */
export function campaignEntryOf(c: Centre): CampaignEntry {
  return { ...startingCampaignConfig(ruleInputOf(c)), dryRun: false };
}

/** The controller configuration of a centre: its one campaign, by the starting rule. */
export function controllerConfigOf(c: Centre): ControllerFile {
  return { defaults: {}, campaigns: [campaignEntryOf(c)] };
}

/**
 * The campaign's settings before the controller takes over, inside the rule's bounds (README: set
 * the campaign inside the new bounds first): every knob the rule moves at its most aggressive bound
 * (agentless lines at half, its queue otherwise flooded at the start), the others as before.
 */
export function campaignStartOf(c: Centre): CampaignStart {
  const start: CampaignStart = { abandonRate: PRIOR_ABANDON_TARGET, maxCallsPerAgent: PRIOR_CALLS_PER_AGENT, outboundLineCount: linesMax(c) };
  for (const k of movedKnobs(campaignEntryOf(c))) start[k.name] = c.mode === 'agentless' && k.name === 'outboundLineCount' ? Math.max(k.min, Math.ceil(k.max / 2)) : k.max;
  return start;
}
