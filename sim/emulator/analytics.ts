/**
 * Analytics and routing reads: the queue observations query, the conversation aggregates query and
 * GET /api/v2/routing/queues/{id}, all computed from the simulation at the current virtual time.
 */
import type { AnalyticsFact, LoggedMetric } from '../model/analytics-log.js';
import type { ContactCentreSimulation } from '../model/simulation.js';
import { badRequest, notFound } from './errors.js';
import { isoAt, positiveInt } from './outbound.js';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ------------------------------------------------------------------ routing queue

/** GET /api/v2/routing/queues/{id} (Queue model, with the call service-level settings). */
export function getQueue(sim: ContactCentreSimulation, queueId: string): Json {
  const spec = sim.queueSpec(queueId);
  if (!spec) throw notFound(`The queue ${queueId} was not found.`);
  const obs = sim.observeQueue(queueId)!;
  return {
    id: spec.id,
    name: spec.name,
    division: { id: '5d1e4f3c-0000-4000-8000-00000000d001', name: 'Home', selfUri: '/api/v2/authorization/divisions/5d1e4f3c-0000-4000-8000-00000000d001' },
    dateCreated: isoAt(sim, -86_400_000),
    dateModified: isoAt(sim, -86_400_000),
    memberCount: obs.memberUsers,
    userMemberCount: obs.memberUsers,
    joinedMemberCount: obs.memberUsers,
    mediaSettings: {
      call: {
        enableAutoAnswer: false,
        alertingTimeoutSeconds: 8,
        serviceLevel: { percentage: spec.serviceLevel.percentage, durationMs: spec.serviceLevel.durationMs },
        autoAnswerAlertToneSeconds: 0,
        manualAnswerAlertToneSeconds: 0,
      },
    },
    routingRules: [],
    acwSettings: { wrapupPrompt: 'MANDATORY_TIMEOUT', timeoutMs: 60_000 },
    skillEvaluationMethod: 'ALL',
    memberGroups: [],
    autoAnswerOnly: false,
    enableTranscription: false,
    enableAudioMonitoring: false,
    enableManualAssignment: false,
    suppressInQueueCallRecording: true,
    selfUri: `/api/v2/routing/queues/${spec.id}`,
  };
}

/** GET /api/v2/routing/queues: a QueueEntityListing of every queue, `name` a prefix filter, paged like Genesys. */
export function listQueues(sim: ContactCentreSimulation, query: URLSearchParams): Json {
  const pageSize = Math.min(500, positiveInt(query.get('pageSize'), 25, 'pageSize'));
  const pageNumber = positiveInt(query.get('pageNumber'), 1, 'pageNumber');
  const name = query.get('name')?.toLowerCase();
  const ids = sim.ids.queues.filter((id) => !name || sim.queueSpec(id)!.name.toLowerCase().startsWith(name));
  const pageCount = Math.max(1, Math.ceil(ids.length / pageSize));
  const uri = (n: number) => `/api/v2/routing/queues?pageSize=${pageSize}&pageNumber=${n}`;
  return {
    entities: ids.slice((pageNumber - 1) * pageSize, pageNumber * pageSize).map((id) => getQueue(sim, id)),
    pageSize,
    pageNumber,
    total: ids.length,
    firstUri: uri(1),
    selfUri: uri(pageNumber),
    ...(pageNumber < pageCount ? { nextUri: uri(pageNumber + 1) } : {}),
    lastUri: uri(pageCount),
    pageCount,
  };
}

// ------------------------------------------------------------------ filters shared by both queries

interface Predicate {
  dimension: string;
  operator: 'matches' | 'exists' | 'notExists';
  value: string | undefined;
}
/**
 * Predicates joined by and/or, with the `matches` ones gathered into a set of values per dimension:
 * a filter of a hundred campaign ids is then one set lookup per fact, not a hundred comparisons.
 */
