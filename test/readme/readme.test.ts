/**
 * The README states what the code does: every `reason` a tick report can carry is explained in its
 * troubleshooting table (and nothing else is), the OAuth role's permissions are the ones the
 * Genesys calls need, the knobs by dialing mode are the ones the tick enforces, and the Node
 * versions are package.json's and the Lambda's.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KNOBS_BY_DIALING_MODE } from '../../lambda/config/dialing-modes.js';
import { REQUIRED_PERMISSION } from '../../lambda/genesys/errors.js';
import type { DialingMode } from '../../lambda/ports.js';
import { CAMPAIGN_REASONS } from '../../lambda/tick.js';
import { REPO_ROOT } from '../infra/support.js';
import { readme, tableColumn, tableRows } from '../support/readme.js';

describe('the README troubleshooting table', () => {
  it('explains every reason, and no reason the code does not have', () => {
    // Act
    const rows = tableColumn('Troubleshooting', 'reason');

    // Assess
    expect([...rows].sort()).toEqual([...CAMPAIGN_REASONS].sort());
  });
});

describe('the README permission table', () => {
  it('names exactly the permissions of the Genesys operations the controller and discover call', () => {
    // Prepare
    const needed = new Set(Object.values(REQUIRED_PERMISSION).filter((p) => p !== undefined));

    // Act
    const rows = tableColumn('Deploying', 'permission');

    // Assess
    expect([...rows].sort()).toEqual([...needed].sort());
  });

  it('names only permissions the Genesys endpoint docs list', () => {
    // Prepare: the Platform SDK's endpoint docs, copied from /work/shared (see SOURCE.md there)
    const docs = readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'genesys', 'endpoints-js-sdk-259.0.0.md'), 'utf8');

    // Assess
    for (const permission of tableColumn('Deploying', 'permission')) expect(docs, permission).toContain(`* ${permission}`);
  });
});

describe('the README dialing-mode table', () => {
  it('gives each mode the knobs the tick lets act in it', () => {
    // Act: "predictive, power" -> the knobs named in its second cell
    const shown = new Map<string, string[]>();
    for (const [modes, knobs] of tableRows('Deploying', 'dialing mode')) {
      const named = [...knobs!.matchAll(/`(\w+)`/g)].map((m) => m[1]!).sort();
      for (const mode of modes!.replace(/\s*\(.*?\)/g, '').split(', ')) shown.set(mode, named);
    }

    // Assess
    const modes = Object.keys(KNOBS_BY_DIALING_MODE) as DialingMode[];
    expect([...shown.keys()].sort()).toEqual([...modes].sort());
    for (const mode of modes) expect(shown.get(mode), mode).toEqual([...KNOBS_BY_DIALING_MODE[mode]].sort());
  });
});

describe('the README Node versions', () => {
  it('are package.json engines and the Lambda runtime', () => {
    // Prepare
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
    const construct = readFileSync(join(REPO_ROOT, 'infra', 'pacing-controller.ts'), 'utf8');

    // Assess
    expect(readme()).toContain(`\`${pkg.engines.node}\``);
    expect(construct).toContain('runtime: lambda.Runtime.NODEJS_24_X');
    expect(readme().replace(/\s+/g, ' ')).toContain('the Lambda runs Node 24');
  });
});
