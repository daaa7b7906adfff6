/**
 * The Outbound API surface: campaigns (list, get, PUT, PATCH), campaign stats and the batched
 * performance query, rendered from the simulation's campaign records.
 */
import type { CampaignChange, CampaignSettings, ContactCentreSimulation, DialingMode } from '../model/simulation.js';
import { ApiError, badRequest, notFound } from './errors.js';
import { storedValue, type KnobStorage } from './knob-storage.js';

/** Fixed references a real campaign carries; the twin has one of each. */
const DIVISION = { id: '5d1e4f3c-0000-4000-8000-00000000d001', name: 'Home', selfUri: '/api/v2/authorization/divisions/5d1e4f3c-0000-4000-8000-00000000d001' };
const SCRIPT = { id: '476c2b71-7429-11e4-9a5b-3f91746bffa3', name: 'Default Outbound Script', selfUri: '/api/v2/scripts/476c2b71-7429-11e4-9a5b-3f91746bffa3' };
const SITE = { id: '5d1e4f3c-0000-4000-8000-00000000e001', name: 'PureCloud Voice - AWS', selfUri: '/api/v2/telephony/providers/edges/sites/5d1e4f3c-0000-4000-8000-00000000e001' };
const CALL_ANALYSIS = {
  id: '5d1e4f3c-0000-4000-8000-00000000b001',
  name: 'Live voice to queue',
  selfUri: '/api/v2/outbound/callanalysisresponsesets/5d1e4f3c-0000-4000-8000-00000000b001',
};
/** Campaigns in the twin were created the day before the simulated one. */
const CREATED_BEFORE_START_MS = 86_400_000;

const SIMULATED_MODES: ReadonlySet<string> = new Set(['agentless', 'power', 'predictive', 'progressive']);

/** Converts virtual ms to the ISO instant it stands for. */
export function isoAt(sim: ContactCentreSimulation, virtualMs: number): string {
  return new Date(sim.startEpochMs + virtualMs).toISOString();
}

function queueRef(sim: ContactCentreSimulation, queueId: string) {
  return { id: queueId, name: sim.queueSpec(queueId)?.name ?? queueId, selfUri: `/api/v2/routing/queues/${queueId}` };
}

/** A campaign as GET /api/v2/outbound/campaigns/{id} returns it (Campaign model). */
export function renderCampaign(sim: ContactCentreSimulation, s: CampaignSettings): Record<string, unknown> {
  const agentless = s.dialingMode === 'agentless';
  return {
    id: s.id,
    name: s.name,
    dateCreated: isoAt(sim, -CREATED_BEFORE_START_MS),
    dateModified: isoAt(sim, s.modifiedAt),
    version: s.version,
    contactList: { id: s.contactList.id, name: s.contactList.name ?? s.contactList.id, selfUri: `/api/v2/outbound/contactlists/${s.contactList.id}` },
    queue: queueRef(sim, s.queueId),
    dialingMode: s.dialingMode,
    ...(agentless ? {} : { script: SCRIPT }),
    site: SITE,
    campaignStatus: s.campaignStatus,
    phoneColumns: s.phoneColumns,
    abandonRate: s.abandonRate,
    dncLists: [],
    callAnalysisResponseSet: CALL_ANALYSIS,
    errors: [],
    callerName: s.callerName,
    callerAddress: s.callerAddress,
    outboundLineCount: s.outboundLineCount,
    ruleSets: [],
    skipPreviewDisabled: false,
    previewTimeOutSeconds: 0,
    alwaysRunning: false,
    noAnswerTimeout: s.noAnswerTimeout,
    callAnalysisLanguage: 'en-US',
    priority: s.priority,
    contactListFilters: [],
    division: DIVISION,
    // The integer field truncates the decimal one [unverified: Genesys may round].
    maxCallsPerAgent: Math.floor(s.maxCallsPerAgent),
    maxCallsPerAgentDecimal: s.maxCallsPerAgent,
    callbackAutoAnswer: false,
    dynamicLineBalancingSettings: { ...s.dynamicLineBalancing },
    selfUri: `/api/v2/outbound/campaigns/${s.id}`,
  };
}

function campaignOr404(sim: ContactCentreSimulation, id: string): CampaignSettings {
  const c = sim.campaign(id);
  if (!c) throw notFound(`The campaign ${id} was not found.`);
  return c;
}