interface PredicateGroup {
  type: 'and' | 'or';
  matches: Map<string, Set<string>>;
  others: Predicate[];
}
interface Filter extends PredicateGroup {
  clauses: PredicateGroup[];
}

function group(type: 'and' | 'or', predicates: readonly Predicate[]): PredicateGroup {
  const matches = new Map<string, Set<string>>();
  const others: Predicate[] = [];
  for (const p of predicates) {
    if (p.operator === 'matches') matches.set(p.dimension, (matches.get(p.dimension) ?? new Set()).add(p.value!));
    else others.push(p);
  }
  return { type, matches, others };
}

function parseFilter(raw: unknown, allowedDimensions: ReadonlySet<string>): Filter {
  if (!isObject(raw)) throw badRequest('filter must be an object with type "and" or "or".', 'filter');
  const type = filterType(raw.type, 'filter.type');
  const predicates = parsePredicates(raw.predicates ?? [], allowedDimensions, 'filter.predicates');
  if (raw.clauses !== undefined && !Array.isArray(raw.clauses)) throw badRequest('filter.clauses must be an array.', 'filter.clauses');
  const clauses = ((raw.clauses as unknown[] | undefined) ?? []).map((c, i) => {
    if (!isObject(c)) throw badRequest(`filter.clauses[${i}] must be an object.`, 'filter.clauses');
    return { type: filterType(c.type, `filter.clauses[${i}].type`), predicates: parsePredicates(c.predicates, allowedDimensions, `filter.clauses[${i}].predicates`) };
  });
  if (predicates.length === 0 && clauses.length === 0) throw badRequest('filter needs at least one predicate or clause.', 'filter');
  return { ...group(type, predicates), clauses: clauses.map((c) => group(c.type, c.predicates)) };
}

function filterType(v: unknown, field: string): 'and' | 'or' {
  if (v !== 'and' && v !== 'or') throw badRequest(`${field} must be "and" or "or".`, field);
  return v;
}

function parsePredicates(raw: unknown, allowed: ReadonlySet<string>, field: string): Predicate[] {
  if (!Array.isArray(raw)) throw badRequest(`${field} must be an array.`, field);
  return raw.map((p, i) => {
    if (!isObject(p)) throw badRequest(`${field}[${i}] must be an object.`, field);
    if (p.type !== undefined && p.type !== 'dimension') throw badRequest(`${field}[${i}]: the twin supports dimension predicates only.`, field);
    if (typeof p.dimension !== 'string' || !allowed.has(p.dimension)) {
      throw badRequest(`${field}[${i}].dimension must be one of ${[...allowed].join(', ')} (the dimensions the twin simulates).`, field);
    }
    const operator = p.operator ?? 'matches';
    if (operator !== 'matches' && operator !== 'exists' && operator !== 'notExists') throw badRequest(`${field}[${i}].operator must be matches, exists or notExists.`, field);
    if (operator === 'matches' && typeof p.value !== 'string') throw badRequest(`${field}[${i}].value is required with operator matches.`, field);
    return { dimension: p.dimension, operator, value: typeof p.value === 'string' ? p.value : undefined };
  });
}

// Plain functions and loops, not arrays of results or closures per call: the aggregates query
// evaluates the filter once per fact in the interval, hundreds of thousands of times.
function evaluate(filter: Filter, dimension: (name: string) => string | undefined): boolean {
  if (filter.type === 'and') {
    if (!holds(filter, dimension)) return false;
    for (const c of filter.clauses) if (!holds(c, dimension)) return false;
    return true;
  }
  if (holds(filter, dimension)) return true;
  for (const c of filter.clauses) if (holds(c, dimension)) return true;
  return false;
}

/** All (and) or any (or) of the group's predicates; an empty group is true for and, false for or. */
function holds(g: PredicateGroup, dimension: (name: string) => string | undefined): boolean {
  const all = g.type === 'and';
  for (const [name, values] of g.matches) {
    const v = dimension(name);
    // Under and, every value of the dimension must match: two different values never both do.
    const matched = v !== undefined && values.has(v) && (!all || values.size === 1);
    if (matched !== all) return !all;
  }
  for (const p of g.others) if (matchesPredicate(p, dimension) !== all) return !all;
  return all;
}

