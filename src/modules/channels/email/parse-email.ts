import { simpleParser, type AddressObject, type HeaderValue, type ParsedMail } from 'mailparser';

/** An inbound email, reduced to what the inbox keeps. Never throws: unreadable parts become notes. */
export interface InboundEmail {
  /** RFC 5322 Message-ID with angle brackets, or null when the mail has none. */
  messageId: string | null;
  fromAddress: string | null;
  fromName: string | null;
  to: string[];
  cc: string[];
  subject: string | null;
  /** The readable body: the text part, else the HTML part stripped to text. */
  text: string;
  inReplyTo: string | null;
  /** References, oldest first (In-Reply-To last if it was not in References). */
  references: string[];
  /** Why this mail is an automatic one (auto-reply, bounce, list mail); null for a person's mail. */
  automatedBecause: string | null;
  attachments: InboundEmailAttachment[];
  /** Problems met while reading the mail, in words (unknown charset, broken MIME); shown with the message. */
  notes: string[];
  /** The first Reply-To address, when the mail has one. */
  replyTo: MailAddress | null;
  /** The X-Original-From header's address (set by forwarding services and mail servers' forward rules). */
  originalFrom: MailAddress | null;
}

export interface MailAddress {
  address: string;
  name: string | null;
}

export interface InboundEmailAttachment {
  filename: string | null;
  contentType: string | null;
  size: number;
  content: Buffer;
}

const MESSAGE_ID = /<[^<>\s]+>/g;

function ids(value: string | string[] | undefined | null): string[] {
  if (!value) return [];
  const text = Array.isArray(value) ? value.join(' ') : value;
  const found = text.match(MESSAGE_ID);
  if (found) return found;
  // Message-IDs written without angle brackets: keep each token, bracketed.
  return text
    .split(/\s+/)
    .filter((t) => t.includes('@'))
    .map((t) => `<${t.replace(/^<|>$/g, '')}>`);
}

function addresses(obj: AddressObject | AddressObject[] | undefined): string[] {
  const list = Array.isArray(obj) ? obj : obj ? [obj] : [];
  return list.flatMap((o) => o.value.flatMap((a) => (a.address ? [a.address.toLowerCase()] : [])));
}

function headerText(value: HeaderValue | undefined): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && 'value' in value && typeof (value as { value: unknown }).value === 'string') return (value as { value: string }).value;
  if (typeof value === 'object' && 'text' in value) return String((value as { text: unknown }).text);
  return String(value);
}

