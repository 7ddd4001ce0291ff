import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type AppConfig, AppConfigError, loadAppConfig } from '../lib/config/app-config.ts';
import { projectRoot } from '../lib/project-root.ts';
import { TopSongsStack } from '../lib/stacks/top-songs-stack.ts';

/**
 * The CDK app: configuration is read here, once, from CDK context and the environment (every setting
 * is listed in lib/config/app-config.ts), and handed down as typed props.
 */
const app = new App();

let config: AppConfig;
try {
  config = loadAppConfig((key) => app.node.tryGetContext(key), process.env);
} catch (error) {
  if (!(error instanceof AppConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

new TopSongsStack(app, `TopSongs-${config.stage}`, {
  description: `Top Songs (${config.stage}): song plays in, top-10 charts per region, hour and day out.`,
  config,
  projectRoot,
  // Environment-agnostic unless the CLI knows the target account and region.
  env:
    process.env.CDK_DEFAULT_ACCOUNT && process.env.CDK_DEFAULT_REGION
      ? { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION }
      : undefined,
});

// AWS Solutions checks run at synth; an unacknowledged finding stops it. Acknowledgements, each with its
// reason, sit next to the resource they concern (Validations.of(construct).acknowledge).
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
