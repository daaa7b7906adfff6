/**
 * `npm run discover -- [--base-url <url> | --region <host>] [--secret-name <name>] [--write <file> --campaigns <ids or names>] [--agents <n>] [--rule us|uk]`
 *
 * Lists the org's outbound campaigns (id, name, dialing mode, status, knob values, queue) and
 * routing queues, and with --write makes a starting pacing.config.json for the chosen campaigns by
 * the starting configuration rule (lambda/config/starting-config.ts), every campaign in dry run.
 * The OAuth client comes from the secret (--secret-name; region from your AWS configuration) or
 * from GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET.
 */
import { defineCommand, integerOption, runCommand, shareOption, UsageError } from './command.js';
import { existsSync, writeFileSync } from 'node:fs';
import { Option } from 'commander';
import { GENESYS_REGION_HOSTS } from '../config/schema.js';
import { movedKnobs, startingCampaignConfig, type ComplianceRule, type PacedDialingMode } from '../config/starting-config.js';
import { readGenesysCredentials, type GenesysCredentials } from '../credentials.js';
import { TokenProvider } from '../genesys/index.js';
import { fit, TABLE_WIDTH } from './decisions-table.js';
import { DiscoverClient, type DiscoveredCampaign, type DiscoveredQueue } from './discover-client.js';
import { formatTable } from './text-table.js';

interface DiscoverOptions {
  baseUrl?: string;
  region?: string;
  secretName?: string;
  write?: string;
  campaigns?: string;
  agents?: number;
  rule: ComplianceRule;
  amdFalsePositiveRate?: number;
  force?: boolean;
}

const PACED_MODES: readonly string[] = ['predictive', 'power', 'progressive', 'agentless'] satisfies PacedDialingMode[];
const DEFAULT_SECRET = 'genesys-pacing/oauth-client';

const command = defineCommand({
  name: 'npm run discover',
  summary:
    "Lists your org's outbound campaigns and queues; with --write, makes a starting pacing configuration for the chosen campaigns (every one in dry run). " +
    'The OAuth client comes from --secret-name (AWS Secrets Manager) or GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET; the org from --region or --base-url.',
  examples: [
    'GENESYS_CLIENT_ID=... GENESYS_CLIENT_SECRET=... npm run discover -- --region mypurecloud.ie',
    'npm run discover -- --region mypurecloud.ie --secret-name genesys-pacing/oauth-client --write pacing.config.json --campaigns "Collections,Sales" --rule uk',
    'GENESYS_CLIENT_ID=twin-client GENESYS_CLIENT_SECRET=twin-secret npm run discover -- --base-url http://127.0.0.1:8787 --write my.pacing.json --campaigns "Collections Predictive"',
  ],
})
  .option('--region <host>', "your org's region host, e.g. mypurecloud.ie (default GENESYS_REGION)", process.env.GENESYS_REGION)
  .option('--base-url <url>', 'a local twin, http://127.0.0.1:<port> (default GENESYS_BASE_URL)', process.env.GENESYS_BASE_URL)
  .option('--secret-name <name>', 'read the OAuth client from this Secrets Manager secret (else GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET)')
  .option('--write <file>', 'write a starting pacing configuration for the --campaigns chosen')
  .option('--campaigns <list>', 'comma-separated campaign ids or names for --write')
  .option('--agents <n>', "agents on each chosen campaign's queue (default: the queue's member count)", integerOption(1, 100_000, '--agents 25'))
  .addOption(new Option('--rule <rule>', 'abandonment rule: us (3% over 30 days) or uk (3% over any 24 hours)').choices(['us', 'uk']).default('us'))
  .option(
    '--amd-false-positive-rate <share>',
    'with --rule uk: the share of live answers your answering-machine detector hangs up on, as you measured it (default 0.005)',
    shareOption(0.5, '--amd-false-positive-rate 0.012'),
  )
  .option('--force', 'overwrite the --write file if it exists');

