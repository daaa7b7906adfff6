import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The feature flags and context cdk.json gives the real app, so tests synthesise what `cdk synth` does. */
function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
}

/** An App like the CLI's, without bundling (no esbuild run, so tests stay fast and need no lambda build). */
export function newApp(context: Record<string, unknown> = {}): App {
  return new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], ...context } });
}

/** A fresh copy of the repository's example pacing.config.json, safe to mutate. */
export function exampleConfig(): any {
  return JSON.parse(readFileSync(join(REPO_ROOT, 'pacing.config.json'), 'utf8'));
}

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

/** Every IAM statement in a template: AWS::IAM::Policy documents and inline role policies. */
export function iamStatements(resources: Record<string, { Type: string; Properties?: any }>): Statement[] {
  const out: Statement[] = [];
  for (const r of Object.values(resources)) {
    if (r.Type === 'AWS::IAM::Policy') out.push(...r.Properties.PolicyDocument.Statement);
    if (r.Type === 'AWS::IAM::Role') {
      for (const p of r.Properties?.Policies ?? []) out.push(...p.PolicyDocument.Statement);
    }
  }
  return out;
}

export const asArray = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);
