import { Test } from '@nestjs/testing';
import { CUSTOMER_DIRECTORY, IdentityModule } from '@kirim/identity';
import { bindPorts, PlatformModule } from '@kirim/platform';
import { TenancyCustomerDirectory, TenancyModule } from '@kirim/tenancy';
import { createTestEnv, type TestEnv } from '@kirim/testing';
import { AppModule } from '../app/app.module';

/** Ports between contexts fail closed: an app that forgets a binding does not start, and says which. */
describe('ports between contexts', () => {
  let env: TestEnv;

  beforeAll(async () => {
    env = await createTestEnv();
  });
  afterAll(async () => {
    await env?.close();
  });

  const compile = (...imports: Parameters<typeof Test.createTestingModule>[0]['imports'] & object) =>
    Test.createTestingModule({ imports: [PlatformModule.forRoot(env.config), ...imports] }).compile();

  it('identity without a CUSTOMER_DIRECTORY binding refuses to start, naming the port', async () => {
    await expect(compile(IdentityModule)).rejects.toThrow(/CUSTOMER_DIRECTORY port/);
  });

  it('tenancy with the directory bound but not CUSTOMER_ACCOUNTS refuses to start, naming that port', async () => {
    const directoryOnly = bindPorts({
      imports: [TenancyModule],
      bindings: [{ port: CUSTOMER_DIRECTORY, useExisting: TenancyCustomerDirectory }],
    });
    await expect(compile(TenancyModule, directoryOnly)).rejects.toThrow(/CUSTOMER_ACCOUNTS port/);
  });

  it('the api binds every port it needs', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(env.config)] }).compile();
    await moduleRef.close();
  });
});
