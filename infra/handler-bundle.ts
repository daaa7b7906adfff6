/**
 * How the Lambda handler is bundled and started: one definition for the construct's NodejsFunction
 * and for the cold-start benchmark, which runs esbuild itself with the same settings.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';
import { METRICS_NAMESPACE, SERVICE_NAME } from './metrics.js';

/** Repository root (this file lives in infra/). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The handler's source, bundled with everything it imports except the AWS SDK. */
export const HANDLER_ENTRY = join(REPO_ROOT, 'lambda', 'handler.ts');

/** Packages the bundle leaves out: the AWS SDK v3, which the Lambda runtime also ships (NodejsFunction's default). */
export const AWS_SDK_MODULES = ['@aws-sdk/*'] as const;

/**
 * The esbuild settings, in the NodejsFunction's vocabulary. ESM for top-level imports without
 * CommonJS wrappers. The AWS SDK is bundled, tree-shaken and minified rather than loaded from the
 * runtime: loading the runtime's SDK (dozens of CommonJS files) was most of the cold start
 * (docs/scale.md has the figures), and the bundle then runs the SDK version the tests ran.
 * Source maps keep stack traces readable (NODE_OPTIONS=--enable-source-maps) but carry no
 * sources, which Node would otherwise read and index at every cold start.
 */
export const HANDLER_BUNDLING = {
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  target: 'node22',
  mainFields: ['module', 'main'],
  externalModules: [] as string[],
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
    sourcesContent: HANDLER_BUNDLING.sourcesContent,
    mainFields: [...HANDLER_BUNDLING.mainFields],
    external: [...HANDLER_BUNDLING.externalModules],
    banner: { js: HANDLER_BUNDLING.banner },
  };
}

/** Name of the configuration file inside the Lambda bundle, relative to LAMBDA_TASK_ROOT. */
export const BUNDLED_CONFIG_FILE = 'pacing.config.json';

/** The function's environment variables that name no other resource (the construct adds the table names). */
export const HANDLER_ENVIRONMENT = {
  PACING_CONFIG_FILE: BUNDLED_CONFIG_FILE,
  POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
  POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
  POWERTOOLS_LOG_LEVEL: 'INFO',
  NODE_OPTIONS: '--enable-source-maps',
} as const;
