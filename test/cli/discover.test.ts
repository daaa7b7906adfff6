/** `npm run discover` as a real process against the twin: listing, a starting configuration, errors. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPacingConfigFile } from '../../lambda/config/config.js';
import { startTwin, type Twin } from '../../sim/emulator/server.js';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'pacing-discover-'));
let twin: Twin;
let env: Record<string, string>;

beforeAll(async () => {
  twin = await startTwin({ scenario: 'sim/scenarios/blended-surge.json', seed: 1 });
  env = { GENESYS_CLIENT_ID: twin.clientId, GENESYS_CLIENT_SECRET: twin.clientSecret, GENESYS_BASE_URL: twin.baseUrl, GENESYS_REGION: '' };
});
afterAll(async () => twin?.close());

describe('npm run discover', () => {
  it('lists the campaigns with their knobs and the queues with their members', async () => {
    // Act
    const r = await runCli('lambda/cli/discover.ts', [], { env });

    // Assess
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/5d1e4f3c-0000-4000-8000-00000000c001 +Collections Predictive +predictive +on +Outbound Coll/);
    expect(r.stdout).toMatch(/Collections Predictive +3 +[\d.]+ +\d+\n/);
    expect(r.stdout).toMatch(/5d1e4f3c-0000-4000-8000-00000000a002 +Inbound Service +26/);
    expect(r.stdout.split('\n').every((l) => l.length <= 100)).toBe(true);
    expect(twin.requestLog.some((e) => e.method === 'GET' && e.path === '/api/v2/routing/queues' && e.status === 200)).toBe(true);
  });

  it('writes a starting configuration for the campaigns chosen by name, every one in dry run', async () => {
    // Prepare
    const file = join(dir, 'my.pacing.json');

    // Act
    const r = await runCli('lambda/cli/discover.ts', ['--write', file, '--campaigns', 'collections predictive', '--rule', 'uk'], { env });

    // Assess
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"Collections Predictive" has abandonRate 3, outside its starting bounds [0.5, 2]');
    const config = loadPacingConfigFile(file);
    expect(config.genesys.apiBaseUrl).toBe(twin.baseUrl);
    expect(config.campaigns).toHaveLength(1);
    expect(config.campaigns[0]).toMatchObject({ campaignId: '5d1e4f3c-0000-4000-8000-00000000c001', dryRun: true, knob: { name: 'abandonRate', max: 2 } });
    expect(JSON.parse(readFileSync(file, 'utf8')).defaults).toEqual({ dryRun: true });
    expect(config.campaigns[0]!.compliance.amdFalsePositiveRate).toBe(0.005);
    // Under the UK rule the compliance loop caps the predictive dialer's calls per agent.
    expect(config.campaigns[0]!.compliance.knob).toMatchObject({ name: 'maxCallsPerAgent', min: 1, max: 3 });
  });

  it("says so when a knob the compliance loop moves is outside its starting bounds", async () => {
    // Prepare: the same centre, its predictive campaign at 4 calls per agent
    const scenario = JSON.parse(readFileSync('sim/scenarios/blended-surge.json', 'utf8'));
    const scenarioFile = join(dir, 'four-calls-per-agent.json');
    writeFileSync(scenarioFile, JSON.stringify({ ...scenario, campaigns: [{ ...scenario.campaigns[0], maxCallsPerAgent: 4 }] }));
    const four = await startTwin({ scenario: scenarioFile, seed: 1 });
    try {
      // Act
      const r = await runCli('lambda/cli/discover.ts', ['--write', join(dir, 'four.json'), '--campaigns', 'collections predictive', '--rule', 'uk'], {
        env: { GENESYS_CLIENT_ID: four.clientId, GENESYS_CLIENT_SECRET: four.clientSecret, GENESYS_BASE_URL: four.baseUrl, GENESYS_REGION: '' },
      });

      // Assess
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('"Collections Predictive" has maxCallsPerAgent 4, outside its starting bounds [1, 3]');
    } finally {
      await four.close();
    }
  });

  it("counts the detector's measured false positives under the UK rule", async () => {
    // Prepare
    const file = join(dir, 'uk-amd.pacing.json');

    // Act
    const r = await runCli('lambda/cli/discover.ts', ['--write', file, '--campaigns', 'collections predictive', '--rule', 'uk', '--amd-false-positive-rate', '0.012'], { env });
    const us = await runCli('lambda/cli/discover.ts', ['--write', join(dir, 'us-amd.json'), '--campaigns', 'collections predictive', '--amd-false-positive-rate', '0.012'], { env });
    const percent = await runCli('lambda/cli/discover.ts', ['--rule', 'uk', '--amd-false-positive-rate', '1.2'], { env });

    // Assess
    expect(r.code).toBe(0);
    expect(loadPacingConfigFile(file).campaigns[0]!.compliance).toMatchObject({ window: { type: 'rolling' }, amdFalsePositiveRate: 0.012 });
    expect(us.stderr).toBe('npm run discover: --amd-false-positive-rate counts only under the UK rule: add --rule uk, or leave it out\n');
    expect(existsSync(join(dir, 'us-amd.json'))).toBe(false);
    expect(percent.code).not.toBe(0);
    expect(percent.stderr).toMatch(/--amd-false-positive-rate.*must be a share from 0 to 0\.5 \(0\.005 for 0\.5%\)/);
  });

  it('marks an agentless campaign of 40 agents dedicated and rising on a full service level, and says to delete both marks where its agents also answer an inbound queue; not one whose queue another campaign feeds', async () => {
    // Prepare: a twin of the agentless centre, and one where a second agentless campaign feeds the same queue
    const scenario = JSON.parse(readFileSync('sim/scenarios/agentless.json', 'utf8'));
    const second = { ...scenario.campaigns[0], id: '5d1e4f3c-0000-4000-8000-00000000c002', name: 'Renewals Agentless' };
    const sharedFile = join(dir, 'agentless-shared.json');
    writeFileSync(sharedFile, JSON.stringify({ ...scenario, campaigns: [...scenario.campaigns, second] }));
    const alone = await startTwin({ scenario: 'sim/scenarios/agentless.json', seed: 1 });
    const shared = await startTwin({ scenario: sharedFile, seed: 1 });
    const envOf = (t: Twin) => ({ GENESYS_CLIENT_ID: t.clientId, GENESYS_CLIENT_SECRET: t.clientSecret, GENESYS_BASE_URL: t.baseUrl, GENESYS_REGION: '' });
    try {
      // Act
      const r = await runCli('lambda/cli/discover.ts', ['--write', join(dir, 'alone.json'), '--campaigns', 'reminders agentless', '--agents', '40'], { env: envOf(alone) });
      const s = await runCli('lambda/cli/discover.ts', ['--write', join(dir, 'shared.json'), '--campaigns', 'reminders agentless', '--agents', '40'], { env: envOf(shared) });

      // Assess
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Note: "Reminders Agentless" is marked "dedicatedAgents": true and "fullServiceLevelRise": true, its agents taking no calls but its transfers; if they also answer an inbound queue, delete both marks.');
      expect(loadPacingConfigFile(join(dir, 'alone.json')).campaigns[0]!.objective).toMatchObject({ kind: 'queueServiceLevel', dedicatedAgents: true, fullServiceLevelRise: true });
      expect(s.code).toBe(0);
      expect(s.stdout).toContain('Note: "Reminders Agentless" is not marked "dedicatedAgents": its queue also takes the calls of "Renewals Agentless".');
      const sharedObjective = loadPacingConfigFile(join(dir, 'shared.json')).campaigns[0]!.objective;
      expect(sharedObjective).not.toHaveProperty('dedicatedAgents');
      expect(sharedObjective).not.toHaveProperty('fullServiceLevelRise');
    } finally {
      await Promise.all([alone.close(), shared.close()]);
    }
  });

  it('names what is missing or wrong, and how to fix it', async () => {
    // Act
    const noClient = await runCli('lambda/cli/discover.ts', [], { env: { ...env, GENESYS_CLIENT_ID: '' } });
    const unknown = await runCli('lambda/cli/discover.ts', ['--write', join(dir, 'x.json'), '--campaigns', 'Sales'], { env });
    const noList = await runCli('lambda/cli/discover.ts', ['--write', join(dir, 'y.json')], { env });
    const refused = await runCli('lambda/cli/discover.ts', [], { env: { ...env, GENESYS_CLIENT_SECRET: 'wrong' } });

    // Assess
    expect(noClient.stderr).toBe('npm run discover: no OAuth client: set GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET, or give --secret-name <the deployed secret>\n');
    expect(unknown.stderr).toBe('npm run discover: --campaigns: no campaign with id or name "Sales"; the org has "Collections Predictive"\n');
    expect(existsSync(join(dir, 'x.json'))).toBe(false);
    expect(noList.stderr).toMatch(/^npm run discover: --write needs --campaigns <ids or names>/);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^npm run discover failed: .*refused the OAuth client credentials \(HTTP 401/);
    expect(refused.stderr).not.toContain('wrong');
  });
});
