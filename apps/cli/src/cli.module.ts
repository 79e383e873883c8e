import { type DynamicModule, Module } from '@nestjs/common';
import { IdentityModule } from '@kirim/identity';
import { type AppConfig, PlatformModule } from '@kirim/platform';

/** What the CLI needs: the platform kernel and identity's application services (no HTTP). */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: CliModule, imports: [PlatformModule.forRoot(config), IdentityModule] };
  }
}
