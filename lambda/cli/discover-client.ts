/**
 * The two org-wide listings `npm run discover` needs and the controller never reads: every
 * outbound campaign and every routing queue, page by page, with the project's TokenProvider and ky.
 */
import ky, { type KyInstance } from 'ky';
import * as z from 'zod/mini';
import type { TokenProvider } from '../genesys/index.js';

/** A campaign as discover lists it: what a configuration needs and the knobs' current values. */
export interface DiscoveredCampaign {
  id: string;
  name: string;
  dialingMode: string;
  campaignStatus: string;
  queueId?: string;
  queueName?: string;
  abandonRate?: number;
  maxCallsPerAgent?: number;
  outboundLineCount?: number;
}

/** A routing queue and its member count (the agents a campaign on it paces for). */
export interface DiscoveredQueue {
  id: string;
  name: string;
  memberCount?: number;
}

/** A listing Genesys refused or answered with something else; the message says what to fix. */
export class DiscoverError extends Error {
  override readonly name = 'DiscoverError';
}

const PAGE_SIZE = 100;
/** More pages than any org has: a server that never ends its listing must not loop forever. */
const MAX_PAGES = 1_000;

const ref = z.object({ id: z.string(), name: z.optional(z.string()) });
const campaignSchema = z.object({
  id: z.string(),
  name: z.string(),
  dialingMode: z.optional(z.string()),
  campaignStatus: z.optional(z.string()),
  queue: z.optional(ref),
  abandonRate: z.optional(z.number()),
  maxCallsPerAgent: z.optional(z.number()),
  maxCallsPerAgentDecimal: z.optional(z.number()),
  outboundLineCount: z.optional(z.number()),
});
const queueSchema = z.object({ id: z.string(), name: z.string(), memberCount: z.optional(z.number()) });
const listing = <T extends z.ZodMiniType>(entity: T) => z.object({ entities: z.optional(z.array(entity)), pageCount: z.optional(z.number()) });

/** The permission each listing needs, for 403 messages. */
const PERMISSION = { '/api/v2/outbound/campaigns': 'outbound:campaign:view', '/api/v2/routing/queues': 'routing:queue:view' } as const;

export class DiscoverClient {
  readonly #http: KyInstance;

  constructor(apiBaseUrl: string, tokens: TokenProvider, fetchImpl?: typeof fetch) {
    this.#http = ky.create({
      prefixUrl: apiBaseUrl,
      timeout: 15_000,
      throwHttpErrors: false,
      retry: { limit: 3, methods: ['get'], statusCodes: [429, 502, 503, 504] },
      ...(fetchImpl ? { fetch: fetchImpl } : {}),
      hooks: { beforeRequest: [async (request) => request.headers.set('Authorization', `Bearer ${await tokens.getToken()}`)] },
    });
  }

  /** Every outbound campaign of the org (GET /api/v2/outbound/campaigns, no filter). */
  async campaigns(): Promise<DiscoveredCampaign[]> {
    const entities = await this.#all('/api/v2/outbound/campaigns', campaignSchema);
    return entities.map((c) => ({
      id: c.id,
      name: c.name,
      dialingMode: c.dialingMode ?? 'unknown',
      campaignStatus: c.campaignStatus ?? 'unknown',
      ...(c.queue ? { queueId: c.queue.id, ...(c.queue.name ? { queueName: c.queue.name } : {}) } : {}),
      ...(c.abandonRate === undefined ? {} : { abandonRate: c.abandonRate }),
      ...((c.maxCallsPerAgentDecimal ?? c.maxCallsPerAgent) === undefined ? {} : { maxCallsPerAgent: c.maxCallsPerAgentDecimal ?? c.maxCallsPerAgent }),
      ...(c.outboundLineCount === undefined ? {} : { outboundLineCount: c.outboundLineCount }),
    }));
  }

  /** Every routing queue of the org (GET /api/v2/routing/queues). */
  async queues(): Promise<DiscoveredQueue[]> {
    return this.#all('/api/v2/routing/queues', queueSchema);
  }

  async #all<T extends z.ZodMiniType>(path: keyof typeof PERMISSION, entity: T): Promise<Array<z.infer<T>>> {
    const all: Array<z.infer<T>> = [];
    for (let page = 1; page <= MAX_PAGES; page += 1) {
      const response = await this.#http.get(path.slice(1), { searchParams: { pageSize: PAGE_SIZE, pageNumber: page } });
      if (response.status === 401) throw new DiscoverError(`GET ${path}: 401, the OAuth client was refused: check its client id and secret (GENESYS_CLIENT_ID, GENESYS_CLIENT_SECRET or the secret's value)`);
      if (response.status === 403) throw new DiscoverError(`GET ${path}: 403, the OAuth client's role lacks ${PERMISSION[path]}: add it (and the campaigns' divisions) to the role`);
      if (!response.ok) throw new DiscoverError(`GET ${path}: Genesys answered ${response.status} ${(await response.text()).slice(0, 200)}`);
      const parsed = listing(entity).safeParse(await response.json().catch(() => undefined));
      if (!parsed.success) throw new DiscoverError(`GET ${path}: the answer is not a ${path.endsWith('queues') ? 'QueueEntityListing' : 'CampaignEntityListing'}: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? ''}`);
      all.push(...((parsed.data.entities ?? []) as Array<z.infer<T>>));
      if (page >= (parsed.data.pageCount ?? 1)) return all;
    }
    throw new DiscoverError(`GET ${path}: more than ${MAX_PAGES} pages of ${PAGE_SIZE}; the listing never ended`);
  }
}