/** GET /api/v2/outbound/campaigns: CampaignEntityListing, filtered by repeated `id` and `name` prefix. */
export function listCampaigns(sim: ContactCentreSimulation, query: URLSearchParams): Record<string, unknown> {
  const ids = [...query.getAll('id'), ...query.getAll('id[]')];
  const name = query.get('name');
  const pageSize = Math.min(100, positiveInt(query.get('pageSize'), 25, 'pageSize'));
  const pageNumber = positiveInt(query.get('pageNumber'), 1, 'pageNumber');
  const matching = sim
    .campaigns()
    .filter((c) => ids.length === 0 || ids.includes(c.id))
    .filter((c) => !name || c.name.toLowerCase().startsWith(name.toLowerCase()));
  const pageCount = Math.max(1, Math.ceil(matching.length / pageSize));
  const page = matching.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
  const uri = (n: number) => `/api/v2/outbound/campaigns?pageSize=${pageSize}&pageNumber=${n}`;
  return {
    entities: page.map((c) => renderCampaign(sim, c)),
    pageSize,
    pageNumber,
    total: matching.length,
    firstUri: uri(1),
    selfUri: uri(pageNumber),
    ...(pageNumber > 1 ? { previousUri: uri(pageNumber - 1) } : {}),
    ...(pageNumber < pageCount ? { nextUri: uri(pageNumber + 1) } : {}),
    lastUri: uri(pageCount),
    pageCount,
  };
}

/** A paging parameter: absent gives `fallback`; anything but a positive integer is a 400 naming it. */
export function positiveInt(raw: string | null, fallback: number, name: string): number {
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw badRequest(`${name} must be a positive integer`, name);
  return n;
}

/** GET /api/v2/outbound/campaigns/{id}. */
export function getCampaign(sim: ContactCentreSimulation, id: string): Record<string, unknown> {
  return renderCampaign(sim, campaignOr404(sim, id));
}

const PATCH_FIELDS = new Set(['outboundLineCount', 'abandonRate', 'maxCallsPerAgent', 'dynamicLineBalancingSettings', 'queue']);

/**
 * PATCH /api/v2/outbound/campaigns/{id} with a CampaignPatchRequest: only its five fields, range
 * checked; applies at once and bumps the version. Genesys's SDK documents no answer body: the
 * caller answers 204, or (twin option) 200 with the returned campaign.
 * @param storage how an accepted knob value is stored (rounded, clamped); as sent by default
 * @returns the campaign as stored
 */
export function patchCampaign(sim: ContactCentreSimulation, id: string, body: unknown, storage: KnobStorage = {}): Record<string, unknown> {
  campaignOr404(sim, id);
  if (!isObject(body)) throw badRequest('The request body must be a CampaignPatchRequest JSON object.');
  const unknown = Object.keys(body).filter((k) => !PATCH_FIELDS.has(k));
  if (unknown.length) {
    throw new ApiError(
      400,
      'bad.request',
      `Unrecognized field(s) ${unknown.map((k) => `"${k}"`).join(', ')}; CampaignPatchRequest accepts ${[...PATCH_FIELDS].join(', ')}.`,
      unknown.map((fieldName) => ({ errorCode: 'unrecognized.field', fieldName })),
    );
  }
  const change: CampaignChange = {};
  if ('outboundLineCount' in body) change.outboundLineCount = storedValue(storage, 'outboundLineCount', lineCount(body.outboundLineCount, sim));
  if ('abandonRate' in body) change.abandonRate = storedValue(storage, 'abandonRate', abandonRate(body.abandonRate));
  if ('maxCallsPerAgent' in body) change.maxCallsPerAgent = storedValue(storage, 'maxCallsPerAgent', callsPerAgent(body.maxCallsPerAgent, sim));
  if ('dynamicLineBalancingSettings' in body) change.dynamicLineBalancing = lineBalancing(body.dynamicLineBalancingSettings, campaignOr404(sim, id));
  if ('queue' in body) change.queueId = queueId(body.queue, sim);
  return renderCampaign(sim, sim.updateCampaign(id, change));
}

/**
 * PUT /api/v2/outbound/campaigns/{id}: full replace. The body's version must be the current one
 * (409 otherwise) and its campaignStatus a legal transition from the current status.
 * @param useDecimal the `useMaxCallsPerAgentDecimal` query flag: take maxCallsPerAgentDecimal
 */
