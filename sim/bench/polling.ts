/**
 * A stand-in for the controller's traffic: every virtual minute, the reads and the write one
 * pacing tick makes. Used by the speed benchmark and the speed test.
 */
import type { Twin } from '../emulator/server.js';

/** Counts of what a polled day did. */
export interface PollingResult {
  requests: number;
  failures: number;
}

/**
 * Logs in, then for each round advances the twin one virtual step and makes the tick's requests:
 * campaigns by id, queue observations, queue and campaign aggregates over the last 15 minutes, and
 * a PATCH of maxCallsPerAgent.
 */
export async function pollLikeTheController(twin: Twin, rounds: number, stepMs = 60_000): Promise<PollingResult> {
  const tokenAnswer = await fetch(`${twin.baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { Authorization: `Basic ${Buffer.from(`${twin.clientId}:${twin.clientSecret}`).toString('base64')}` },
    body: 'grant_type=client_credentials',
  });
  const { access_token: token } = (await tokenAnswer.json()) as { access_token: string };
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  const call = async (path: string, method = 'GET', body?: unknown): Promise<boolean> => {
    const res = await fetch(`${twin.baseUrl}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    await res.arrayBuffer();
    return res.ok;
  };
  const { campaigns, queues } = twin.ids;
  const byId = (dimension: string, ids: string[]) => ids.map((value) => ({ type: 'dimension', dimension, operator: 'matches', value }));
  let requests = 0;
  let failures = 0;
  for (let round = 1; round <= rounds; round++) {
    twin.advanceTo(round * stepMs);
    const end = new Date(twin.nowEpochMs()).toISOString();
    const start = new Date(twin.nowEpochMs() - 15 * 60_000).toISOString();
    const results = await Promise.all([
      call(`/api/v2/outbound/campaigns?${campaigns.map((id) => `id=${id}`).join('&')}`),
      call('/api/v2/analytics/queues/observations/query', 'POST', { filter: { type: 'or', predicates: byId('queueId', queues) }, metrics: ['oWaiting', 'oOnQueueUsers', 'oInteracting'] }),
      call('/api/v2/analytics/conversations/aggregates/query', 'POST', {
        interval: `${start}/${end}`,
        groupBy: ['queueId'],
        filter: { type: 'and', predicates: byId('mediaType', ['voice']), clauses: [{ type: 'or', predicates: byId('queueId', queues) }] },
        metrics: ['nOffered', 'tAnswered', 'tAbandon'],
        views: [{ target: 'tAnswered', name: 'answeredWithin20000', function: 'rangeBound', range: { lt: 20_000 } }],
      }),
      call('/api/v2/analytics/conversations/aggregates/query', 'POST', {
        interval: `${start}/${end}`,
        groupBy: ['outboundCampaignId'],
        filter: { type: 'or', predicates: byId('outboundCampaignId', campaigns) },
        metrics: ['nOutboundAttempted', 'nOutboundConnected', 'nOutboundAbandoned'],
      }),
      ...campaigns.map((id) => call(`/api/v2/outbound/campaigns/${id}`, 'PATCH', { maxCallsPerAgent: 1.5 + (round % 3) * 0.5 })),
    ]);
    requests += results.length;
    failures += results.filter((ok) => !ok).length;
  }
  return { requests, failures };
}
