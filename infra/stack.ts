import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { PacingController } from './pacing-controller.js';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Default configuration file: pacing.config.json at the repository root. */
export const DEFAULT_CONFIG_FILE = join(REPO_ROOT, 'pacing.config.json');

export interface PacingControllerStackProps extends StackProps {
  /**
   * Path of the configuration file, relative to the current directory.
   *
   * @default - context `pacingConfigFile`, else pacing.config.json at the repository root
   */
  readonly configFile?: string;
  /**
   * Email address subscribed to the alarms.
   *
   * @default - context `alarmEmail`, else no topic is created and the alarms have no actions
   */
  readonly alarmEmail?: string;
  /**
   * Reserve one concurrent execution for the controller (see {@link PacingControllerProps.reserveConcurrency}).
   *
   * @default - context `reserveConcurrency` (`true` or `false`), else true
   */
  readonly reserveConcurrency?: boolean;
  /**
   * Complete ARN of an existing secret holding the Genesys OAuth client, used instead of creating one: after
   * `cdk destroy`, the secret the destroyed stack kept (its output SecretId).
   *
   * @default - context `genesysSecretArn`, else `genesysSecretName`, else the configuration's `secretName`, else a new secret
   */
  readonly genesysSecretArn?: string;
  /**
   * Name of an existing secret holding the Genesys OAuth client, used instead of creating one.
   *
   * @default - context `genesysSecretName` (see {@link genesysSecretArn})
   */
  readonly genesysSecretName?: string;
}

/** The pacing controller as a deployable, environment-agnostic stack (no lookups, no account needed to synth). */
export class PacingControllerStack extends Stack {
  public readonly controller: PacingController;
  public readonly alarmTopic?: sns.Topic;

  constructor(scope: Construct, id: string, props: PacingControllerStackProps = {}) {
    super(scope, id, {
      description: 'Closed-loop pacing controller for Genesys Cloud outbound campaigns',
      ...props,
    });

    const contextFile = this.node.tryGetContext('pacingConfigFile') as string | undefined;
    const configFile = props.configFile ?? contextFile;
    const configPath = configFile ? resolve(configFile) : DEFAULT_CONFIG_FILE;
    const alarmEmail = props.alarmEmail ?? (this.node.tryGetContext('alarmEmail') as string | undefined);
    const reserveConcurrency = props.reserveConcurrency ?? booleanContext(this.node.tryGetContext('reserveConcurrency'), 'reserveConcurrency');

    if (alarmEmail) {
      // SNS encryption with the AWS managed key (alias/aws/sns) would silently drop alarm notifications:
      // its key policy cannot be changed to let CloudWatch use it. A customer managed key can.
      const key = new kms.Key(this, 'AlarmTopicKey', {
        description: 'Encrypts the pacing controller alarm topic; CloudWatch may use it to publish alarms',
        enableKeyRotation: true,
      });
      key.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
      this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
        displayName: 'Genesys pacing controller alarms',
        masterKey: key,
        enforceSSL: true,
      });
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(alarmEmail));
    }

    const existingSecret = this.existingSecret(
      props.genesysSecretArn ?? stringContext(this.node.tryGetContext('genesysSecretArn'), 'genesysSecretArn'),
      props.genesysSecretName ?? stringContext(this.node.tryGetContext('genesysSecretName'), 'genesysSecretName'),
    );

    this.controller = new PacingController(this, 'Controller', {
      config: readConfigJson(configPath),
      configSource: configPath,
      ...(existingSecret ? { existingSecret } : {}),
      ...(this.alarmTopic ? { alarmTopic: this.alarmTopic } : {}),
      ...(reserveConcurrency === undefined ? {} : { reserveConcurrency }),
    });
  }

  /** The secret named by ARN or by name (one of them), to use instead of creating one. */
  private existingSecret(arn: string | undefined, name: string | undefined): secretsmanager.ISecret | undefined {
    if (arn && name) throw new Error('Give the existing Genesys secret once: -c genesysSecretArn=... or -c genesysSecretName=..., not both');
    if (arn) {
      if (!/^arn:aws[\w-]*:secretsmanager:[\w-]+:\d{12}:secret:.+-[A-Za-z0-9]{6}$/.test(arn)) {
        throw new Error(`genesysSecretArn must be a secret's complete ARN, arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters> (got "${arn}"): copy it from the SecretId output or the console, or pass -c genesysSecretName=<name>`);
      }
      return secretsmanager.Secret.fromSecretCompleteArn(this, 'GenesysSecret', arn);
    }
    return name ? secretsmanager.Secret.fromSecretNameV2(this, 'GenesysSecret', name) : undefined;
  }
}

/** A context value given as `-c name=value`: a non-empty string, or absent. */
function stringContext(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && value.length > 0) return value;
  throw new Error(`Context ${name} must be a non-empty string (got ${JSON.stringify(value)}): pass -c ${name}=<value> or leave it out`);
}

/** A context value given as `-c name=true|false` (a string) or as a JSON boolean in cdk.json. */
function booleanContext(value: unknown, name: string): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new Error(`Context ${name} must be true or false (got ${JSON.stringify(value)}): pass -c ${name}=false or leave it out`);
}

/** Reads and JSON-parses the configuration file; the construct validates its content. */
function readConfigJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(
      `Cannot read the pacing configuration ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)}): ` +
        'create it (see pacing.config.json at the repository root) or pass -c pacingConfigFile=<path>',
    );
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`The pacing configuration ${path} is not valid JSON: ${(err as Error).message}`);
  }
}
