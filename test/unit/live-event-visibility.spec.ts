import { mayReceive, type StreamAccess } from '../../src/modules/live-events/live-event-visibility';

const ACCOUNT = 'a0000000-0000-4000-8000-000000000000';
const OTHER = 'b0000000-0000-4000-8000-000000000000';
const X = 'c0000000-0000-4000-8000-000000000001';
const Y = 'c0000000-0000-4000-8000-000000000002';
const ME = 'd0000000-0000-4000-8000-000000000001';
const YOU = 'd0000000-0000-4000-8000-000000000002';

const member: StreamAccess = { accountId: ACCOUNT, userId: ME, isAdmin: false, roles: new Map([[X, 'member']]) };
const manager: StreamAccess = { ...member, roles: new Map([[X, 'manager']]) };
const admin: StreamAccess = { accountId: ACCOUNT, userId: ME, isAdmin: true, roles: new Map() };
const ev = (e: Partial<{ accountId: string; inboxId: string | null; userId: string | null; audience: 'members' | 'managers' }>) => ({
  accountId: ACCOUNT,
  inboxId: X,
  userId: null,
  audience: 'members' as const,
  ...e,
});

describe('mayReceive', () => {
  test('inbox events go to its members only; administrators see every inbox of their account', () => {
    expect(mayReceive(member, ev({}))).toBe(true);
    expect(mayReceive(member, ev({ inboxId: Y }))).toBe(false);
    expect(mayReceive(admin, ev({ inboxId: Y }))).toBe(true);
  });

  test('never another account, whatever the role', () => {
    for (const access of [member, manager, admin]) {
      expect(mayReceive(access, ev({ accountId: OTHER }))).toBe(false);
      expect(mayReceive(access, ev({ accountId: OTHER, inboxId: null }))).toBe(false);
    }
  });

  test("managers' events (campaign progress) go to the inbox's managers and the administrators", () => {
    expect(mayReceive(member, ev({ audience: 'managers' }))).toBe(false);
    expect(mayReceive(manager, ev({ audience: 'managers' }))).toBe(true);
    expect(mayReceive(manager, ev({ audience: 'managers', inboxId: Y }))).toBe(false);
    expect(mayReceive(admin, ev({ audience: 'managers', inboxId: Y }))).toBe(true);
  });

  test('account-wide events go to everyone in the account; addressed ones to their user only', () => {
    expect(mayReceive(member, ev({ inboxId: null }))).toBe(true);
    expect(mayReceive(member, ev({ inboxId: null, audience: 'managers' }))).toBe(false);
    expect(mayReceive(admin, ev({ inboxId: null, audience: 'managers' }))).toBe(true);
    expect(mayReceive(member, ev({ inboxId: null, userId: ME }))).toBe(true);
    expect(mayReceive(member, ev({ inboxId: null, userId: YOU }))).toBe(false);
    expect(mayReceive(admin, ev({ inboxId: null, userId: YOU }))).toBe(false);
  });
});
