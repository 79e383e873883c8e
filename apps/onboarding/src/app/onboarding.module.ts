import { type DynamicModule, Module } from '@nestjs/common';
import { type AppConfig, HealthController, PlatformModule } from '@kirim/platform';
import { ContractsModule } from '@kirim/contracts';
import { TenancyModule } from '@kirim/tenancy';
import { contextPortBindings, WhatsappAccountsModule } from '@kirim/whatsapp-accounts';
import { OnboardingApiController } from './onboarding-api.controller';
import { OnboardingPageController } from './onboarding-page.controller';
import { OnboardingRateLimit } from './onboarding-rate-limit';

/**
 * The public onboarding app (spec 03 § The onboarding flow): the `/onboard/{token}` page and the
 * `/onboard/api/{resolve,complete,fail}` endpoints. No API key: the setup-link token is the credential.
 */
@Module({})
export class OnboardingModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: OnboardingModule,
      imports: [PlatformModule.forRoot(config), ContractsModule, TenancyModule, WhatsappAccountsModule, contextPortBindings()],
      controllers: [HealthController, OnboardingApiController, OnboardingPageController],
      providers: [OnboardingRateLimit],
    };
  }
}
