import * as dns from 'node:dns';
import * as http from 'node:http';
import * as net from 'node:net';
import { Agent, request } from 'undici';
import { TargetForbiddenError, TargetUnresolvableError, assertPublicTarget, guardedLookup, isForbiddenAddress } from './target-guard';

// No external DNS here (the machine may have no resolver): IP literals, localhost (from /etc/hosts) and a
// stubbed dns.promises.lookup only.

describe('isForbiddenAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'metadata (link-local)'],
    ['169.254.1.1', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.100.100.200', 'metadata (Alibaba)'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'this network'],
    ['255.255.255.255', 'broadcast'],
    ['224.0.0.1', 'multicast'],
    ['192.0.2.1', 'documentation'],
    ['240.0.0.1', 'reserved'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:10.0.0.1', 'IPv4-mapped private'],
    ['::ffff:169.254.169.254', 'IPv4-mapped metadata'],
    ['::127.0.0.1', 'IPv4-compatible loopback'],
    ['::7f00:1', 'IPv4-compatible loopback, hex'],
    ['::a00:1', 'IPv4-compatible private, hex'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local with a zone'],
    ['fc00::1', 'unique local'],
    ['fd12:3456::1', 'unique local'],
    ['fd00:ec2::254', 'metadata (AWS IPv6)'],
    ['ff02::1', 'multicast'],
    ['2002:7f00:1::1', '6to4'],
    ['2001:0:4136:e378::1', 'Teredo'],
    ['64:ff9b::7f00:1', 'NAT64'],
    ['2001:db8::1', 'documentation'],
    ['', 'empty'],
    ['localhost', 'a name'],
    ['999.1.1.1', 'garbage'],
    ['1:2:3', 'garbage IPv6'],
  ])('%s (%s) is forbidden', (ip) => {
    expect(isForbiddenAddress(ip)).toBe(true);
  });

  it.each(['8.8.8.8', '1.1.1.1', '93.184.216.34', '2606:4700:4700::1111', '2a00:1450:4001:82a::200e', '::ffff:8.8.8.8'])(
    '%s is allowed',
    (ip) => {
      expect(isForbiddenAddress(ip)).toBe(false);
    },
  );
});

describe('assertPublicTarget', () => {
  afterEach(() => jest.restoreAllMocks());

  it('refuses localhost (it resolves to loopback)', async () => {
    const error = await assertPublicTarget(new URL('https://localhost/hooks'), false).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetForbiddenError);
    expect(error).toMatchObject({ host: 'localhost', address: '127.0.0.1', code: 'ETARGETFORBIDDEN' });
  });

  it.each([
    'https://[::1]/x',
    'https://127.0.0.1:8443/x',
    'https://[::ffff:7f00:1]/x',
    'https://[::127.0.0.1]/x',
    'https://0x7f.1/x',
    'https://2130706433/x',
  ])('refuses the IP literal %s', async (raw) => {
    await expect(assertPublicTarget(new URL(raw), false)).rejects.toBeInstanceOf(TargetForbiddenError);
  });

  it('strips IPv6 brackets: the error names the bare address', async () => {
    await expect(assertPublicTarget(new URL('https://[::1]/x'), false)).rejects.toMatchObject({ host: '::1', address: '::1' });
  });

  it('accepts a public IP literal without resolving anything', async () => {
    const lookup = jest.spyOn(dns.promises, 'lookup');
    await expect(assertPublicTarget(new URL('https://8.8.8.8/x'), false)).resolves.toBeUndefined();
    await expect(assertPublicTarget(new URL('https://[2606:4700:4700::1111]/x'), false)).resolves.toBeUndefined();
    expect(lookup).not.toHaveBeenCalled();
  });

  it('refuses a name when ANY of its addresses is forbidden, accepts one whose addresses are all public', async () => {
    const lookup = jest.spyOn(dns.promises, 'lookup') as unknown as jest.Mock;
    lookup.mockResolvedValueOnce([
      { address: '93.184.216.34', family: 4 },
      { address: '10.0.0.5', family: 4 },
    ]);
    await expect(assertPublicTarget(new URL('https://hooks.example.com/x'), false)).rejects.toMatchObject({
      host: 'hooks.example.com',
      address: '10.0.0.5',
    });
    expect(lookup).toHaveBeenCalledWith('hooks.example.com', { all: true, verbatim: true });
    lookup.mockResolvedValueOnce([
      { address: '93.184.216.34', family: 4 },
      { address: '2606:4700:4700::1111', family: 6 },
    ]);
    await expect(assertPublicTarget(new URL('https://hooks.example.com/x'), false)).resolves.toBeUndefined();
  });

  it('a name that does not resolve → TargetUnresolvableError (not forbidden)', async () => {
    const notFound = Object.assign(new Error('getaddrinfo ENOTFOUND nope.example'), { code: 'ENOTFOUND' });
    jest.spyOn(dns.promises, 'lookup').mockRejectedValueOnce(notFound);
    const error = await assertPublicTarget(new URL('https://nope.example/x'), false).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetUnresolvableError);
    expect(error).not.toBeInstanceOf(TargetForbiddenError);
    expect(error).toMatchObject({ host: 'nope.example', cause: notFound });
  });

  it('allowPrivate skips the check', async () => {
    await expect(assertPublicTarget(new URL('https://localhost/x'), true)).resolves.toBeUndefined();
    await expect(assertPublicTarget(new URL('https://[::1]/x'), true)).resolves.toBeUndefined();
  });
});