function matchesPredicate(p: Predicate, dimension: (name: string) => string | undefined): boolean {
  const v = dimension(p.dimension);
  if (p.operator === 'exists') return v !== undefined;
  if (p.operator === 'notExists') return v === undefined;
  return v === p.value;
}

// ------------------------------------------------------------------ queue observations

const OBSERVATION_METRICS = new Set([
  'oActiveUsers',
  'oAlerting',
  'oInteracting',
  'oLongestInteracting',
  'oLongestWaiting',
  'oMemberUsers',
  'oOffQueueUsers',
  'oOnQueueUsers',
  'oUserPresences',
  'oUserRoutingStatuses',
  'oWaiting',
]);
/** Organization presence ids the twin reports for the system presences it uses. */
const PRESENCE_IDS = { ON_QUEUE: 'e08eaf1b-ee47-4fa9-a231-1200e284798f', OFFLINE: 'ccf3c10a-aa2c-4845-8e8d-f59fa48c58e5' };

/**
 * POST /api/v2/analytics/queues/observations/query. User metrics come grouped by queueId,
 * conversation metrics by queueId + mediaType voice. Zero-count qualifier rows are left out.
 */
export function queueObservations(sim: ContactCentreSimulation, body: unknown): Json {
  if (!isObject(body)) throw badRequest('The body must be a QueueObservationQuery object.');
  if (!Array.isArray(body.metrics) || body.metrics.length === 0) throw badRequest('metrics is required.', 'metrics');
  for (const m of body.metrics) if (typeof m !== 'string' || !OBSERVATION_METRICS.has(m)) throw badRequest(`Unknown observation metric ${String(m)}.`, 'metrics');
  const metrics = new Set(body.metrics as string[]);
  const filter = parseFilter(body.filter, new Set(['queueId', 'mediaType']));
  const queueIds = [...new Set([filter, ...filter.clauses].flatMap((g) => [...(g.matches.get('queueId') ?? [])]))];
  if (queueIds.length === 0) throw badRequest('filter must name at least one queueId.', 'filter');
  const results: Json[] = [];
  for (const queueId of queueIds) {
    const obs = sim.observeQueue(queueId);
    if (!obs) continue;
    const userData: Json[] = [];
    const count = (metric: string, n: number, qualifier?: string) => {
      if (qualifier !== undefined && n === 0) return;
      userData.push({ metric, ...(qualifier !== undefined ? { qualifier } : {}), stats: { count: n } });
    };
    if (metrics.has('oActiveUsers')) count('oActiveUsers', obs.activeUsers);
    if (metrics.has('oMemberUsers')) count('oMemberUsers', obs.memberUsers);
    if (metrics.has('oOffQueueUsers')) count('oOffQueueUsers', obs.offQueueUsers);
    if (metrics.has('oOnQueueUsers')) {
      count('oOnQueueUsers', obs.idleUsers, 'IDLE');
      count('oOnQueueUsers', obs.interactingUsers, 'INTERACTING');
    }
    if (metrics.has('oUserRoutingStatuses')) {
      count('oUserRoutingStatuses', obs.idleUsers, 'IDLE');
      count('oUserRoutingStatuses', obs.interactingUsers, 'INTERACTING');
      count('oUserRoutingStatuses', obs.offQueueUsers, 'OFF_QUEUE');
    }
    if (metrics.has('oUserPresences')) {
      count('oUserPresences', obs.activeUsers, PRESENCE_IDS.ON_QUEUE);
      count('oUserPresences', obs.offQueueUsers, PRESENCE_IDS.OFFLINE);
    }
    if (userData.length) results.push({ group: { queueId }, data: userData });
    const voiceWanted = evaluate(filter, (d) => (d === 'queueId' ? queueId : 'voice'));
    const callData: Json[] = [];
    if (voiceWanted) {
      if (metrics.has('oWaiting')) callData.push({ metric: 'oWaiting', stats: { count: obs.waiting } });
      if (metrics.has('oInteracting')) callData.push({ metric: 'oInteracting', stats: { count: obs.interactingCalls } });
      // Calls go straight from queue to talking in the twin: nothing is ever alerting.
      if (metrics.has('oAlerting')) callData.push({ metric: 'oAlerting', stats: { count: 0 } });
      if (metrics.has('oLongestWaiting') && obs.longestWaitingMs !== undefined) {
        callData.push({ metric: 'oLongestWaiting', stats: { count: obs.waiting, calculatedMetricValue: Math.round(obs.longestWaitingMs) } });
      }
      if (metrics.has('oLongestInteracting') && obs.longestInteractingMs !== undefined) {
        callData.push({ metric: 'oLongestInteracting', stats: { count: obs.interactingCalls, calculatedMetricValue: Math.round(obs.longestInteractingMs) } });
      }
    }
    if (callData.length) results.push({ group: { queueId, mediaType: 'voice' }, data: callData });
  }
  return {
    systemToOrganizationMappings: { ON_QUEUE: [PRESENCE_IDS.ON_QUEUE], OFFLINE: [PRESENCE_IDS.OFFLINE] },
    results,
  };
}

