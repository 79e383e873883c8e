import { readWebhookPayload } from './meta-payload';
import { isValidMetaSignature, metaSignature } from './meta-signature';
import { applyStatus, type StatusState, statusError, type StatusUpdate } from './status-machine';

const sent: StatusState = {
  status: 'sent',
  error: null,
  pricing: null,
  sentAt: new Date(1000),
  deliveredAt: null,
  readAt: null,
  failedAt: null,
};
const update = (status: StatusUpdate['status'], at: number, extra: Partial<StatusUpdate> = {}): StatusUpdate => ({
  status,
  at: new Date(at),
  pricing: null,
  error: null,
  ...extra,
});

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

describe('status state machine', () => {
  it('every order of sent/delivered/read, with every status repeated, ends read with one transition per step forward', () => {
    const steps = ['sent', 'delivered', 'read'] as const;
    for (const order of permutations([...steps, ...steps])) {
      let state: StatusState = { ...sent, status: 'pending', sentAt: null };
      const transitions: string[] = [];
      for (const s of order) {
        const r = applyStatus(state, update(s, { sent: 1000, delivered: 2000, read: 3000 }[s]));
        state = r.state;
        if (r.transition) transitions.push(r.transition);
      }
      expect(state.status).toBe('read');
      expect([state.sentAt?.getTime(), state.deliveredAt?.getTime(), state.readAt?.getTime()]).toEqual([1000, 2000, 3000]);
      expect(new Set(transitions).size).toBe(transitions.length);
      expect(transitions[transitions.length - 1]).toBe('read');
    }
  });

  it('never moves backwards; a late status only fills its missing timestamp', () => {
    const read = applyStatus(sent, update('read', 3000)).state;
    const late = applyStatus(read, update('delivered', 2000));
    expect(late).toMatchObject({ transition: null, changed: true, state: { status: 'read' } });
    expect(late.state.deliveredAt?.getTime()).toBe(2000);
    expect(applyStatus(late.state, update('delivered', 2500))).toMatchObject({ changed: false, transition: null });
  });

  it('failed is accepted from pending and sent, refused after delivered, and final', () => {
    const error = { code: 'recipient_blocked', message: 'x', meta_code: 131049, meta_title: 'x' };
    expect(applyStatus(sent, update('failed', 2000, { error }))).toMatchObject({
      transition: 'failed',
      state: { status: 'failed', error },
    });
    const delivered = applyStatus(sent, update('delivered', 2000)).state;
    expect(applyStatus(delivered, update('failed', 3000, { error }))).toMatchObject({ transition: null, changed: false });
    const failed = applyStatus(sent, update('failed', 2000, { error })).state;
    expect(applyStatus(failed, update('read', 3000))).toMatchObject({ changed: false, state: { status: 'failed', readAt: null } });
  });

  it('pricing is kept from whichever status carries it; an inbound message never changes', () => {
    const pricing = { billable: true, category: 'utility' };
    expect(applyStatus(sent, update('sent', 1000, { pricing }))).toMatchObject({ changed: true, transition: null, state: { pricing } });
    expect(applyStatus({ ...sent, status: 'received' }, update('read', 3000))).toMatchObject({ changed: false });
  });

  it("maps a failed status's errors[0] with the dispatcher's table", () => {
    const raw = { errors: [{ code: 131047, title: 'Re-engagement message', error_data: { details: 'More than 24 hours' } }] };
    expect(statusError(raw)).toEqual({
      code: 'outside_customer_service_window',
      message: 'More than 24 hours',
      meta_code: 131047,
      meta_title: 'Re-engagement message',
    });
    expect(statusError({})).toMatchObject({ code: 'meta_error', meta_code: null });
  });
});

describe('Meta webhook envelope and signature', () => {
  it('reads messages and statuses by phone_number_id and notes what it does not apply', () => {
    const read = readWebhookPayload({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '1',
          changes: [
            {
              field: 'messages',
              value: {
                metadata: { phone_number_id: '106540352242922' },
                contacts: [{ profile: { name: 'Sheena' }, wa_id: '16505551234' }],
                messages: [
                  { from: '16505551234', id: 'wamid.1', timestamp: '1749416383', type: 'text', text: { body: 'hi' } },
                  { from: '16505551234', id: 'wamid.2', timestamp: '1749416383', type: 'text', text: { body: 'g' }, group_id: 'g' },
                  { id: 'wamid.3', type: 'text' },
                ],
                statuses: [{ id: 'wamid.9', status: 'played', timestamp: '1' }],
              },
            },
            { field: 'account_update', value: { event: 'X' } },
            { field: 'messages', value: { messages: [] } },
          ],
        },
      ],
    });
    expect(read.messages).toEqual([
      expect.objectContaining({
        wamid: 'wamid.1',
        from: '16505551234',
        profileName: 'Sheena',
        type: 'text',
        content: { text: { body: 'hi' } },
      }),
    ]);
    expect(read.messages[0]?.sentAt?.toISOString()).toBe('2025-06-08T20:59:43.000Z');
    expect(read.phoneNumberIds).toEqual(['106540352242922']);
    expect(read.notes).toEqual([
      'group message',
      'message without a readable id or from',
      'status played',
      'messages change without metadata.phone_number_id',
    ]);
    expect(read.changes.map((c) => c.field)).toEqual(['account_update']);
    expect(readWebhookPayload([1, 2]).notes).toEqual(['not a Meta webhook envelope (no entry array)']);
  });

  it('verifies sha256=<hex> over the exact bytes, in constant time', () => {
    const body = Buffer.from('{"a":"\\u00e9"}');
    const header = metaSignature(body, 's3cret');
    expect(isValidMetaSignature(body, header, 's3cret')).toBe(true);
    expect(isValidMetaSignature(body, header.toUpperCase().replace('SHA256=', 'sha256='), 's3cret')).toBe(true);
    expect(isValidMetaSignature(Buffer.from('{"a":"é"}'), header, 's3cret')).toBe(false);
    expect(isValidMetaSignature(body, header, 'other')).toBe(false);
    expect(isValidMetaSignature(body, undefined, 's3cret')).toBe(false);
    expect(isValidMetaSignature(body, [header], 's3cret')).toBe(false);
    expect(isValidMetaSignature(body, header.slice(0, -2), 's3cret')).toBe(false);
  });
});
