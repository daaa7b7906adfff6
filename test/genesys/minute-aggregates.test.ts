/**
 * The per-minute outbound aggregates: the query asks for PT1M buckets, the answer is read minute by
 * minute, and a bucket without a readable interval is refused by field.
 */
import { describe, expect, it } from 'vitest';
import { campaignAggregatesQuery, mapCampaignMinuteAggregates } from '../../lambda/genesys/analytics.js';
import { ResponseShapeError } from '../../lambda/genesys/responses.js';

const C1 = '5d1e4f3c-0000-4000-8000-00000000c001';
const C2 = '5d1e4f3c-0000-4000-8000-00000000c002';
const bucket = (start: string, end: string, connected: number, abandoned: number) => ({
  interval: `${start}/${end}`,
  metrics: [
    { metric: 'nOutboundConnected', stats: { count: connected } },
    { metric: 'nOutboundAbandoned', stats: { count: abandoned } },
  ],
});

describe('outbound aggregates by minute', () => {
  it('asks for PT1M buckets only when told to', () => {
    // Prepare
    const interval = { start: new Date('2026-11-24T09:30:00Z'), end: new Date('2026-11-24T10:00:00Z') };
    // Act / Assess
    expect(campaignAggregatesQuery([C1], interval, 'PT1M')).toMatchObject({ granularity: 'PT1M', interval: '2026-11-24T09:30:00.000Z/2026-11-24T10:00:00.000Z' });
    expect(campaignAggregatesQuery([C1], interval)).not.toHaveProperty('granularity');
  });

  it("reads each campaign's minutes, summing groups of one campaign, and gives an empty series to a campaign with no calls", () => {
    // Prepare: two groups of C1 (media types), one minute shared
    const body = {
      results: [
        { group: { outboundCampaignId: C1, mediaType: 'voice' }, data: [bucket('2026-11-24T09:58:00.000Z', '2026-11-24T09:59:00.000Z', 10, 1), bucket('2026-11-24T09:59:00.000Z', '2026-11-24T10:00:00.000Z', 8, 0)] },
        { group: { outboundCampaignId: C1 }, data: [bucket('2026-11-24T09:59:00.000Z', '2026-11-24T10:00:00.000Z', 2, 1)] },
      ],
    };
    // Act
    const read = mapCampaignMinuteAggregates(body, [C1, C2]);
    // Assess
    expect(read.get(C1)!.minutes).toEqual(
      new Map([
        [Date.parse('2026-11-24T09:58:00Z'), { attempted: 0, connected: 10, abandoned: 1 }],
        [Date.parse('2026-11-24T09:59:00Z'), { attempted: 0, connected: 10, abandoned: 1 }],
      ]),
    );
    expect(read.get(C2)!.minutes.size).toBe(0);
  });

  it('refuses a bucket whose interval cannot be read, naming the field', () => {
    // Prepare
    const body = { results: [{ group: { outboundCampaignId: C1 }, data: [{ interval: 'yesterday', metrics: [] }] }] };
    // Act / Assess
    expect(() => mapCampaignMinuteAggregates(body, [C1])).toThrow(ResponseShapeError);
    expect(() => mapCampaignMinuteAggregates(body, [C1])).toThrow(/results\[0\]\.data\[0\]\.interval/);
  });
});
