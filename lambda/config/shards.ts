/**
 * Shards: groups of campaigns, each ticked by its own function with its own OAuth client, so each
 * has its own Genesys rate limit. A configuration without `shards` is one shard of every campaign.
 *
 * A shard's request budget bounds how many campaigns it serves: a tick reads a few dozen batched
 * queries (docs/scale.md, "What a tick sends to Genesys") and then writes one PATCH per campaign
 * whose knob changes. A shard serves its campaigns when its steady-state reads plus a PATCH for
 * half of them fit in one tick's budget: even when every campaign wants a change on every tick,
 * each is then written at least every other tick (cuts first, then the changes that waited:
 * tick/defer.ts), and a tick in which at most half of them change defers nothing.
 */
import { CAMPAIGN_IDS_PER_REQUEST, PERFORMANCE_IDS_PER_REQUEST } from '../genesys/campaigns.js';
import { ANALYTICS_IDS_PER_QUERY } from '../genesys/client.js';
import { DEFAULT_MINUTE_READ_SPAN_MINUTES, usesDialerFigures } from '../tick/read.js';
import type { CampaignConfig } from './config.js';

/** One shard with its campaigns resolved. */
export interface ShardConfig {
  /** The configured name; {@link DEFAULT_SHARD_NAME} for a configuration without `shards`. */
  name: string;
  /** False for the one shard of a configuration without `shards` (whose secret is the top-level `secretName`). */
  declared: boolean;
  /** An existing secret holding the shard's OAuth client, by name. */
  secretName?: string;
  /** An existing secret holding the shard's OAuth client, by complete ARN. */
  secretArn?: string;
  /** EventBridge schedule expression of the shard's tick; `rate(1 minute)` unless set. */
  schedule: string;
  campaignIds: string[];
}

/** The shard of a configuration without `shards`. */
export const DEFAULT_SHARD_NAME = 'default';
/** A tick a minute, EventBridge's shortest period. */
export const DEFAULT_SCHEDULE = 'rate(1 minute)';

/**
 * Share of the per-minute Genesys rate limit one tick may spend: the rest absorbs retries and the
 * tail of a previous tick that ran late, which still counts in Genesys's sliding minute.
 */
export const TICK_REQUEST_SHARE = 0.9;

/** Requests one tick may send to Genesys under a rate limit of `requestsPerMinute`. */
export function tickRequestBudget(requestsPerMinute: number): number {
  return Math.floor(requestsPerMinute * TICK_REQUEST_SHARE);
}

const requestsFor = (ids: number, perRequest: number) => Math.ceil(ids / perRequest);

/**
 * Genesys reads of a steady-state tick over these campaigns, as lambda/tick/read.ts batches them:
 * campaigns by pages of 100, and the dialer figures of the campaigns that use them by pages of 50;
 * one per-minute aggregates query per 100 campaigns for every outbound window within the last
 * `minuteReadSpanMinutes` (objective, compliance and guard windows, the settled minutes counted
 * into the budget), and one query per 100 campaigns for each longer window length; per 100 queues,
 * one aggregates query per window length and one observations query. Service-level thresholds are
 * read on a container's first tick only (then cached for an hour), so they are not counted: that
 * tick may defer writes to the next.
 */
