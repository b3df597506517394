/**
 * Reply drafts, one per conversation, kept in this tab's sessionStorage: what an agent
 * typed survives the reply box being re-created (a background refresh of the page, going to
 * another conversation and back, a reload) and is gone once sent or on logout.
 */
const PREFIX = 'cx.draft.';

export type Draft = { text: string; media: string[] };
const EMPTY: Draft = { text: '', media: [] };

function key(conversationId: string): string {
  return `${PREFIX}${conversationId}`;
}

export function readDraft(conversationId: string): Draft {
  try {
    const raw = sessionStorage.getItem(key(conversationId));
    if (!raw) return EMPTY;
    const d = JSON.parse(raw) as Partial<Draft>;
    return { text: typeof d.text === 'string' ? d.text : '', media: Array.isArray(d.media) ? d.media.filter((m): m is string => typeof m === 'string') : [] };
  } catch {
    return EMPTY;
  }
}

export function writeDraft(conversationId: string, draft: Draft): void {
  try {
    if (!draft.text && draft.media.length === 0) sessionStorage.removeItem(key(conversationId));
    else sessionStorage.setItem(key(conversationId), JSON.stringify(draft));
  } catch {
    // Storage full or disabled: the draft lives only as long as the reply box.
  }
}

/** Every draft of this tab (on logout: nothing the previous user typed stays behind). */
export function clearDrafts(): void {
  try {
    for (let i = sessionStorage.length - 1; i >= 0; i--) {
      const k = sessionStorage.key(i);
      if (k?.startsWith(PREFIX)) sessionStorage.removeItem(k);
    }
  } catch {
    // Nothing stored.
  }
}
