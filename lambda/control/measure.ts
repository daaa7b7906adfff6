import type { CampaignConfig } from '../config/config.js';
import type { CampaignWindowStats, QueueWindowStats } from '../ports.js';
import type { Measurement } from './pid.js';

/**
 * Service level over the window: answered within the threshold / offered.
 * Undefined when nothing was offered: an empty window is no evidence of good service.
 * Capped at 1: calls offered just before the window and answered inside it can push the
 * raw ratio above 1, which is no real headroom.
 */
export function serviceLevel(stats: QueueWindowStats | undefined): Measurement | undefined {
  if (!stats || stats.offered <= 0) return undefined;
  return { value: Math.min(1, stats.answeredWithinThreshold / stats.offered), sample: stats.offered };
}

/** Abandon rate over the window: abandoned / live-connected (the regulatory denominator). */
export function abandonRate(stats: CampaignWindowStats | undefined): Measurement | undefined {
  if (!stats || stats.connected <= 0) return undefined;
  return { value: stats.abandoned / stats.connected, sample: stats.connected };
}

/** The measurement of a campaign's own objective from the tick's windowed reads. */
export function measureObjective(
  campaign: CampaignConfig,
  queueStats: ReadonlyMap<string, QueueWindowStats>,
  campaignStats: ReadonlyMap<string, CampaignWindowStats>,
): Measurement | undefined {
  const objective = campaign.objective;
  return objective.kind === 'abandonRate'
    ? abandonRate(campaignStats.get(campaign.campaignId))
    : serviceLevel(queueStats.get(objective.queueId));
}
