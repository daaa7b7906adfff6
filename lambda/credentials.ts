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

const credentialsSchema = z.object({ clientId: z.string().check(z.minLength(1)), clientSecret: z.string().check(z.minLength(1)) });

const EXPECTED = `its value must be {"clientId": "...", "clientSecret": "..."} (an OAuth client-credentials client)`;

/**
 * Reads the Genesys credentials from Secrets Manager through Powertools Parameters, which
 * caches them for `maxAgeSeconds` across warm invocations, so a rotated secret is picked up.
 *
 * @throws CredentialsError naming the secret and the expected shape, never its content
 */
export async function readGenesysCredentials(secretName: string, maxAgeSeconds = 300): Promise<GenesysCredentials> {
  let raw: unknown;
  try {
    raw = await getSecret(secretName, { maxAge: maxAgeSeconds });
  } catch (err) {
    // Powertools wraps the SDK's error (ResourceNotFoundException, AccessDeniedException...): name that one.
    const name = ((err as Error).cause as Error | undefined)?.name ?? (err as Error).name;
    throw new CredentialsError(`cannot read secret "${secretName}" (${name}): create it and fill it, ${EXPECTED}`);
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
