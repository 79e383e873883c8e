import { type DynamicModule, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { type AppConfig, HealthController, HttpMetricsMiddleware, PlatformHttpModule, PlatformModule } from '@kirim/platform';
import { ContractsModule } from '@kirim/contracts';
import { WebhooksHttpModule } from '@kirim/webhooks';
import { ApiAdmissionMiddleware, IdentityHttpModule, IdentityModule } from '@kirim/identity';
import { TenancyHttpModule } from '@kirim/tenancy';
import { contextPortBindings, WhatsappAccountsHttpModule } from '@kirim/whatsapp-accounts';

/**
 * The public REST API: composes the platform kernel and the contexts' HTTP modules. Thin by design.
 */
@Module({})
export class AppModule implements NestModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot(config),
        PlatformHttpModule,
        ContractsModule,
        WebhooksHttpModule,
        IdentityHttpModule,
        IdentityModule, // ApiKeysService for the admission middleware
        TenancyHttpModule,
        WhatsappAccountsHttpModule,
        contextPortBindings(),
      ],
      // `/metrics` is not on the public port: with METRICS_TOKEN, configureHttpApp serves it behind the token.
      controllers: [HealthController],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    // Admission (authenticate + rate-limit token) before routing: every answer carries X-RateLimit-*.
    consumer.apply(HttpMetricsMiddleware, ApiAdmissionMiddleware).forRoutes('*');
  }
}