// ------------------------------------------------------------------ conversation aggregates

const TIMER_METRICS = new Set<LoggedMetric>(['tAnswered', 'tAbandon', 'tShortAbandon', 'tWait', 'tTalk', 'tAcw', 'tHandle']);
const COUNT_METRICS = new Set<LoggedMetric>(['nOffered', 'nOverSla', 'nOutboundAttempted', 'nOutboundConnected', 'nOutboundAbandoned']);
const DERIVED_METRICS = new Set(['oServiceLevel', 'oServiceTarget']);
const AGGREGATE_DIMENSIONS = ['queueId', 'outboundCampaignId', 'mediaType', 'direction', 'originatingDirection'] as const;
const DIMENSIONS: ReadonlySet<string> = new Set(AGGREGATE_DIMENSIONS);
const MAX_BUCKETS = 10_080;

function factDimension(f: AnalyticsFact, name: string): string | undefined {
  switch (name) {
    case 'queueId':
      return f.queueId;
    case 'outboundCampaignId':
      return f.outboundCampaignId;
    case 'mediaType':
      return f.mediaType;
    case 'direction':
    case 'originatingDirection':
      return f.direction;
    default:
      return undefined;
  }
}

/** Parses an ISO-8601 duration such as PT15M, PT1H, P1D into ms. */
export function parseIsoDuration(s: string): number | undefined {
  const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(s);
  if (!m || s === 'P' || s.endsWith('T')) return undefined;
  const [, w, d, h, min, sec] = m;
  return ((Number(w ?? 0) * 7 + Number(d ?? 0)) * 24 * 3600 + Number(h ?? 0) * 3600 + Number(min ?? 0) * 60 + Number(sec ?? 0)) * 1000;
}

interface View {
  name: string;
  target: LoggedMetric;
  gte: number;
  lt: number;
}

/**
 * POST /api/v2/analytics/conversations/aggregates/query. Facts count in the bucket where they
 * happened; the bucket holding "now" is partial. Metrics without data are omitted, and a query that
 * matches nothing answers `{}` as Genesys does.
 */
