import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ConfigError, configureHttpApp, loadConfig, mountOpenApi } from '@kirim/platform';
import { AppModule } from './app/app.module';
import { loadDotEnv } from './dotenv';

async function bootstrap(): Promise<void> {
  loadDotEnv();
  const config = loadConfig();
  const app = await NestFactory.create(AppModule.forRoot(config), { bodyParser: false, bufferLogs: true });
  configureHttpApp(app);
  mountOpenApi(app);
  await app.listen(config.API_PORT);
}

bootstrap().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error(error);
  }
  process.exit(1);
});