export function putCampaign(sim: ContactCentreSimulation, id: string, body: unknown, useDecimal: boolean): Record<string, unknown> {
  const current = campaignOr404(sim, id);
  if (!isObject(body)) throw badRequest('The request body must be a Campaign JSON object.');
  for (const field of ['name', 'contactList', 'dialingMode', 'phoneColumns', 'callerName', 'callerAddress', 'version', 'campaignStatus']) {
    if (body[field] === undefined || body[field] === null) throw badRequest(`The field ${field} is required.`, field);
  }
  if (body.version !== current.version) {
    throw new ApiError(409, 'conflict', `The campaign version ${String(body.version)} does not match the current version ${current.version}.`, [
      { errorCode: 'version.mismatch', fieldName: 'version' },
    ]);
  }
  const change: CampaignChange = {};
  change.name = requireString(body.name, 'name');
  change.callerName = requireString(body.callerName, 'callerName');
  change.callerAddress = requireString(body.callerAddress, 'callerAddress');
  if (typeof body.dialingMode !== 'string' || !SIMULATED_MODES.has(body.dialingMode)) {
    throw badRequest(`dialingMode ${String(body.dialingMode)} is not supported by the twin (agentless, power, predictive, progressive).`, 'dialingMode');
  }
  change.dialingMode = body.dialingMode as DialingMode;
  change.campaignStatus = statusTransition(current.campaignStatus, body.campaignStatus);
  if (!isObject(body.contactList) || typeof body.contactList.id !== 'string') throw badRequest('contactList.id is required.', 'contactList');
  change.contactList = { id: body.contactList.id, name: typeof body.contactList.name === 'string' ? body.contactList.name : undefined };
  if (!Array.isArray(body.phoneColumns) || body.phoneColumns.length === 0) throw badRequest('phoneColumns must list at least one column.', 'phoneColumns');
  change.phoneColumns = body.phoneColumns.map((p: unknown) => {
    if (!isObject(p) || typeof p.columnName !== 'string' || typeof p.type !== 'string') throw badRequest('Each phone column needs columnName and type.', 'phoneColumns');
    return { columnName: p.columnName, type: p.type };
  });
  if (body.queue !== undefined) change.queueId = queueId(body.queue, sim);
  else if (change.dialingMode !== 'agentless') throw badRequest('queue is required for all dialing modes except agentless.', 'queue');
  if (body.abandonRate !== undefined) change.abandonRate = abandonRate(body.abandonRate);
  else if (change.dialingMode === 'power' || change.dialingMode === 'predictive') throw badRequest('abandonRate is required for power and predictive campaigns.', 'abandonRate');
  const mcpa = useDecimal && body.maxCallsPerAgentDecimal !== undefined ? body.maxCallsPerAgentDecimal : body.maxCallsPerAgent;
  if (mcpa !== undefined) {
    if (!useDecimal && !Number.isInteger(mcpa)) throw badRequest('maxCallsPerAgent must be an integer unless useMaxCallsPerAgentDecimal=true.', 'maxCallsPerAgent');
    change.maxCallsPerAgent = callsPerAgent(mcpa, sim);
  }
  if (body.outboundLineCount !== undefined) change.outboundLineCount = lineCount(body.outboundLineCount, sim);
  if (body.noAnswerTimeout !== undefined) {
    if (!Number.isInteger(body.noAnswerTimeout) || (body.noAnswerTimeout as number) < 15) throw badRequest('noAnswerTimeout must be an integer of at least 15 seconds.', 'noAnswerTimeout');
    change.noAnswerTimeout = body.noAnswerTimeout as number;
  }
  if (body.priority !== undefined) {
    if (!Number.isInteger(body.priority) || (body.priority as number) < 1 || (body.priority as number) > 10) throw badRequest('priority must be an integer from 1 to 10.', 'priority');
    change.priority = body.priority as number;
  }
  if (body.dynamicLineBalancingSettings !== undefined) change.dynamicLineBalancing = lineBalancing(body.dynamicLineBalancingSettings, current);
  return renderCampaign(sim, sim.updateCampaign(id, change));
}

/**
 * Legal campaignStatus changes through PUT: keep the current one, or turn on/off. Turning off a
 * campaign with calls in flight makes it "stopping" (the model does that).
 */
