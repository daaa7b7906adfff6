/**
 * Campaign reads and knob writes: mapping Genesys's Campaign to the port's snapshot, and the
 * single-field CampaignPatchRequest.
 */
import { KNOBS, type KnobName } from '../config/schema.js';
import type { CampaignPerformance, CampaignSnapshot } from '../ports.js';
import {
  campaignKnobsAnswerSchema,
  campaignListingSchema,
  campaignPerformanceListingSchema,
  campaignPerformanceSchema,
  campaignSchema,
  parseBody,
  parseEntities,
  type CampaignBody,
  type EntityPage,
} from './responses.js';

/**
 * Ids per campaign listing request: Genesys caps pageSize at 100. A hundred ids make a query string
 * of about 4.2 KB, under the 8 KB request line common HTTP front ends take; Genesys's own limit is
 * not documented, so a 414 answer splits the request (lambda/genesys/client.ts).
 */
export const CAMPAIGN_IDS_PER_REQUEST = 100;
/** Ids per campaign performance query: "Maximum of 50 IDs allowed" (postOutboundCampaignsPerformanceQuery). */
export const PERFORMANCE_IDS_PER_REQUEST = 50;

/**
 * Maps a validated Campaign to what pacing needs. maxCallsPerAgent prefers the decimal field,
 * because the integer one is a rounded copy when the campaign uses decimal precision.
 *
 * @param campaign - a Campaign that passed {@link campaignSchema}
 */
function toCampaignSnapshot(campaign: CampaignBody): CampaignSnapshot {
  const knobs: CampaignSnapshot['knobs'] = {};
  const calls = campaign.maxCallsPerAgentDecimal ?? campaign.maxCallsPerAgent;
  if (calls !== undefined && calls !== null) knobs.maxCallsPerAgent = calls;
  if (campaign.abandonRate !== undefined && campaign.abandonRate !== null) knobs.abandonRate = campaign.abandonRate;
  if (campaign.outboundLineCount !== undefined && campaign.outboundLineCount !== null) knobs.outboundLineCount = campaign.outboundLineCount;
  return {
    campaignId: campaign.id,
    ...(campaign.name ? { name: campaign.name } : {}),
    status: campaign.campaignStatus,
    dialingMode: campaign.dialingMode,
    knobs,
    ...(campaign.queue?.id ? { queueId: campaign.queue.id } : {}),
  };
}

/** One page of the campaign listing, read for the campaigns asked for. */
export interface CampaignPage extends EntityPage<CampaignSnapshot> {
  /** Entities on the page, asked for or not. */
  entityCount: number;
  pageCount: number | undefined;
}

/**
 * Reads one page of GET /api/v2/outbound/campaigns: each campaign asked for is validated on its
 * own, so one with, say, a campaignStatus pacing does not know is unusable alone.
 *
 * @param body - the parsed JSON answer
 * @param wanted - the ids asked for; others on the page are ignored
 * @throws ResponseShapeError when the page itself, or an entity's id, is not what the listing should be
 */
export function readCampaignPage(body: unknown, wanted: ReadonlySet<string>): CampaignPage {
  const listing = parseBody(campaignListingSchema, body);
  const entities = listing.entities ?? [];
  const page = parseEntities(entities, { idField: ['id'], label: 'campaign' }, wanted, campaignSchema);
  return {
    usable: new Map([...page.usable].map(([campaignId, campaign]) => [campaignId, toCampaignSnapshot(campaign)])),
    unusable: page.unusable,
    seen: page.seen,
    entityCount: entities.length,
    pageCount: listing.pageCount ?? undefined,
  };
}

/**
 * The query string of one page of the campaign listing: repeated `id` (the SDK's "multi" format),
 * then pageSize and pageNumber. Paging is by number on the same path, never by a URI from a body.
 */
export function campaignListingParams(ids: readonly string[], pageSize: number, pageNumber: number): URLSearchParams {
  const params = new URLSearchParams();
  for (const id of ids) params.append('id', id);
  params.set('pageSize', String(pageSize));
  params.set('pageNumber', String(pageNumber));
  return params;
}

/**
 * Why a knob value cannot be sent, or undefined when it can.
 * outboundLineCount is an int32 in CampaignPatchRequest; a fraction would be refused or truncated.
 */
export function knobValueProblem(knob: KnobName, value: number): string | undefined {
  if (!(KNOBS as readonly string[]).includes(knob)) return `"${String(knob)}" is not a knob (${KNOBS.join(', ')})`;
  if (typeof value !== 'number' || !Number.isFinite(value)) return `${knob} must be a finite number, got ${String(value)}`;
  if (value < 0) return `${knob} must not be negative, got ${value}`;
  if (knob === 'outboundLineCount' && !Number.isInteger(value)) return `outboundLineCount must be a whole number of lines, got ${value}`;
  return undefined;
}

/** The PATCH body: exactly the knobs' fields, so nothing else on the campaign is touched. */
export function campaignPatchBody(values: Partial<Record<KnobName, number>>): Partial<Record<KnobName, number>> {
  return { ...values };
}

/**
 * Reads a CampaignPerformanceDataListing: the campaigns asked for that Genesys reported, with the
 * figures it gave (a figure it left out stays absent rather than becoming a zero). Each entity is
 * validated on its own: one with an unusable figure is unusable alone.
 *
 * @param body - the parsed JSON answer
 * @param campaignIds - the ids sent; others in the answer are ignored
 * @throws ResponseShapeError when the listing, or an entity's campaign id, is not what it should be
 */
export function readCampaignPerformance(body: unknown, campaignIds: readonly string[]): EntityPage<CampaignPerformance> {
  const parsed = parseBody(campaignPerformanceListingSchema, body);
  const page = parseEntities(parsed.entities ?? [], { idField: ['campaign', 'id'], label: 'campaign' }, new Set(campaignIds), campaignPerformanceSchema);
  const usable = new Map<string, CampaignPerformance>();
  for (const [campaignId, e] of page.usable) {
    const figures = {
      connectRatio: e.contactRate?.connectRatio,
      idleAgents: e.idleAgents,
      effectiveIdleAgents: e.effectiveIdleAgents,
      adjustedCallsPerAgent: e.adjustedCallsPerAgent,
      outstandingCalls: e.outstandingCalls,
    };
    usable.set(campaignId, { campaignId, ...Object.fromEntries(Object.entries(figures).filter(([, v]) => v !== undefined && v !== null)) });
  }
  return { ...page, usable };
}

/**
 * The values a PATCH answer says the campaign holds, for the knobs that were sent. Genesys's SDK
 * documents no answer body (204): then, or when the answer holds nothing usable, the result is
 * empty and the next read confirms. maxCallsPerAgent prefers the decimal field, as on reads.
 *
 * @param body - the parsed JSON answer, or undefined when there was none (or it was not JSON)
 * @param sent - the knobs sent
 */
export function knobsHeld(body: unknown, sent: readonly KnobName[]): Partial<Record<KnobName, number>> {
  const answer = campaignKnobsAnswerSchema.parse(body ?? {});
  const held: Partial<Record<KnobName, number>> = {
    maxCallsPerAgent: answer.maxCallsPerAgentDecimal ?? answer.maxCallsPerAgent ?? undefined,
    abandonRate: answer.abandonRate ?? undefined,
    outboundLineCount: answer.outboundLineCount ?? undefined,
  };
  return Object.fromEntries(sent.flatMap((knob) => (held[knob] === undefined ? [] : [[knob, held[knob]]])));
}
