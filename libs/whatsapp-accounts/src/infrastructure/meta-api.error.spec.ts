import { MetaApiError, parseErrorEnvelope } from './meta-api.error';

const graph = (code: number | null, httpStatus = 400) =>
  new MetaApiError({ endpoint: 'register', kind: 'graph', message: 'x', code, httpStatus });

describe('MetaApiError', () => {
  it.each([
    [4, true, true, false],
    [80007, true, true, false],
    [130429, true, true, false],
    [131056, true, true, false],
    [1, false, true, false],
    [2, false, true, false],
    [131000, false, true, false],
    [190, false, false, true],
    [100, false, false, false],
    [131026, false, false, false],
  ])('code %i → throttled %s, retryable %s, tokenInvalid %s', (code, throttled, retryable, tokenInvalid) => {
    const e = graph(code);
    expect({ throttled: e.throttled, retryable: e.retryable, tokenInvalid: e.tokenInvalid }).toEqual({
      throttled,
      retryable,
      tokenInvalid,
    });
  });

  it('HTTP 5xx, timeouts and network failures are retryable; an unreadable 4xx is not', () => {
    expect(graph(null, 503).retryable).toBe(true);
    expect(graph(3, 500).retryable).toBe(true);
    expect(new MetaApiError({ endpoint: 'e', kind: 'timeout', message: 't' }).retryable).toBe(true);
    expect(new MetaApiError({ endpoint: 'e', kind: 'network', message: 'n' }).retryable).toBe(true);
    expect(new MetaApiError({ endpoint: 'e', kind: 'invalid_response', message: 'i', httpStatus: 404 }).retryable).toBe(false);
    // A token error is never retried, whatever the status.
    expect(graph(190, 500).retryable).toBe(false);
  });

  it('parses the envelope (reference §6.1)', () => {
    expect(
      parseErrorEnvelope({
        error: {
          message: '(#130429) Rate limit hit',
          type: 'OAuthException',
          code: 130429,
          error_data: { messaging_product: 'whatsapp', details: 'Cloud API message throughput has been reached.' },
          error_subcode: 2494055,
          fbtrace_id: 'Az8or2yhqkZfEZ-_4Qn_Bam',
        },
      }),
    ).toEqual({
      message: '(#130429) Rate limit hit',
      type: 'OAuthException',
      code: 130429,
      subcode: 2494055,
      fbtraceId: 'Az8or2yhqkZfEZ-_4Qn_Bam',
      details: 'Cloud API message throughput has been reached.',
    });
    expect(parseErrorEnvelope({ data: [] })).toBeNull();
    expect(parseErrorEnvelope('nope')).toBeNull();
  });
});
