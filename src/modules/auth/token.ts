import { createHash, randomBytes } from 'node:crypto';
import type { TokenKind } from './auth-token.entity';

const PREFIX: Record<TokenKind, string> = { session: 'cxs_', api: 'cxa_' };

export function newToken(kind: TokenKind): { token: string; hash: string } {
  const token = PREFIX[kind] + randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
