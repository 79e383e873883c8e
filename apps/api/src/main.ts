import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { configureHttpApp, mountOpenApi, runProcess } from '@kirim/platform';
import { AppModule } from './app/app.module';

runProcess(async (config) => {
  const app = await NestFactory.create(AppModule.forRoot(config), { bodyParser: false, bufferLogs: true });
  configureHttpApp(app);
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  mountOpenApi(app);
  await app.listen(config.API_PORT);
});
