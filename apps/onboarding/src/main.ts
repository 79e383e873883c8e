import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { configureHttpApp, createHttpAdapter, runProcess } from '@kirim/platform';
import { OnboardingModule } from './app/onboarding.module';

runProcess(async (config) => {
  const app = await NestFactory.create(OnboardingModule.forRoot(config), createHttpAdapter(config), {
    bodyParser: false,
    bufferLogs: true,
  });
  configureHttpApp(app, { publicUrl: config.ONBOARDING_PUBLIC_URL });
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  await app.listen(config.ONBOARDING_PORT, '0.0.0.0');
});