function statusTransition(current: string, requested: unknown): 'on' | 'off' | 'stopping' {
  if (requested === current && (current === 'on' || current === 'off' || current === 'stopping')) return current;
  if ((requested === 'on' && current === 'off') || (requested === 'off' && (current === 'on' || current === 'stopping'))) return requested;
  throw badRequest(`Invalid transition from campaignStatus ${current} to ${String(requested)}.`, 'campaignStatus');
}

function lineCount(v: unknown, sim: ContactCentreSimulation): number {
  const max = sim.scenario.organization.totalOutboundLines;
  if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > max) throw badRequest(`outboundLineCount must be an integer from 0 to ${max}.`, 'outboundLineCount');
  return v as number;
}

function abandonRate(v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 100) throw badRequest('abandonRate must be a percentage from 0 to 100.', 'abandonRate');
  return v;
}

function callsPerAgent(v: unknown, sim: ContactCentreSimulation): number {
  const max = sim.scenario.organization.maxConfigurableCallsPerAgent;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 1 || v > max) {
    throw badRequest(`maxCallsPerAgent must be from 1 to ${max} (the organization maxConfigurableCallsPerAgent).`, 'maxCallsPerAgent');
  }
  return v;
}

function lineBalancing(v: unknown, current: CampaignSettings): CampaignSettings['dynamicLineBalancing'] {
  if (!isObject(v)) throw badRequest('dynamicLineBalancingSettings must be an object.', 'dynamicLineBalancingSettings');
  const extra = Object.keys(v).filter((k) => k !== 'enabled' && k !== 'relativeWeight');
  if (extra.length) throw badRequest(`Unrecognized field(s) in dynamicLineBalancingSettings: ${extra.join(', ')}.`, 'dynamicLineBalancingSettings');
  const next = { ...current.dynamicLineBalancing };
  if (v.enabled !== undefined) {
    if (typeof v.enabled !== 'boolean') throw badRequest('dynamicLineBalancingSettings.enabled must be a boolean.', 'dynamicLineBalancingSettings.enabled');
    next.enabled = v.enabled;
  }
  if (v.relativeWeight !== undefined) {
    if (!Number.isInteger(v.relativeWeight) || (v.relativeWeight as number) < 0 || (v.relativeWeight as number) > 100) {
      throw badRequest('dynamicLineBalancingSettings.relativeWeight must be an integer from 0 to 100.', 'dynamicLineBalancingSettings.relativeWeight');
    }
    next.relativeWeight = v.relativeWeight as number;
  }
  return next;
}

function queueId(v: unknown, sim: ContactCentreSimulation): string {
  if (!isObject(v) || typeof v.id !== 'string') throw badRequest('queue must be an object with an id.', 'queue');
  if (!sim.queueSpec(v.id)) throw badRequest(`The queue ${v.id} does not exist.`, 'queue');
  return v.id;
}

