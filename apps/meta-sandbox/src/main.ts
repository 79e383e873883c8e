import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadSandboxConfig, SandboxConfigError } from './app/config';
import { createSandboxApp } from './app/create-app';

async function bootstrap(): Promise<void> {
  const config = loadSandboxConfig(process.env);
  const app = await createSandboxApp(config);
  await app.listen(config.port);
  new Logger('MetaSandbox').log(
    `Meta sandbox on ${config.publicUrl} (port ${config.port}): Graph API at /{version}/…, SDK at /sdk.js, control API at /_sandbox; app ${config.appId}, config ${config.configId}; webhooks to ${config.webhookUrl ?? '(no callback yet: PUT /_sandbox/webhooks/settings)'}`,
  );
}

bootstrap().catch((error: unknown) => {
  console.error(error instanceof SandboxConfigError ? `meta-sandbox: ${error.message}` : error);
  process.exit(1);
});
