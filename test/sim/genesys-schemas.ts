/**
 * Validators for Genesys wire shapes, from the SDK-derived schemas in test/fixtures/genesys.
 * Tightened with additionalProperties: false on every object that lists its properties, so a
 * field the real model does not have fails the check.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';

type JsonSchema = { definitions: Record<string, Record<string, unknown>> };

const cache = new Map<string, ValidateFunction>();

/**
 * A strict validator for one definition of one schema file.
 * @param file e.g. "outbound-campaigns.schema.json"
 * @param definition e.g. "Campaign"
 */
export function genesysValidator(file: string, definition: string): ValidateFunction {
  const key = `${file}#${definition}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const schema = structuredClone(JSON.parse(readFileSync(new URL(`../fixtures/genesys/${file}`, import.meta.url), 'utf8')) as JsonSchema);
  for (const def of Object.values(schema.definitions)) {
    if (def.type === 'object' && def.properties && def.additionalProperties === undefined) def.additionalProperties = false;
  }
  const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
  const validate = ajv.compile({ $ref: `#/definitions/${definition}`, definitions: schema.definitions });
  cache.set(key, validate);
  return validate;
}

/** Validation errors of a value against a definition, [] when it conforms. */
export function schemaErrors(file: string, definition: string, value: unknown): unknown[] {
  const validate = genesysValidator(file, definition);
  return validate(value) ? [] : (validate.errors ?? []);
}

/** Reads a file from test/fixtures/genesys/examples. */
export function fixtureExample(name: string): string {
  return readFileSync(new URL(`../fixtures/genesys/examples/${name}`, import.meta.url), 'utf8');
}
