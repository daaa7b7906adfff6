/** Runs a command-line tool of the project as a real process, as `npm run` does (tsx). */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../infra/support.js';

/** tsx's loader by path, so a tool runs from any working directory. */
const TSX = pathToFileURL(join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

export interface CliResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** The script each npm script runs, from package.json (`tsx <file>`). */
export function scriptFiles(): Record<string, string> {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  return Object.fromEntries(Object.entries(pkg.scripts).flatMap(([name, line]) => (line.startsWith('tsx ') ? [[name, line.slice(4)]] : [])));
}

/** Runs `file` with `args`; resolves whatever the exit code, rejects only on the timeout. */
export async function runCli(file: string, args: readonly string[], options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  const env: Record<string, string | undefined> = { ...process.env, ...options.env };
  // The CLIs must quiet the SDK themselves: nothing from the test runner may do it for them.
  delete env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
  delete env.NODE_NO_WARNINGS;
  // An empty value unsets the variable.
  for (const [key, value] of Object.entries(options.env ?? {})) if (value === '') delete env[key];
  return promisify(execFile)(process.execPath, ['--import', TSX, join(REPO_ROOT, file), ...args], { cwd: options.cwd ?? REPO_ROOT, env, timeout: options.timeoutMs ?? 60_000 })
    .then(({ stdout, stderr }) => ({ stdout, stderr, code: 0 }))
    .catch((err: { stdout: string; stderr: string; code: number | string; killed?: boolean }) => {
      if (err.killed) throw new Error(`${file} ${args.join(' ')} did not exit within ${options.timeoutMs ?? 60_000} ms`);
      return { stdout: err.stdout, stderr: err.stderr, code: Number(err.code) };
    });
}

/** Starts a long-running tool and resolves once its output contains `ready`. */
export function startCli(file: string, args: readonly string[], ready: string): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, ['--import', TSX, join(REPO_ROOT, file), ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes(ready)) resolve({ child, output: () => out });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${file} exited ${code} before "${ready}": ${out}`)));
  });
}