/** HTML to plain text for mails without a text part (mailparser does this too; this is the fallback). */
export function stripHtml(html: string): string {
  return html
    .replace(/<(script|style|head)[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|tr|h[1-6])>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

const PRECEDENCE_AUTOMATED = new Set(['bulk', 'junk', 'list', 'auto_reply']);
const ROBOT_SENDERS = /^(mailer-daemon|postmaster)$/i;

/**
 * Why a mail is automatic (RFC 3834 and common practice), or null:
 *  - Auto-Submitted other than "no" (auto-replied, auto-generated, auto-notified);
 *  - Precedence bulk, junk, list or auto_reply; X-Autoreply / X-Autorespond; List-Id (mailing lists);
 *  - from MAILER-DAEMON or postmaster, an empty Return-Path (<>), or a multipart/report (delivery or
 *    read reports: bounces).
 */
export function automatedReason(headers: Map<string, HeaderValue>, fromAddress: string | null): string | null {
  const autoSubmitted = headerText(headers.get('auto-submitted')).split(';')[0].trim().toLowerCase();
  if (autoSubmitted && autoSubmitted !== 'no') return `Auto-Submitted: ${autoSubmitted}`;
  const precedence = headerText(headers.get('precedence')).trim().toLowerCase();
  if (PRECEDENCE_AUTOMATED.has(precedence)) return `Precedence: ${precedence}`;
  for (const name of ['x-autoreply', 'x-autorespond']) {
    if (headers.has(name)) return `${name === 'x-autoreply' ? 'X-Autoreply' : 'X-Autorespond'} header`;
  }
  // mailparser folds the List-* headers into one 'list' header ({ id, unsubscribe, ... }).
  const list = headers.get('list') as { id?: unknown } | undefined;
  if (headers.has('list-id') || (list && typeof list === 'object' && list.id)) return 'mailing-list mail (List-Id)';
  const local = fromAddress?.split('@')[0] ?? '';
  if (ROBOT_SENDERS.test(local)) return `sent by ${local.toLowerCase()} (a bounce)`;
  const returnPath = headerText(headers.get('return-path')).trim();
  if (headers.has('return-path') && (returnPath === '' || returnPath === '<>')) return 'empty Return-Path (a bounce)';
  const contentType = headers.get('content-type');
  const type = (typeof contentType === 'object' && contentType && 'value' in contentType ? String(contentType.value) : headerText(contentType)).toLowerCase();
  if (type.startsWith('multipart/report')) return 'multipart/report (a delivery or read report)';
  return null;
}

/** Charsets the raw mail declares that this runtime cannot decode (their text may show � characters). */
function unknownCharsets(raw: Buffer): string[] {
  const head = raw.subarray(0, Math.min(raw.length, 1024 * 1024)).toString('latin1');
  const found = new Set<string>();
  for (const m of head.matchAll(/charset\s*=\s*"?([^";\s]+)"?/gi)) found.add(m[1].toLowerCase());
  for (const m of head.matchAll(/=\?([^?*]+)(?:\*[^?]*)?\?[bq]\?/gi)) found.add(m[1].toLowerCase());
  return [...found].filter((charset) => {
    try {
      new TextDecoder(charset);
      return false;
    } catch {
      return true;
    }
  });
}

/** Best-effort header lines from a mail mailparser could not read at all. */
function rawHeader(raw: Buffer, name: string): string | null {
  const head = raw.subarray(0, 64 * 1024).toString('latin1').split(/\r?\n\r?\n/)[0];
  const m = head.match(new RegExp(`^${name}:[ \\t]*(.*(?:\\r?\\n[ \\t].*)*)`, 'im'));
  return m ? m[1].replace(/\r?\n[ \t]+/g, ' ').trim() : null;
}

/**
 * One address out of a header or a quoted "From:" line: `Name <addr>`, `"Name" <addr>`,
 * `Name [mailto:addr]` (Outlook), `<addr>` or a bare `addr`. Null when no address is in it.
 */
export function parseAddressLine(line: string | null | undefined): MailAddress | null {
  if (!line) return null;
  const text = line.replace(/\s+/g, ' ').trim().slice(0, 1000);
  const bracketed = text.match(/^(.*?)[<[](?:mailto:)?\s*([^\s<>[\]"]+@[^\s<>[\]"]+?)\s*[>\]]/i);
  const address = bracketed?.[2] ?? text.match(/[^\s<>[\]"():;,]+@[^\s<>[\]"():;,]+\.[^\s<>[\]"():;,]+/)?.[0];
  if (!address || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(address)) return null;
  const name = (bracketed?.[1] ?? '').replace(/^[\s"']+|[\s"']+$/g, '').replace(/\\"/g, '"').trim();
  return { address: address.toLowerCase(), name: name && name.toLowerCase() !== address.toLowerCase() ? name : null };
}

/**
 * The line that starts the quoted original in a manually forwarded mail: Gmail ("---------- Forwarded
 * message ---------"), Thunderbird ("-------- Forwarded Message --------", "-------- Original Message
 * --------"), Outlook ("-----Original Message-----", or a line of underscores before the header block),
 * Apple Mail ("Begin forwarded message:"); also quoted with ">" and in German ("Weitergeleitete Nachricht").
 */
const FORWARD_MARKER =
  /^[ \t>]*(?:-{2,}\s*(?:Forwarded|Original|Weitergeleitete)\s+(?:message|nachricht)\s*-{2,}|-{2,}\s*Urspr\u00fcngliche Nachricht\s*-{2,}|Begin forwarded message:|_{10,})[ \t]*$/im;
const QUOTED_FROM = /^[ \t>]*\*?(?:From|Von|De)\s*:\s*\*?\s*(.+)$/i;

/**
 * The sender of the quoted original in a manually forwarded mail: the first "From:" line within the
 * header block after the forward marker (at most 12 lines below it). Null when the text has no marker,
 * or its block names no address.
 */
export function quotedForwardedSender(text: string): MailAddress | null {
  const marker = FORWARD_MARKER.exec(text);
  if (!marker) return null;
  const after = text.slice(marker.index + marker[0].length).split(/\r?\n/).slice(0, 14);
  for (const line of after) {
    const m = QUOTED_FROM.exec(line);
    if (m) return parseAddressLine(m[1]);
  }
  return null;
}

export type OriginalSenderSource = 'x-original-from' | 'forwarded-block' | 'reply-to';

/**
 * Who originally wrote a mail that reached us forwarded, when that is not its From:
 *  1. X-Original-From (forwarding services and server rules that rewrite From write it);
 *  2. a manual forward's quoted header block ("---------- Forwarded message ---------" then
 *     "From: Name <addr>"): the person who forwarded it is the From, the customer is in the block;
 *  3. Reply-To, when it differs from From (lists and groups that rewrite From for DMARC set it to the writer).
 * Null: the From is the sender. The ingress applies this; IMAP mail is read as the mailbox got it.
 */
export function originalSender(email: InboundEmail): { sender: MailAddress; source: OriginalSenderSource } | null {
  const differs = (a: MailAddress | null): a is MailAddress => a !== null && a.address !== email.fromAddress;
  if (differs(email.originalFrom)) return { sender: email.originalFrom, source: 'x-original-from' };
  const quoted = quotedForwardedSender(email.text);
  if (differs(quoted)) return { sender: quoted, source: 'forwarded-block' };
  if (differs(email.replyTo)) return { sender: email.replyTo, source: 'reply-to' };
  return null;
}

function fromParsed(parsed: ParsedMail, raw: Buffer, notes: string[]): InboundEmail {
  const from = parsed.from?.value.find((a) => a.address) ?? parsed.from?.value[0];
  const fromAddress = from?.address ? from.address.trim().toLowerCase() : null;
  const inReplyTo = ids(parsed.inReplyTo)[0] ?? null;
  const references = ids(parsed.references);
  if (inReplyTo && !references.includes(inReplyTo)) references.push(inReplyTo);
  let text = typeof parsed.text === 'string' ? parsed.text.trim() : '';
  if (!text && typeof parsed.html === 'string') text = stripHtml(parsed.html);
  const bad = unknownCharsets(raw);
  if (bad.length) notes.push(`the mail declares the unknown character set ${bad.join(', ')}; its text was read as well as possible (unreadable characters show as �)`);
  if (!fromAddress) notes.push('the mail has no readable sender address');
  return {
    messageId: ids(parsed.messageId)[0] ?? null,
    fromAddress,
    fromName: from?.name?.trim() || null,
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    subject: parsed.subject?.trim() || null,
    text,
    inReplyTo,
    references,
    automatedBecause: automatedReason(parsed.headers, fromAddress),
    attachments: parsed.attachments.map((a) => ({
      filename: a.filename ?? null,
      contentType: a.contentType ?? null,
      size: a.size ?? a.content.length,
      content: a.content,
    })),
    notes,
    replyTo: (() => {
      const a = parsed.replyTo?.value.find((v) => v.address);
      return a?.address ? { address: a.address.trim().toLowerCase(), name: a.name?.trim() || null } : null;
    })(),
    originalFrom: parseAddressLine(headerText(parsed.headers.get('x-original-from')) || null),
  };
}

/** Reads a raw RFC 5322 mail. Malformed MIME and unknown charsets give what could be read plus notes. */
export async function parseEmail(raw: Buffer): Promise<InboundEmail> {
  const notes: string[] = [];
  try {
    const parsed = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true });
    return fromParsed(parsed, raw, notes);
  } catch (err) {
    notes.push(`the mail could not be read as MIME (${(err as Error).message}); its raw text is kept`);
    const fromHeader = rawHeader(raw, 'from');
    const fromAddress = fromHeader?.match(/[^\s<>"]+@[^\s<>"]+/)?.[0]?.toLowerCase() ?? null;
    const body = raw.toString('utf8');
    const split = body.search(/\r?\n\r?\n/);
    return {
      messageId: ids(rawHeader(raw, 'message-id'))[0] ?? null,
      fromAddress,
      fromName: null,
      to: [],
      cc: [],
      subject: rawHeader(raw, 'subject'),
      text: (split >= 0 ? body.slice(split) : body).trim().slice(0, 100_000),
      inReplyTo: ids(rawHeader(raw, 'in-reply-to'))[0] ?? null,
      references: ids(rawHeader(raw, 'references')),
      automatedBecause: null,
      attachments: [],
      notes,
      replyTo: parseAddressLine(rawHeader(raw, 'reply-to')),
      originalFrom: parseAddressLine(rawHeader(raw, 'x-original-from')),
    };
  }
}
