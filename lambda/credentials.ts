import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import * as z from 'zod/mini';
import './zod-messages.js';

/** Genesys OAuth client credentials, as stored in the secret. */
export interface GenesysCredentials {
  clientId: string;
  clientSecret: string;
}

/** The secret is missing or not of the expected shape. Never carries the secret's value. */
export class CredentialsError extends Error {
  override readonly name = 'CredentialsError';
}

/** The IAM actions reading the credentials needs on the secret: the stack grants these and nothing else. */
export const SECRET_ACTIONS = ['secretsmanager:GetSecretValue'] as const;

/**
 * Environment variable the PacingController construct sets on the function: the ARN (or name) of the
 * secret the stack created or was given. The stack alone decides which secret the deployed function
 * reads, so a template change or a redeploy can never point it elsewhere than the stack's secret.
 */
export const SECRET_ID_VARIABLE = 'GENESYS_SECRET_ID';

/** The secret a run outside the stack reads when the configuration names none (`npm run invoke -- --local-aws` fills it). */
export const LOCAL_SECRET_NAME = 'genesys-pacing/oauth-client';

/**
 * Which secret holds the credentials: {@link SECRET_ID_VARIABLE} when set (the deployed function, or
 * `npm run invoke` pointed at the deployed secret), else the configuration's `secretName`, else
 * {@link LOCAL_SECRET_NAME}.
 */
export function genesysSecretId(secretName: string | undefined, env: Readonly<Record<string, string | undefined>> = process.env): string {
  return env[SECRET_ID_VARIABLE] || secretName || LOCAL_SECRET_NAME;
}

const credentialsSchema = z.object({ clientId: z.string().check(z.minLength(1)), clientSecret: z.string().check(z.minLength(1)) });

const EXPECTED = `its value must be {"clientId": "...", "clientSecret": "..."} (an OAuth client-credentials client)`;

/**
 * Reads the Genesys credentials from Secrets Manager through Powertools Parameters, which
 * caches them for `maxAgeSeconds` across warm invocations, so a rotated secret is picked up.
 *
 * @param configuredSecretName - the configuration's `secretName`; the stack's secret wins (see {@link genesysSecretId})
 * @throws CredentialsError naming the secret and the expected shape, never its content
 */
export async function readGenesysCredentials(configuredSecretName: string | undefined, maxAgeSeconds = 300): Promise<GenesysCredentials> {
  const secretName = genesysSecretId(configuredSecretName);
  let raw: unknown;
  try {
    raw = await getSecret(secretName, { maxAge: maxAgeSeconds });
  } catch (err) {
    // Powertools wraps the SDK's error (ResourceNotFoundException, AccessDeniedException...): name that one.
    // A secret the stack created has no value until the operator puts one: that too is ResourceNotFoundException.
    const name = ((err as Error).cause as Error | undefined)?.name ?? (err as Error).name;
    throw new CredentialsError(`cannot read secret "${secretName}" (${name}): create it or fill it (aws secretsmanager put-secret-value), ${EXPECTED}`);
  }
  if (typeof raw !== 'string' || raw.length === 0) throw new CredentialsError(`secret "${secretName}" is empty: ${EXPECTED}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new CredentialsError(`secret "${secretName}" is not JSON: ${EXPECTED}`);
  }
  const result = credentialsSchema.safeParse(parsed);
  if (!result.success) {
    const fields = result.error.issues.map((i) => i.path.join('.') || '(value)').join(', ');
    throw new CredentialsError(`secret "${secretName}" lacks ${fields}: ${EXPECTED}`);
  }
  return result.data;
}