function requireString(v: unknown, field: string): string {
  if (typeof v !== 'string' || v.length === 0) throw badRequest(`${field} must be a non-empty string.`, field);
  return v;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** GET /api/v2/outbound/campaigns/{id}/stats (CampaignStats). */
export function campaignStats(sim: ContactCentreSimulation, id: string): Record<string, unknown> {
  campaignOr404(sim, id);
  const s = sim.campaignStats(id)!;
  return {
    contactRate: { attempts: s.attempts, connects: s.connects, connectRatio: s.attempts ? s.connects / s.attempts : 0 },
    idleAgents: s.idleAgents,
    effectiveIdleAgents: round(s.effectiveIdleAgents, 2),
    adjustedCallsPerAgent: round(s.adjustedCallsPerAgent, 2),
    outstandingCalls: s.outstandingCalls,
    scheduledCalls: 0,
    timeZoneRescheduledCalls: 0,
    rightPartyContactsCount: s.rightPartyContacts,
    validAttempts: s.validAttempts,
    linesUtilization: { assignedOutboundLines: s.assignedLines, totalAvailableOutboundLines: sim.scenario.organization.totalOutboundLines },
  };
}

/** POST /api/v2/outbound/campaigns/performance/query: up to 50 ids; unknown ids are left out. */
export function campaignPerformance(sim: ContactCentreSimulation, body: unknown): Record<string, unknown> {
  if (!Array.isArray(body) || body.some((x) => typeof x !== 'string')) throw badRequest('The body must be a JSON array of campaign ids.');
  if (body.length > 50) throw badRequest('Maximum of 50 campaign ids allowed.');
  const entities = (body as string[]).flatMap((id) => {
    const c = sim.campaign(id);
    if (!c) return [];
    const s = sim.campaignStats(id)!;
    return [
      {
        campaign: { id: c.id, name: c.name, selfUri: `/api/v2/outbound/campaigns/${c.id}` },
        division: { id: DIVISION.id, selfUri: DIVISION.selfUri },
        contactRate: { connectRatio: s.attempts ? s.connects / s.attempts : 0 },
        idleAgents: s.idleAgents,
        effectiveIdleAgents: round(s.effectiveIdleAgents, 2),
        adjustedCallsPerAgent: round(s.adjustedCallsPerAgent, 2),
        outstandingCalls: s.outstandingCalls,
        scheduledCalls: 0,
        rightPartyContactsCount: s.rightPartyContacts,
        campaignStatus: c.campaignStatus,
        dialingMode: c.dialingMode,
        // The twin's contact lists never run out.
        progress: { percentage: 0 },
        linesUtilization: { assignedOutboundLines: s.assignedLines, totalAvailableOutboundLines: sim.scenario.organization.totalOutboundLines },
      },
    ];
  });
  return { entities };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/**
 * GET /api/v2/outbound/settings: the organisation's limits, from the scenario's `organization`
 * (Genesys's defaults unless it says otherwise).
 */
export function outboundSettings(sim: ContactCentreSimulation): Record<string, unknown> {
  const org = sim.scenario.organization;
  return {
    id: '5d1e4f3c-0000-4000-8000-00000000f001',
    name: 'Outbound Settings',
    dateCreated: isoAt(sim, -CREATED_BEFORE_START_MS),
    dateModified: isoAt(sim, -CREATED_BEFORE_START_MS),
    version: 1,
    // The integer field truncates the decimal one, as on campaigns [unverified: Genesys may round].
    maxCallsPerAgent: Math.floor(org.maxCallsPerAgent),
    maxCallsPerAgentDecimal: org.maxCallsPerAgent,
    maxConfigurableCallsPerAgent: org.maxConfigurableCallsPerAgent,
    maxLineUtilization: org.maxLineUtilization,
    abandonSeconds: org.abandonSeconds,
    // Reported as configured; the twin itself counts abandons over every live answer (the FCC/FTC denominator).
    complianceAbandonRateDenominator: org.complianceAbandonRateDenominator,
    selfUri: '/api/v2/outbound/settings',
  };
}

/**
 * GET /api/v2/outbound/campaigns/{id}/linedistribution: the site's line capacity and how the
 * campaigns share it. Campaigns with dynamic line balancing are listed as dynamically allocated
 * (their current outboundLineCount as the assignment), the others as reserving their lines.
 */
export function lineDistribution(sim: ContactCentreSimulation, id: string, query: URLSearchParams): Record<string, unknown> {
  const campaign = campaignOr404(sim, id);
  const onlyActive = query.get('includeOnlyActiveCampaigns') !== 'false';
  const total = sim.scenario.organization.totalOutboundLines;
  const campaigns = sim.campaigns().filter((c) => !onlyActive || c.campaignStatus === 'on' || c.id === campaign.id);
  const ref = (c: CampaignSettings) => ({ id: c.id, name: c.name, selfUri: `/api/v2/outbound/campaigns/${c.id}` });
  const reserving = campaigns.filter((c) => !c.dynamicLineBalancing.enabled);
  const dynamic = campaigns.filter((c) => c.dynamicLineBalancing.enabled);
  const reservedLines = reserving.reduce((s, c) => s + c.outboundLineCount, 0);
  return {
    campaign: { id: campaign.id, selfUri: `/api/v2/outbound/campaigns/${campaign.id}` },
    maxOutboundLineCount: total,
    maxLineUtilization: 1,
    availableOutboundLines: Math.max(0, total - reservedLines),
    reservedLines,
    campaignsWithReservedLines: reserving.map((c) => ({ campaign: ref(c), linesReserved: c.outboundLineCount })),
    campaignsWithDynamicallyAllocatedLines: dynamic.map((c) => ({
      campaign: ref(c),
      campaignWeight: c.dynamicLineBalancing.relativeWeight,
      linesAssigned: c.outboundLineCount,
      legacyWeight: false,
    })),
  };
}
