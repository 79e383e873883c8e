import { buildOpenApiDocument, ERROR_CATALOGUE, mountOpenApi } from '@kirim/platform';
import { createTestApp, createTestEnv, type TestApp, type TestEnv } from '@kirim/testing';
import { AppModule } from '../app/app.module';

describe('OpenAPI document', () => {
  let env: TestEnv;
  let t: TestApp;

  beforeAll(async () => {
    env = await createTestEnv();
    t = await createTestApp(AppModule.forRoot(env.config), mountOpenApi);
  });
  afterAll(async () => {
    await t.close();
    await env.close();
  });

  it('is OpenAPI 3.1, lists the public endpoints and every catalogue error code', () => {
    const doc = buildOpenApiDocument(t.app);
    expect(doc.openapi).toBe('3.1.0');
    for (const path of ['/v1/health', '/v1/me', '/v1/api_keys', '/v1/users', '/v1/customers', '/v1/customers/{id}', '/v1/events']) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    for (const code of Object.keys(ERROR_CATALOGUE)) expect(doc.info.description).toContain(`\`${code}\``);
  });

  it('is served at /v1/openapi.json and Swagger UI at /docs, without a key', async () => {
    const json = await t.http.get('/v1/openapi.json');
    expect(json.status).toBe(200);
    expect(json.body.openapi).toBe('3.1.0');
    expect(json.body.paths['/v1/customers']).toBeDefined();
    const docs = await t.http.get('/docs/');
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('swagger');
  });
});