/** Where the org is: a region's login and API hosts, or one local base URL. */
function orgOf(options: DiscoverOptions): { apiBaseUrl: string; loginBaseUrl: string; genesys: { region: string } | { localBaseUrl: string } } {
  if (options.baseUrl && options.region) throw new UsageError('give --region or --base-url (GENESYS_REGION or GENESYS_BASE_URL), not both');
  if (options.baseUrl) {
    if (!/^http:\/\/(127\.0\.0\.1|localhost)(:\d{1,5})?$/.test(options.baseUrl)) throw new UsageError(`--base-url ${options.baseUrl}: must be a local twin, http://127.0.0.1:<port>; a real org is given by --region`);
    return { apiBaseUrl: options.baseUrl, loginBaseUrl: options.baseUrl, genesys: { localBaseUrl: options.baseUrl } };
  }
  if (!options.region) throw new UsageError(`no org: give --region (or GENESYS_REGION), one of ${GENESYS_REGION_HOSTS.join(', ')}; or --base-url for the twin`);
  if (!(GENESYS_REGION_HOSTS as readonly string[]).includes(options.region)) throw new UsageError(`--region ${options.region}: must be one of ${GENESYS_REGION_HOSTS.join(', ')}`);
  return { apiBaseUrl: `https://api.${options.region}`, loginBaseUrl: `https://login.${options.region}`, genesys: { region: options.region } };
}

function credentialsOf(options: DiscoverOptions): () => Promise<GenesysCredentials> {
  if (options.secretName) return () => readGenesysCredentials(options.secretName!);
  const { GENESYS_CLIENT_ID: clientId, GENESYS_CLIENT_SECRET: clientSecret } = process.env;
  if (!clientId || !clientSecret) throw new UsageError('no OAuth client: set GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET, or give --secret-name <the deployed secret>');
  return () => Promise.resolve({ clientId, clientSecret });
}

const value = (v: number | undefined) => (v === undefined ? '-' : String(v));

function printListing(campaigns: readonly DiscoveredCampaign[], queues: readonly DiscoveredQueue[]): void {
  const campaignRows = campaigns.map((c) => [c.id, fit(c.name, 22), c.dialingMode, c.campaignStatus, fit(c.queueName ?? c.queueId ?? '-', 14)]);
  const knobRows = campaigns.map((c) => [fit(c.name, 40), value(c.abandonRate), value(c.maxCallsPerAgent), value(c.outboundLineCount)]);
  const queueRows = queues.map((q) => [q.id, fit(q.name, 40), value(q.memberCount)]);
  const lines = [
    `Campaigns (${campaigns.length})`,
    ...formatTable(['id', 'name', 'mode', 'status', 'queue'], campaignRows).split('\n'),
    '',
    'Their knobs now',
    ...formatTable(['campaign', 'abandonRate %', 'maxCallsPerAgent', 'outboundLineCount'], knobRows, ['left', 'right', 'right', 'right']).split('\n'),
    '',
    `Queues (${queues.length})`,
    ...formatTable(['id', 'name', 'members'], queueRows, ['left', 'left', 'right']).split('\n'),
  ];
  console.log(lines.map((l) => fit(l, TABLE_WIDTH)).join('\n'));
}

/** The campaigns a --campaigns list names, by id or (case-insensitive) name. */
function chosen(list: string, campaigns: readonly DiscoveredCampaign[]): DiscoveredCampaign[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((key) => {
      const found = campaigns.find((c) => c.id === key) ?? campaigns.find((c) => c.name.toLowerCase() === key.toLowerCase());
      if (!found) throw new UsageError(`--campaigns: no campaign with id or name "${key}"; the org has ${campaigns.map((c) => `"${c.name}"`).join(', ') || 'no campaigns'}`);
      return found;
    });
}

/**
 * The starting configuration of the chosen campaigns, by the rule. An agentless campaign is marked
 * `dedicatedAgents` (and from 20 agents `fullServiceLevelRise`; discover cannot see whether its
 * agents answer an inbound queue, so it says so), unless another of the org's campaigns feeds the
 * same queue.
 */