export function conversationAggregates(sim: ContactCentreSimulation, body: unknown): Json {
  if (!isObject(body)) throw badRequest('The body must be a ConversationAggregationQuery object.');
  const [start, end] = parseInterval(sim, body.interval);
  const granularityMs = body.granularity === undefined ? end - start : parseGranularity(body.granularity);
  if (Math.ceil((end - start) / granularityMs) > MAX_BUCKETS) throw badRequest(`The interval holds more than ${MAX_BUCKETS} buckets of this granularity.`, 'granularity');
  if (!Array.isArray(body.metrics) || body.metrics.length === 0) throw badRequest('metrics is required.', 'metrics');
  const metrics = body.metrics.map((m, i) => {
    if (typeof m !== 'string' || !(TIMER_METRICS.has(m as LoggedMetric) || COUNT_METRICS.has(m as LoggedMetric) || DERIVED_METRICS.has(m))) {
      throw badRequest(`metrics[${i}] ${String(m)} is not a metric the twin computes (${[...COUNT_METRICS, ...TIMER_METRICS, ...DERIVED_METRICS].join(', ')}).`, 'metrics');
    }
    return m;
  });
  const groupBy = (body.groupBy ?? []) as unknown[];
  if (!Array.isArray(groupBy)) throw badRequest('groupBy must be an array.', 'groupBy');
  for (const g of groupBy) if (typeof g !== 'string' || !DIMENSIONS.has(g)) throw badRequest(`groupBy ${String(g)} is not one of ${[...DIMENSIONS].join(', ')}.`, 'groupBy');
  const filter = body.filter === undefined ? undefined : parseFilter(body.filter, DIMENSIONS);
  const views = parseViews(body.views);

  // Buckets only reach up to now: the future has no facts, and the current bucket is partial.
  const facts = sim.analytics.facts;
  const last = Math.min(end, sim.now + 1);
  const groups = new Map<string, { group: Record<string, string>; buckets: Map<number, AnalyticsFact[]> }>();
  for (let i = sim.analytics.firstIndexAtOrAfter(start); i < facts.length; i++) {
    const f = facts[i]!;
    if (f.t >= last) break;
    if (filter && !evaluate(filter, (d) => factDimension(f, d))) continue;
    const group: Record<string, string> = {};
    for (const g of groupBy as string[]) {
      const v = factDimension(f, g);
      if (v !== undefined) group[g] = v;
    }
    const key = JSON.stringify(group);
    let entry = groups.get(key);
    if (!entry) groups.set(key, (entry = { group, buckets: new Map() }));
    const bucket = Math.floor((f.t - start) / granularityMs);
    let list = entry.buckets.get(bucket);
    if (!list) entry.buckets.set(bucket, (list = []));
    list.push(f);
  }

  const results: Json[] = [];
  for (const { group, buckets } of groups.values()) {
    const data: Json[] = [];
    for (const bucket of [...buckets.keys()].sort((a, b) => a - b)) {
      const from = start + bucket * granularityMs;
      const to = Math.min(end, from + granularityMs);
      const bucketFacts = buckets.get(bucket)!;
      const metricData = metrics.flatMap((m) => metricStats(sim, m, bucketFacts));
      const viewData = views.flatMap((v) => viewStats(v, bucketFacts));
      if (metricData.length === 0 && viewData.length === 0) continue;
      data.push({ interval: `${isoAt(sim, from)}/${isoAt(sim, to)}`, metrics: metricData, ...(viewData.length ? { views: viewData } : {}) });
    }
    if (data.length) results.push({ group, data });
  }
  return results.length ? { results } : {};
}

function parseInterval(sim: ContactCentreSimulation, raw: unknown): [number, number] {
  if (typeof raw !== 'string') throw badRequest('interval is required, as "start/end" ISO-8601 instants.', 'interval');
  const [a, b] = raw.split('/');
  const startMs = a ? Date.parse(a) : NaN;
  let endMs = b ? Date.parse(b) : NaN;
  if (b && Number.isNaN(endMs) && b.startsWith('P')) {
    const d = parseIsoDuration(b);
    if (d !== undefined) endMs = startMs + d;
  }
  if (Number.isNaN(startMs) || Number.isNaN(endMs) || endMs <= startMs) {
    throw badRequest(`interval ${raw} must be "start/end" ISO-8601 instants with end after start.`, 'interval');
  }
  return [startMs - sim.startEpochMs, endMs - sim.startEpochMs];
}

