import { Body, Controller, Get, Module, Param, Post } from '@nestjs/common';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import { IdParam, isId, PlatformModule, Public } from '@kirim/platform';
import { createTestApp, createTestEnv, type TestApp, type TestEnv } from '@kirim/testing';

class AddressDto {
  @IsString() @MaxLength(10) city!: string;
}
class ThingDto {
  @IsString() @MaxLength(20) name!: string;
  @IsOptional() @IsInt() @Min(1) @Max(5) size?: number;
  @IsOptional() @ValidateNested() @Type(() => AddressDto) address?: AddressDto;
}

@Controller('v1/things')
class ThingsController {
  @Post() @Public() create(@Body() body: ThingDto) {
    return { object: 'thing', ...body };
  }
  @Get(':id') @Public() get(@Param('id', IdParam('cus')) id: string) {
    return { id, object: 'thing' };
  }
  @Get() @Public() boom(): never {
    throw new Error('secret stack detail SELECT * FROM users');
  }
}

@Module({ controllers: [ThingsController] })
class ThingsModule {}

describe('HTTP pipeline: envelope, request ids, body and validation errors', () => {
  let env: TestEnv;
  let t: TestApp;

  beforeAll(async () => {
    env = await createTestEnv();
    t = await createTestApp({ module: class Root {}, imports: [PlatformModule.forRoot(env.config), ThingsModule] });
  });
  afterAll(async () => {
    await t.close();
    await env.close();
  });

  function expectError(
    res: { status: number; body: { error: Record<string, unknown> }; headers: Record<string, string> },
    status: number,
    code: string,
    param?: string,
  ) {
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(typeof res.body.error.message).toBe('string');
    expect(res.body.error.request_id).toBe(res.headers['x-request-id']);
    if (param !== undefined) expect(res.body.error.param).toBe(param);
  }

  it('wraps a resource in {data, request_id} with a matching X-Request-Id', async () => {
    const res = await t.http.post('/v1/things').send({ name: 'a' });
    expect(res.status).toBe(201);
    expect(res.body.data).toEqual({ object: 'thing', name: 'a' });
    expect(isId('req', res.headers['x-request-id'])).toBe(true);
    expect(res.body.request_id).toBe(res.headers['x-request-id']);
  });

  it('keeps a well-formed client X-Request-Id and replaces a malformed one', async () => {
    const mine = 'req_01HXYZABCDEFGHJKMNPQRSTVWX';
    const kept = await t.http.get('/v1/things/cus_01HXYZABCDEFGHJKMNPQRSTVWX').set('X-Request-Id', mine);
    expect(kept.headers['x-request-id']).toBe(mine);
    const replaced = await t.http.get('/v1/things/cus_01HXYZABCDEFGHJKMNPQRSTVWX').set('X-Request-Id', 'nope');
    expect(replaced.headers['x-request-id']).not.toBe('nope');
    expect(isId('req', replaced.headers['x-request-id'])).toBe(true);
  });

  it('unknown route → 404 resource_not_found', async () => {
    expectError(await t.http.get('/v1/nowhere'), 404, 'resource_not_found');
  });

  it('malformed JSON → 400 invalid_json', async () => {
    expectError(await t.http.post('/v1/things').set('Content-Type', 'application/json').send('{"name": '), 400, 'invalid_json');
  });

  it('non-JSON content type → 415 unsupported_media_type, and nothing runs', async () => {
    expectError(await t.http.post('/v1/things').set('Content-Type', 'text/plain').send('name=a'), 415, 'unsupported_media_type');
    expectError(await t.http.post('/v1/things').type('form').send({ name: 'a' }), 415, 'unsupported_media_type');
  });

  it('body over 1 MiB → 413 payload_too_large', async () => {
    const res = await t.http.post('/v1/things').send({ name: 'a', pad: 'x'.repeat(1024 * 1024 + 10) });
    expectError(res, 413, 'payload_too_large');
  });

  it('unknown field → 400 unknown_field with param (nested paths dotted)', async () => {
    expectError(await t.http.post('/v1/things').send({ name: 'a', colour: 'red' }), 400, 'unknown_field', 'colour');
    expectError(await t.http.post('/v1/things').send({ name: 'a', address: { city: 'x', zip: 1 } }), 400, 'unknown_field', 'address.zip');
  });

  it('missing field → 400 missing_required_field with param', async () => {
    expectError(await t.http.post('/v1/things').send({}), 400, 'missing_required_field', 'name');
    expectError(await t.http.post('/v1/things').send({ name: 'a', address: {} }), 400, 'missing_required_field', 'address.city');
  });

  it('bad value → 400 invalid_field_value with param', async () => {
    expectError(await t.http.post('/v1/things').send({ name: 'a', size: 9 }), 400, 'invalid_field_value', 'size');
    expectError(await t.http.post('/v1/things').send({ name: 42 }), 400, 'invalid_field_value', 'name');
  });

  it('bad id shape → 400 invalid_field_value with param id', async () => {
    expectError(await t.http.get('/v1/things/cus_123'), 400, 'invalid_field_value', 'id');
    expectError(await t.http.get('/v1/things/org_01HXYZABCDEFGHJKMNPQRSTVWX'), 400, 'invalid_field_value', 'id');
  });

  it('a fault of ours → 500 internal_error without leaking details', async () => {
    const res = await t.http.get('/v1/things');
    expectError(res, 500, 'internal_error');
    expect(JSON.stringify(res.body)).not.toMatch(/SELECT|stack|secret/);
  });
});