describe('guardedLookup', () => {
  function lookup(
    allowPrivate: boolean,
    hostname: string,
    options: dns.LookupOptions,
  ): Promise<{ error: unknown; address: unknown; family: unknown }> {
    return new Promise((resolve) => {
      guardedLookup(allowPrivate)(hostname, options, (error, address, family) => resolve({ error, address, family }));
    });
  }

  it('calls back a TargetForbiddenError for localhost', async () => {
    const all = await lookup(false, 'localhost', { all: true });
    expect(all.error).toBeInstanceOf(TargetForbiddenError);
    expect(all.error).toMatchObject({ code: 'ETARGETFORBIDDEN', host: 'localhost', address: '127.0.0.1' });
    const one = await lookup(false, 'localhost', {});
    expect(one.error).toBeInstanceOf(TargetForbiddenError);
  });

  it('with allowPrivate resolves like dns.lookup, honouring options.all', async () => {
    expect(await lookup(true, 'localhost', { all: true })).toEqual({
      error: null,
      address: [{ address: '127.0.0.1', family: 4 }],
      family: undefined,
    });
    expect(await lookup(true, 'localhost', { family: 4 })).toEqual({ error: null, address: '127.0.0.1', family: 4 });
  });

  describe('wired into a real connection', () => {
    let server: http.Server;
    let port: number;

    beforeAll(async () => {
      server = http.createServer((_req, res) => res.end('ok'));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as net.AddressInfo).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('net.connect refuses to connect to a forbidden address, connects when private targets are allowed', async () => {
      const connect = (allowPrivate: boolean): Promise<unknown> =>
        new Promise((resolve) => {
          const socket = net.connect({ host: 'localhost', port, lookup: guardedLookup(allowPrivate) });
          socket.once('connect', () => {
            socket.destroy();
            resolve('connected');
          });
          socket.once('error', resolve);
        });
      expect(await connect(false)).toMatchObject({ code: 'ETARGETFORBIDDEN' });
      expect(await connect(true)).toBe('connected');
    });

    it("undici's connect.lookup refuses too", async () => {
      const guarded = new Agent({ connect: { lookup: guardedLookup(false) } });
      const open = new Agent({ connect: { lookup: guardedLookup(true) } });
      try {
        const error = await request(`http://localhost:${port}/`, { dispatcher: guarded }).catch((e: unknown) => e);
        expect(error).toMatchObject({ code: 'ETARGETFORBIDDEN' });
        const ok = await request(`http://localhost:${port}/`, { dispatcher: open });
        expect(await ok.body.text()).toBe('ok');
      } finally {
        await Promise.all([guarded.close(), open.close()]);
      }
    });
  });
});
