/**
 * Scenario files: every shipped one validates, and a bad one fails with the field's path and a fix.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile, parseScenario, ScenarioError } from '../../sim/model/scenario.js';

const dir = new URL('../../sim/scenarios/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
const defaultScenario = () => JSON.parse(readFileSync(new URL('blended-surge.json', dir), 'utf8')) as Record<string, any>;

function errorOf(input: unknown): string {
  try {
    parseScenario(input, 'test.json');
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    return (err as Error).message;
  }
  throw new Error('expected the scenario to be rejected');
}

describe('shipped scenarios', () => {
  it('include the seven the team relies on, and the two centres nobody tuned for (issue 14)', () => {
    // Assess
    expect(files.sort()).toEqual(
      ['agentless', 'agents-leave', 'blended-150', 'blended-surge', 'connect-rate-jump', 'handle-time-drift', 'long-talk', 'small-team', 'steady-blended'].map((n) => `${n}.json`),
    );
  });

  it.each(files)('%s validates, with the fixed twin credentials', (file) => {
    // Act
    const scenario = loadScenarioFile(new URL(file, dir).pathname);

    // Assess
    expect(scenario.auth).toMatchObject({ clientId: 'twin-client', clientSecret: 'twin-secret' });
    expect(scenario.campaigns.map((c) => c.id)).toEqual(['5d1e4f3c-0000-4000-8000-00000000c001']);
  });
});

describe('bad scenarios', () => {
  it('name a probability written as a percentage', () => {
    // Prepare
    const s = defaultScenario();
    s.campaigns[0].dialOutcomes.liveAnswer = 25;

    // Act
    const message = errorOf(s);

    // Assess
    expect(message).toContain('campaigns[0].dialOutcomes.liveAnswer');
    expect(message).toContain('write 0.25 for 25%');
  });

  it('name an unknown field and say to remove it', () => {
    // Prepare
    const s = defaultScenario();
    s.campaigns[0].pacing = 1.2;

    // Act
    const message = errorOf(s);

    // Assess
    expect(message).toContain('campaigns[0]: unknown field(s) "pacing"');
  });

  it('name a queue reference that does not exist and list the ones that do', () => {
    // Prepare
    const s = defaultScenario();
    s.campaigns[0].queueId = '5d1e4f3c-0000-4000-8000-0000000000ff';

    // Act
    const message = errorOf(s);

    // Assess
    expect(message).toContain('campaigns[0].queueId: queue 5d1e4f3c-0000-4000-8000-0000000000ff is not in "queues"');
    expect(message).toContain('5d1e4f3c-0000-4000-8000-00000000a001');
  });

  it('reject a no-answer timeout below the 15 s legal minimum and a schedule not starting at 00:00', () => {
    // Prepare
    const s = defaultScenario();
    s.campaigns[0].noAnswerTimeout = 10;
    s.queues[1].inbound.arrivalsPerHour = [{ at: '01:00', value: 90 }];

    // Act
    const message = errorOf(s);

    // Assess
    expect(message).toContain('campaigns[0].noAnswerTimeout: must be at least 15 s');
    expect(message).toContain('queues[1].inbound.arrivalsPerHour');
    expect(message).toContain('"00:00"');
  });

  it('reject maxCallsPerAgent above the Genesys cap of 15', () => {
    // Prepare
    const s = defaultScenario();
    s.campaigns[0].maxCallsPerAgent = 20;

    // Act
    const message = errorOf(s);

    // Assess
    expect(message).toContain('campaigns[0].maxCallsPerAgent: Genesys caps maxCallsPerAgent at 15');
  });
});
