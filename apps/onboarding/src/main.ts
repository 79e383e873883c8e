import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { configureHttpApp, runProcess } from '@kirim/platform';
import { OnboardingModule } from './app/onboarding.module';

runProcess(async (config) => {
  const app = await NestFactory.create(OnboardingModule.forRoot(config), { bodyParser: false, bufferLogs: true });
  configureHttpApp(app, { publicUrl: config.ONBOARDING_PUBLIC_URL });
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  await app.listen(config.ONBOARDING_PORT);
});