export function steadyReadsPerTick(campaigns: readonly CampaignConfig[], minuteReadSpanMinutes = DEFAULT_MINUTE_READ_SPAN_MINUTES): number {
  if (campaigns.length === 0) return 0;
  const campaignsByLongLength = new Map<number, number>();
  const queuesByLength = new Map<number, Set<string>>();
  const liveQueues = new Set<string>();
  for (const c of campaigns) {
    const lengths = new Set([c.compliance.windowMinutes, c.compliance.guard.minutes]);
    if (c.objective.kind === 'abandonRate') lengths.add(c.windowMinutes);
    for (const m of lengths) if (m > minuteReadSpanMinutes) campaignsByLongLength.set(m, (campaignsByLongLength.get(m) ?? 0) + 1);
    if (c.objective.kind === 'abandonRate') continue;
    const queueId = c.objective.queueId;
    liveQueues.add(queueId);
    for (const m of new Set([c.windowMinutes, c.blending?.arrivalMinutes])) {
      if (m !== undefined) queuesByLength.set(m, (queuesByLength.get(m) ?? new Set()).add(queueId));
    }
  }
  // A campaign whose gains follow its team also reads its own queue, which only Genesys knows: count one each.
  const ownQueues = campaigns.filter((c) => c.gainSchedule).length;
  const n = campaigns.length;
  const campaignPages = requestsFor(n, CAMPAIGN_IDS_PER_REQUEST) + requestsFor(campaigns.filter(usesDialerFigures).length, PERFORMANCE_IDS_PER_REQUEST);
  // The settled minutes of a steady tick are recent, so every campaign is in the per-minute query.
  const outbound = [...campaignsByLongLength.values()].reduce((sum, k) => sum + requestsFor(k, ANALYTICS_IDS_PER_QUERY), requestsFor(n, ANALYTICS_IDS_PER_QUERY));
  const queueWindows = [...queuesByLength.values()].reduce((sum, ids) => sum + requestsFor(ids.size, ANALYTICS_IDS_PER_QUERY), 0);
  const live = requestsFor(liveQueues.size + ownQueues, ANALYTICS_IDS_PER_QUERY);
  return campaignPages + outbound + queueWindows + live;
}

/**
 * Ticks within which every campaign of a shard gets its write when all of them want one at once:
 * a shard's budget must write 1 / WRITE_TICKS of its campaigns each tick.
 */
export const WRITE_TICKS = 2;

/** What one tick of a shard must send: its reads, and the PATCHes that write every campaign within {@link WRITE_TICKS} ticks. */
export interface ShardLoad {
  reads: number;
  patches: number;
  budget: number;
}

/** A shard's tick at its busiest against its budget. */
export function shardLoad(campaigns: readonly CampaignConfig[], requestsPerMinute: number): ShardLoad {
  return { reads: steadyReadsPerTick(campaigns), patches: Math.ceil(campaigns.length / WRITE_TICKS), budget: tickRequestBudget(requestsPerMinute) };
}

/** The most of these campaigns (in order) one shard serves: its reads and a PATCH for half of them within the budget. */
export function shardCapacity(campaigns: readonly CampaignConfig[], requestsPerMinute: number): number {
  const budget = tickRequestBudget(requestsPerMinute);
  let low = 0;
  let high = campaigns.length;
  // Reads and PATCHes grow with the campaigns taken, so the fit is monotonic: bisect.
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    const taken = campaigns.slice(0, mid);
    if (steadyReadsPerTick(taken) + Math.ceil(mid / WRITE_TICKS) <= budget) low = mid;
    else high = mid - 1;
  }
  return low;
}

/**
 * Why a shard is over its budget, naming it and the fix, or undefined when it fits.
 *
 * @param campaigns - the shard's campaigns, defaults filled in
 */
export function overBudgetProblem(shard: ShardConfig, index: number, campaigns: readonly CampaignConfig[], requestsPerMinute: number): string | undefined {
  const load = shardLoad(campaigns, requestsPerMinute);
  if (load.reads + load.patches <= load.budget) return undefined;
  const capacity = shardCapacity(campaigns, requestsPerMinute);
  const where = shard.declared ? `shards[${index}] ("${shard.name}")` : 'campaigns';
  return (
    `${where}: ${campaigns.length} campaigns need ${load.reads} reads and ${load.patches} PATCHes a tick (a write for each within ${WRITE_TICKS} ticks), over the ${load.budget} requests ` +
    `one OAuth client may send a tick (90% of genesys.requestsPerMinute, ${requestsPerMinute}): one shard serves at most ${capacity} of them; ` +
    `move ${campaigns.length - capacity} to another shard with its own OAuth client (docs/scale.md, "Shards")`
  );
}
