import { type DynamicModule, Module } from '@nestjs/common';
import { type AppConfig, HealthController, PlatformHttpModule, PlatformModule } from '@kirim/platform';
import { ContractsModule } from '@kirim/contracts';
import { WebhooksHttpModule } from '@kirim/webhooks';
import { IdentityHttpModule, IdentityModule } from '@kirim/identity';
import { TenancyHttpModule } from '@kirim/tenancy';
import { contextPortBindings, WhatsappAccountsHttpModule } from '@kirim/whatsapp-accounts';
import { MessagingHttpModule } from '@kirim/messaging';

/**
 * The public REST API: composes the platform kernel and the contexts' HTTP modules. Thin by design.
 */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot(config),
        PlatformHttpModule,
        ContractsModule,
        WebhooksHttpModule,
        IdentityHttpModule,
        IdentityModule, // ApiKeysService for the admission hook (apiHttpOptions)
        TenancyHttpModule,
        WhatsappAccountsHttpModule,
        MessagingHttpModule,
        contextPortBindings(),
      ],
      // `/metrics` is not on the public port: with METRICS_TOKEN, configureHttpApp serves it behind the token.
      controllers: [HealthController],
    };
  }
}
