/**
 * A local stand-in for AWS Secrets Manager's GetSecretValue (AWS JSON 1.1 protocol), so the
 * real handler reads its Genesys credentials through the real SDK in tests and `npm start`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalSecretsManager {
  endpoint: string;
  /** Sets (or with undefined, deletes) a secret's string value. */
  put(name: string, value: string | undefined): void;
  /** How many GetSecretValue calls were answered. */
  reads(): number;
  close(): Promise<void>;
}

/** Starts the local secret store on a free loopback port. */
export async function startLocalSecretsManager(initial: Record<string, string> = {}): Promise<LocalSecretsManager> {
  const secrets = new Map(Object.entries(initial));
  const versions = new Map<string, number>();
  let reads = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const reply = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(payload));
      };
      const target = String(req.headers['x-amz-target'] ?? '');
      if (target !== 'secretsmanager.GetSecretValue') {
        reply(400, { __type: 'UnknownOperationException', message: `${target} is not served by the local secret store` });
        return;
      }
      const { SecretId } = JSON.parse(body || '{}') as { SecretId?: string };
      const value = SecretId === undefined ? undefined : secrets.get(SecretId);
      if (SecretId === undefined || value === undefined) {
        reply(400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
        return;
      }
      reads += 1;
      reply(200, {
        ARN: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${SecretId}`,
        Name: SecretId,
        SecretString: value,
        VersionId: `v${versions.get(SecretId) ?? 1}`,
        VersionStages: ['AWSCURRENT'],
        CreatedDate: 0,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    put: (name, value) => {
      if (value === undefined) secrets.delete(name);
      else secrets.set(name, value);
      versions.set(name, (versions.get(name) ?? 1) + 1);
    },
    reads: () => reads,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
