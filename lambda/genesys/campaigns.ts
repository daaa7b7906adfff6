/**
 * Campaign reads and knob writes: mapping Genesys's Campaign to the port's snapshot, and the
 * single-field CampaignPatchRequest.
 */
import { KNOBS, type KnobName } from '../config/schema.js';
import type { CampaignPerformance, CampaignSnapshot } from '../ports.js';
import { campaignListingSchema, campaignPerformanceListingSchema, parseBody, type CampaignBody, type CampaignListing } from './responses.js';

/** Genesys caps pageSize at 100; 50 ids keep the query string well under URL length limits. */
export const CAMPAIGN_IDS_PER_REQUEST = 50;

/**
 * Maps a validated Campaign to what pacing needs. maxCallsPerAgent prefers the decimal field,
 * because the integer one is a rounded copy when the campaign uses decimal precision.
 *
 * @param campaign - a Campaign that passed {@link campaignSchema}
 */
export function toCampaignSnapshot(campaign: CampaignBody): CampaignSnapshot {
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

/**
 * Validates one page of GET /api/v2/outbound/campaigns.
 *
 * @throws ResponseShapeError naming the field at fault
 */
export function parseCampaignListing(body: unknown): CampaignListing {
  return parseBody(campaignListingSchema, body);
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
 * figures it gave (a figure it left out stays absent rather than becoming a zero).
 *
 * @param body - the parsed JSON answer
 * @param campaignIds - the ids sent; others in the answer are ignored
 * @throws ResponseShapeError naming the field at fault
 */
export function mapCampaignPerformance(body: unknown, campaignIds: readonly string[]): Map<string, CampaignPerformance> {
  const parsed = parseBody(campaignPerformanceListingSchema, body);
  const wanted = new Set(campaignIds);
  const out = new Map<string, CampaignPerformance>();
  for (const e of parsed.entities ?? []) {
    if (!wanted.has(e.campaign.id)) continue;
    const figures = {
      connectRatio: e.contactRate?.connectRatio,
      idleAgents: e.idleAgents,
      effectiveIdleAgents: e.effectiveIdleAgents,
      adjustedCallsPerAgent: e.adjustedCallsPerAgent,
      outstandingCalls: e.outstandingCalls,
    };
    out.set(e.campaign.id, {
      campaignId: e.campaign.id,
      ...Object.fromEntries(Object.entries(figures).filter(([, v]) => v !== undefined && v !== null)),
    });
  }
  return out;
}
