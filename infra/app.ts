import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PacingControllerStack } from './stack.js';

const app = new App();
new PacingControllerStack(app, 'GenesysPacingController');
// cdk-nag 3 is a validation plugin: unacknowledged AwsSolutions errors fail `cdk synth`.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
