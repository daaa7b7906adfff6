import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PacingControllerStack } from './stack.js';

try {
  const app = new App();
  new PacingControllerStack(app, 'GenesysPacingController');
  // cdk-nag 3 is a validation plugin: unacknowledged AwsSolutions errors fail `cdk synth`.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
} catch (err) {
  // A configuration mistake is the user's to fix: its message names the field; the stack of the
  // construct code around it would bury that. `cdk synth --debug` (CDK_DEBUG) prints it too.
  process.stderr.write(`${process.env.CDK_DEBUG === 'true' ? ((err as Error).stack ?? String(err)) : (err as Error).message}\n`);
  process.exit(1);
}