function parseGranularity(raw: unknown): number {
  const ms = typeof raw === 'string' ? parseIsoDuration(raw) : undefined;
  if (ms === undefined || ms < 60_000) throw badRequest(`granularity ${String(raw)} must be an ISO-8601 period of at least PT1M, e.g. PT15M or P1D.`, 'granularity');
  return ms;
}

function parseViews(raw: unknown): View[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw badRequest('views must be an array.', 'views');
  const names = new Set<string>();
  return raw.map((v, i) => {
    if (!isObject(v) || v.function !== 'rangeBound') throw badRequest(`views[${i}].function must be rangeBound.`, 'views');
    if (typeof v.name !== 'string' || v.name === '' || names.has(v.name)) throw badRequest(`views[${i}].name must be a unique non-empty string.`, 'views');
    if (typeof v.target !== 'string' || !TIMER_METRICS.has(v.target as LoggedMetric)) {
      throw badRequest(`views[${i}].target must be a timer metric the twin computes (${[...TIMER_METRICS].join(', ')}).`, 'views');
    }
    const range = isObject(v.range) ? v.range : {};
    const gte = range.gte === undefined ? -Infinity : Number(range.gte);
    const lt = range.lt === undefined ? Infinity : Number(range.lt);
    if (Number.isNaN(gte) || Number.isNaN(lt)) throw badRequest(`views[${i}].range gte/lt must be numbers (ms).`, 'views');
    names.add(v.name);
    return { name: v.name, target: v.target as LoggedMetric, gte, lt };
  });
}

function metricStats(sim: ContactCentreSimulation, metric: string, facts: readonly AnalyticsFact[]): Json[] {
  if (metric === 'oServiceLevel' || metric === 'oServiceTarget') return serviceLevelStats(sim, metric, facts);
  let count = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const f of facts) {
    if (f.metric !== metric) continue;
    count++;
    sum += f.value;
    if (f.value < min) min = f.value;
    if (f.value > max) max = f.value;
  }
  if (count === 0) return [];
  if (COUNT_METRICS.has(metric as LoggedMetric)) return [{ metric, stats: { count } }];
  return [{ metric, stats: { max: Math.round(max), min: Math.round(min), count, sum: Math.round(sum) } }];
}

/**
 * Service level: answered within the queue's threshold over answered plus abandoned, short
 * abandons excluded [unverified: Genesys lets queues choose]. The target is reported only when the
 * bucket's facts all come from one queue (each queue has its own target).
 */
function serviceLevelStats(sim: ContactCentreSimulation, metric: string, facts: readonly AnalyticsFact[]): Json[] {
  let numerator = 0;
  let answered = 0;
  let abandoned = 0;
  let short = 0;
  const queues = new Set<string>();
  for (const f of facts) {
    if (f.metric === 'tAnswered') {
      answered++;
      if (f.value <= sim.queueSpec(f.queueId)!.serviceLevel.durationMs) numerator++;
    } else if (f.metric === 'tAbandon') abandoned++;
    else if (f.metric === 'tShortAbandon') short++;
    else continue;
    queues.add(f.queueId);
  }
  const target = queues.size === 1 ? sim.queueSpec([...queues][0]!)!.serviceLevel.percentage : undefined;
  if (metric === 'oServiceTarget') return target === undefined ? [] : [{ metric, stats: { target } }];
  const denominator = answered + abandoned - short;
  if (denominator <= 0) return [];
  return [{ metric, stats: { ratio: numerator / denominator, numerator, denominator, ...(target !== undefined ? { target } : {}) } }];
}

function viewStats(view: View, facts: readonly AnalyticsFact[]): Json[] {
  let present = false;
  let count = 0;
  for (const f of facts) {
    if (f.metric !== view.target) continue;
    present = true;
    if (f.value >= view.gte && f.value < view.lt) count++;
  }
  return present ? [{ name: view.name, stats: { count } }] : [];
}
