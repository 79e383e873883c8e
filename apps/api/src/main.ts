import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { configureHttpApp, createHttpAdapter, mountOpenApi, runProcess } from '@kirim/platform';
import { AppModule } from './app/app.module';
import { apiHttpOptions } from './app/http-options';

runProcess(async (config) => {
  const app = await NestFactory.create(AppModule.forRoot(config), createHttpAdapter(config), { bodyParser: false, bufferLogs: true });
  configureHttpApp(app, apiHttpOptions(config));
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  mountOpenApi(app);
  await app.listen(config.API_PORT, '0.0.0.0');
});
