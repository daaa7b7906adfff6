/**
 * Cold start: bundles lambda/handler.ts with the construct's esbuild settings, prints the bundle's
 * size with and without the AWS SDK and its heaviest inputs, then times fresh Node processes that
 * import the bundle (what Lambda's init phase does) beside empty Node processes. For comparison it
 * also times the bundle with the AWS SDK left external (NodejsFunction's default), loaded from
 * node_modules as Lambda would load the runtime's copy.
 *
 * Run: npm run bench:cold-start -- [--runs 15]
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { defineCommand, integerOption, runCommand } from '../lambda/cli/command.js';
import { formatTable } from '../lambda/cli/text-table.js';
import { AWS_SDK_MODULES, BUNDLED_CONFIG_FILE, HANDLER_ENVIRONMENT, handlerEsbuildOptions, REPO_ROOT } from '../infra/handler-bundle.js';

const SIZE_GOAL_KB = 200;
const INIT_GOAL_MS = 150;
/** Inside the repository, so an external @aws-sdk/* import resolves from node_modules. */
const OUT_DIR = join(REPO_ROOT, '.tmp', 'cold-start');

const kb = (bytes: number) => (bytes / 1000).toFixed(1);

/** The package (or repository folder) an esbuild input belongs to. */
function owner(input: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return pkg ? pkg[1]! : input.split('/').slice(0, 2).join('/');
}

/** Builds the handler into `dir` with the construct's settings (plus `external`), next to its config file. */
async function build(dir: string, external?: string[]) {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'index.mjs');
  const result = await esbuild.build({ ...handlerEsbuildOptions(file), ...(external ? { external } : {}), metafile: true, logLevel: 'warning' });
  copyFileSync(join(REPO_ROOT, 'pacing.config.json'), join(dir, BUNDLED_CONFIG_FILE));
  const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint !== undefined)!;
  const byOwner = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) byOwner.set(owner(input), (byOwner.get(owner(input)) ?? 0) + bytesInOutput);
  return { dir, url: pathToFileURL(file).href, bytes: output.bytes, heaviest: [...byOwner].sort((a, b) => b[1] - a[1]).slice(0, 10) };
}

// Reported by each process as it exits: its CPU time (user + system, all threads), less skewed by a busy machine than wall time.
const REPORT_CPU = "; process.on('exit', () => { const u = process.cpuUsage(); process.stdout.write(String((u.user + u.system) / 1000)); });";

/** Wall and CPU time of one fresh Node process running `code`, in ms. */
function timeNode(code: string, env: NodeJS.ProcessEnv): { wall: number; cpu: number } {
  const began = process.hrtime.bigint();
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', code + REPORT_CPU], { env, encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - began) / 1e6;
  if (run.status !== 0) throw new Error(`node exited ${run.status}: ${run.stderr}`);
  return { wall, cpu: Number(run.stdout) };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const command = defineCommand({
  name: 'npm run bench:cold-start',
  summary: "Bundles the handler as the stack does, prints the bundle's size and times fresh Node processes loading it beside empty ones.",
  examples: ['npm run bench:cold-start', 'npm run bench:cold-start -- --runs 30'],
}).option('--runs <n>', 'processes timed per variant', integerOption(3, 1000, '--runs 15'), 15);

async function main({ runs }: { runs: number }): Promise<void> {

  rmSync(OUT_DIR, { recursive: true, force: true });
  const deployed = await build(join(OUT_DIR, 'deployed'));
  const sdkExternal = await build(join(OUT_DIR, 'sdk-external'), [...AWS_SDK_MODULES]);
  console.log(`Bundle as deployed (AWS SDK inside): ${kb(deployed.bytes)} KB minified`);
  console.log(`Without the AWS SDK (@aws-sdk/* external): ${kb(sdkExternal.bytes)} KB minified; goal < ${SIZE_GOAL_KB} KB`);
  console.log(formatTable(['heaviest inputs without the SDK', 'KB'], sdkExternal.heaviest.map(([name, size]) => [name, kb(size)]), ['left', 'right']));

  // The function's environment as the construct sets it (source maps on), and the table names it would fill in.
  const env = (dir: string) => ({
    PATH: process.env.PATH,
    ...HANDLER_ENVIRONMENT,
    LAMBDA_TASK_ROOT: dir,
    STATE_TABLE_NAME: 'pacing-state',
    AUDIT_TABLE_NAME: 'pacing-audit',
    AWS_REGION: 'us-east-1',
    NODE_NO_WARNINGS: '1',
  });
  const cases = [
    { name: 'node, empty', code: '', env: env(OUT_DIR) },
    { name: 'node, importing the bundle as deployed', code: `await import(${JSON.stringify(deployed.url)});`, env: env(deployed.dir) },
    { name: 'node, importing it with the AWS SDK external', code: `await import(${JSON.stringify(sdkExternal.url)});`, env: env(sdkExternal.dir) },
  ];
  for (const c of cases) timeNode(c.code, c.env); // warm the file cache so no first run is penalised
  const times = cases.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
  // Interleaved, so a busy machine slows every case alike.
  for (let i = 0; i < runs; i += 1) {
    cases.forEach((c, j) => {
      const t = timeNode(c.code, c.env);
      times[j]!.wall.push(t.wall);
      times[j]!.cpu.push(t.cpu);
    });
  }
  const wall = times.map((t) => median(t.wall));
  const cpu = times.map((t) => median(t.cpu));
  const over = (xs: number[], j: number) => (j === 0 ? '' : (xs[j]! - xs[0]!).toFixed(0));
  console.log(`\nCold initialisation, median of ${runs} fresh processes each (Node ${process.version}, NODE_OPTIONS=${HANDLER_ENVIRONMENT.NODE_OPTIONS}):`);
  console.log(
    formatTable(
      ['process', 'wall ms', 'init: wall ms over empty', 'CPU ms', 'init: CPU ms over empty'],
      cases.map((c, j) => [c.name, wall[j]!.toFixed(0), over(wall, j), cpu[j]!.toFixed(0), over(cpu, j)]),
      ['left', 'right', 'right', 'right', 'right'],
    ),
  );
  console.log(`Goal: init under ${INIT_GOAL_MS} ms more than an empty process.`);
  console.log(`Machine: ${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(1)} (times grow with it).`);
  rmSync(OUT_DIR, { recursive: true, force: true });
}

await runCommand(command, main);
