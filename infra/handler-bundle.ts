/**
 * How the Lambda handler is bundled: one definition for the construct's NodejsFunction and for the
 * cold-start benchmark, which runs esbuild itself with the same settings.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';

/** Repository root (this file lives in infra/). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The handler's source, bundled with everything it imports except the AWS SDK. */
export const HANDLER_ENTRY = join(REPO_ROOT, 'lambda', 'handler.ts');

/**
 * The esbuild settings, in the NodejsFunction's vocabulary. ESM for top-level imports without
 * CommonJS wrappers; the AWS SDK stays external because the Lambda runtime ships it.
 */
export const HANDLER_BUNDLING = {
  minify: true,
  sourceMap: true,
  target: 'node22',
  mainFields: ['module', 'main'],
  externalModules: ['@aws-sdk/*'],
  // Some CommonJS dependencies call require(); ESM output has none unless we make one.
  banner: "import { createRequire as __pacingCreateRequire } from 'node:module'; const require = __pacingCreateRequire(import.meta.url);",
} as const;

/** The same bundle as esbuild's API options (what NodejsFunction passes on the esbuild command line). */
export function handlerEsbuildOptions(outfile: string): BuildOptions {
  return {
    entryPoints: [HANDLER_ENTRY],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: HANDLER_BUNDLING.target,
    minify: HANDLER_BUNDLING.minify,
    sourcemap: HANDLER_BUNDLING.sourceMap,
    mainFields: [...HANDLER_BUNDLING.mainFields],
    external: [...HANDLER_BUNDLING.externalModules],
    banner: { js: HANDLER_BUNDLING.banner },
  };
}
