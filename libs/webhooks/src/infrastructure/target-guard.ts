import * as dns from 'node:dns';
import * as net from 'node:net';
import * as ipaddr from 'ipaddr.js';

/**
 * Addresses refused even though their class would not say so, or said explicitly so a library update
 * that reclassifies a range cannot open them: the cloud metadata services (AWS/GCP/Azure 169.254.169.254,
 * AWS IPv6 fd00:ec2::254, Alibaba 100.100.100.200) and ::/96, the deprecated IPv4-compatible IPv6 form.
 * ipaddr.js reads the dotted spelling `::127.0.0.1` as IPv4-mapped (so as 127.0.0.1), but the hex spelling
 * WHATWG URL produces for `[::127.0.0.1]`, `::7f00:1`, it classes as unicast.
 */
const ALWAYS_FORBIDDEN: ReadonlyArray<[ipaddr.IPv4 | ipaddr.IPv6, number]> = [
  ipaddr.parseCIDR('169.254.169.254/32'),
  ipaddr.parseCIDR('100.100.100.200/32'),
  ipaddr.parseCIDR('fd00:ec2::254/128'),
  ipaddr.parseCIDR('::/96'),
];

/**
 * Whether a webhook may not be sent to `ip` (spec 06 § URL rules). Only ipaddr.js's `unicast` class —
 * ordinary public addresses — is allowed: loopback, private, link-local, unique-local, carrier-grade NAT,
 * unspecified, multicast, broadcast, reserved and the transition ranges (6to4, Teredo, NAT64, …), which
 * can tunnel to anything, are refused. IPv4-mapped IPv6 (`::ffff:127.0.0.1`) is judged as the IPv4 it
 * carries. Anything that does not parse is refused.
 */
export function isForbiddenAddress(ip: string): boolean {
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    address = ipaddr.process(ip);
  } catch {
    return true;
  }
  if (address.range() !== 'unicast') return true;
  return ALWAYS_FORBIDDEN.some(([range, bits]) => range.kind() === address.kind() && address.match(range, bits));
}

/** The webhook's host is, or resolves to, an address webhooks may not reach. */
export class TargetForbiddenError extends Error {
  /** Node's errno-style code, so it survives as `err.code` through `net.connect`'s lookup callback. */
  readonly code = 'ETARGETFORBIDDEN';

  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    super(host === address ? `${host} is not a public address.` : `${host} resolves to ${address}, which is not a public address.`);
    this.name = 'TargetForbiddenError';
  }
}

/** The webhook's host does not resolve (at create: 400 `invalid_webhook_url`; at delivery: `connection_failed`). */
export class TargetUnresolvableError extends Error {
  readonly code = 'ETARGETUNRESOLVABLE';

  constructor(
    readonly host: string,
    options: { cause?: unknown } = {},
  ) {
    super(`${host} does not resolve to an address.`, options);
    this.name = 'TargetUnresolvableError';
  }
}

/** The URL's host as an address or name: WHATWG keeps IPv6 literals in brackets. */
function bareHost(url: URL): string {
  const host = url.hostname;
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * Refuses a target whose host is, or resolves to, a non-public address — if ANY of its addresses is one,
 * since the connection may use any of them. `allowPrivate` (`WEBHOOK_ALLOW_PRIVATE_TARGETS`) skips the
 * check. Throws TargetForbiddenError, or TargetUnresolvableError when the name does not resolve.
 * Run at create and before every delivery; guardedLookup closes the gap between this check and the connect.
 */
export async function assertPublicTarget(url: URL, allowPrivate: boolean): Promise<void> {
  if (allowPrivate) return;
  const host = bareHost(url);
  if (net.isIP(host) !== 0) {
    if (isForbiddenAddress(host)) throw new TargetForbiddenError(host, host);
    return;
  }
  let addresses: dns.LookupAddress[];
  try {
    addresses = await dns.promises.lookup(host, { all: true, verbatim: true });
  } catch (error) {
    throw new TargetUnresolvableError(host, { cause: error });
  }
  if (addresses.length === 0) throw new TargetUnresolvableError(host);
  const forbidden = addresses.find((a) => isForbiddenAddress(a.address));
  if (forbidden) throw new TargetForbiddenError(host, forbidden.address);
}

/**
 * A `lookup` for `net.connect` / undici's `connect: { lookup }`: resolves like dns.lookup (one address or,
 * with `options.all`, every one) but calls back a TargetForbiddenError (`code: 'ETARGETFORBIDDEN'`) when
 * any resolved address is not public, unless `allowPrivate`. The socket connects to exactly what was
 * checked, so a name cannot rebind to an internal address after assertPublicTarget passed it. Node does not
 * call `lookup` for an IP-literal host: assertPublicTarget covers those (a literal cannot rebind).
 */
export function guardedLookup(allowPrivate: boolean): net.LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, options.all ? [] : '');
      if (!allowPrivate) {
        const forbidden = addresses.find((a) => isForbiddenAddress(a.address));
        if (forbidden) return callback(new TargetForbiddenError(hostname, forbidden.address), options.all ? [] : '');
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) {
        const notFound: NodeJS.ErrnoException = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
          code: 'ENOTFOUND',
          hostname,
        });
        return callback(notFound, '');
      }
      return callback(null, first.address, first.family);
    });
  };
}
