import { describe, expect, it } from 'vitest';
import { genesysSecretId, LOCAL_SECRET_NAME, SECRET_ID_VARIABLE } from '../../lambda/credentials.js';
import { configWith } from '../support/config.js';

describe('which secret the controller reads', () => {
  it('reads the secret the stack hands the function, whatever the configuration names', () => {
    // Prepare
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:ControllerGenesysClient-AbC123';

    // Act
    const id = genesysSecretId('genesys-pacing/test', { [SECRET_ID_VARIABLE]: arn });

    // Assess
    expect(SECRET_ID_VARIABLE).toBe('GENESYS_SECRET_ID');
    expect(id).toBe(arn);
  });

  it('outside the stack, reads the configuration\'s secretName, else the local default', () => {
    // Act / Assess
    expect(genesysSecretId(configWith().secretName, {})).toBe('genesys-pacing/test');
    expect(genesysSecretId(configWith([{}], { secretName: undefined }).secretName, { [SECRET_ID_VARIABLE]: '' })).toBe(LOCAL_SECRET_NAME);
  });

  it('takes a configuration without secretName (the stack then creates the secret)', () => {
    // Act
    const config = configWith([{}], { secretName: undefined });

    // Assess
    expect(config).not.toHaveProperty('secretName');
  });
});