function startingConfig(picked: readonly DiscoveredCampaign[], all: readonly DiscoveredCampaign[], queues: readonly DiscoveredQueue[], options: DiscoverOptions, genesys: object): object {
  const campaigns = picked.map((c) => {
    if (!PACED_MODES.includes(c.dialingMode)) throw new UsageError(`campaign "${c.name}" dials in ${c.dialingMode} mode: the controller paces ${PACED_MODES.join(', ')} campaigns; leave it out of --campaigns`);
    if (!c.queueId) throw new UsageError(`campaign "${c.name}" has no queue: give it one in Genesys, or leave it out of --campaigns`);
    const agents = options.agents ?? queues.find((q) => q.id === c.queueId)?.memberCount;
    if (!agents) throw new UsageError(`campaign "${c.name}": its queue ${c.queueName ?? c.queueId} reports no members; give the team size with --agents <n>`);
    const amd = options.amdFalsePositiveRate === undefined ? {} : { amdFalsePositiveRate: options.amdFalsePositiveRate };
    const entry = startingCampaignConfig({ campaignId: c.id, name: c.name, dialingMode: c.dialingMode as PacedDialingMode, queueId: c.queueId, agents, complianceRule: options.rule, ...amd });
    // Every knob the entry moves: the campaign's, and the compliance loop's own (UK predictive: calls per agent).
    for (const knob of movedKnobs(entry)) {
      const now = c[knob.name];
      if (now !== undefined && (now < knob.min || now > knob.max)) {
        console.log(`Note: "${c.name}" has ${knob.name} ${now}, outside its starting bounds [${knob.min}, ${knob.max}]: set it inside them in Genesys before the controller takes over, or it is left alone (knob-outside-bounds).`);
      }
    }
    if (entry.objective?.kind === 'queueServiceLevel') {
      // The rise on a full service level rests on the mark: both go where the queue is shared.
      const { dedicatedAgents, fullServiceLevelRise, ...unmarked } = entry.objective;
      const sharing = all.filter((o) => o.id !== c.id && o.queueId === c.queueId).map((o) => `"${o.name}"`);
      if (dedicatedAgents && sharing.length) {
        console.log(`Note: "${c.name}" is not marked "dedicatedAgents": its queue also takes the calls of ${sharing.join(', ')}.`);
        return { ...entry, objective: unmarked };
      }
      if (dedicatedAgents) {
        const rise = fullServiceLevelRise ? ' and "fullServiceLevelRise": true' : '';
        console.log(`Note: "${c.name}" is marked "dedicatedAgents": true${rise}, its agents taking no calls but its transfers; if they also answer an inbound queue, delete ${rise ? 'both marks' : 'the mark'}.`);
      }
    }
    return entry;
  });
  return { genesys, secretName: options.secretName ?? DEFAULT_SECRET, defaults: { dryRun: true }, campaigns };
}

async function main(options: DiscoverOptions): Promise<void> {
  if (options.write && !options.campaigns) throw new UsageError('--write needs --campaigns <ids or names>: list the campaigns to configure, e.g. --campaigns "Collections,Sales"');
  if (options.amdFalsePositiveRate !== undefined && options.rule !== 'uk') throw new UsageError('--amd-false-positive-rate counts only under the UK rule: add --rule uk, or leave it out');
  if (options.campaigns && !options.write) throw new UsageError('--campaigns chooses campaigns for --write <file>: add --write pacing.config.json');
  if (options.write && existsSync(options.write) && !options.force) throw new UsageError(`--write ${options.write}: the file exists; choose another name or add --force to overwrite it`);
  const org = orgOf(options);
  const tokens = new TokenProvider({ loginBaseUrl: org.loginBaseUrl, credentials: credentialsOf(options) });
  const client = new DiscoverClient(org.apiBaseUrl, tokens);
  const [campaigns, queues] = await Promise.all([client.campaigns(), client.queues()]);
  printListing(campaigns, queues);
  if (options.write) {
    const config = startingConfig(chosen(options.campaigns!, campaigns), campaigns, queues, options, org.genesys);
    writeFileSync(options.write, `${JSON.stringify(config, null, 2)}\n`);
    console.log(`\nWrote ${options.write}: every campaign in dry run. Try it: npm run try -- --config ${options.write}`);
  }
}

await runCommand(command, main);
