import { Button, Group, Paper, SegmentedControl, Stack, TagsInput, Text, Textarea, UnstyledButton } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { readDraft, writeDraft } from './drafts';
import { conversationKeys } from './queries';

type SavedReply = Schemas['SavedReplyView'];

/** The `/shortcut` being typed just before the caret, if any. */
export function shortcutAt(text: string, caret: number): { start: number; prefix: string } | null {
  const m = /(^|\s)\/([\w-]*)$/.exec(text.slice(0, caret));
  if (!m) return null;
  return { start: caret - m[2].length - 1, prefix: m[2] };
}

/**
 * Reply (sent to the customer) or private note (members only). Typing `/` and a shortcut lists
 * the matching saved replies; Tab or Enter (or a click) puts the chosen one in, with its variables
 * rendered for this conversation's contact. `sms`: replies may carry media (MMS) by URL. What is
 * typed is kept as the conversation's draft until it is sent.
 */
export function ReplyBox({ conversationId, inboxId, sms = false }: { conversationId: string; inboxId: string; sms?: boolean }) {
  const queryClient = useQueryClient();
  const [mode, setMode] = useState<'reply' | 'note'>('reply');
  // The draft outlives this component (see drafts.ts); the page keys it by conversation.
  const [text, setText] = useState(() => readDraft(conversationId).text);
  const [media, setMedia] = useState<string[]>(() => readDraft(conversationId).media);
  useEffect(() => writeDraft(conversationId, { text, media }), [conversationId, text, media]);
  const [caret, setCaret] = useState(0);
  const [highlight, setHighlight] = useState(0);
  const [dismissed, setDismissed] = useState<string | null>(null);
  const ref = useRef<HTMLTextAreaElement>(null);

  const token = shortcutAt(text, caret);
  const open = token !== null && dismissed !== `${token.start}:${token.prefix}`;
  const suggestions = useQuery({
    queryKey: ['saved-replies', 'suggest', inboxId, token?.prefix ?? ''],
    queryFn: () => unwrap(api.GET('/api/v1/saved-replies', { params: { query: { inboxId, limit: 8, ...(token?.prefix ? { q: token.prefix } : {}) } } })),
    enabled: open,
    staleTime: 30_000,
  });
  const options = open ? (suggestions.data ?? []) : [];

  const expand = useMutation({
    mutationFn: async (reply: SavedReply) => {
      const rendered = await unwrap(api.POST('/api/v1/saved-replies/{id}/render', { params: { path: { id: reply.id } }, body: { conversationId } }));
      return rendered.text;
    },
    onSuccess: (rendered) => {
      const at = shortcutAt(text, caret);
      if (!at) return;
      const next = text.slice(0, at.start) + rendered + text.slice(caret);
      const pos = at.start + rendered.length;
      setText(next);
      setCaret(pos);
      requestAnimationFrame(() => {
        ref.current?.focus();
        ref.current?.setSelectionRange(pos, pos);
      });
    },
  });

  const send = useMutation({
    mutationFn: async () => {
      const body = { content: text.trim(), idempotencyKey: crypto.randomUUID() };
      if (mode === 'reply') {
        const mediaUrls = sms && media.length ? { mediaUrls: media } : {};
        await unwrap(api.POST('/api/v1/conversations/{id}/messages', { params: { path: { id: conversationId } }, body: { ...body, ...mediaUrls } }));
      }
      else await unwrap(api.POST('/api/v1/conversations/{id}/notes', { params: { path: { id: conversationId } }, body }));
    },
    onSuccess: async () => {
      setText('');
      setMedia([]);
      setCaret(0);
      await queryClient.invalidateQueries({ queryKey: conversationKeys.all });
    },
  });

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (options.length > 0) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        setHighlight((h) => (h + (e.key === 'ArrowDown' ? 1 : options.length - 1)) % options.length);
        return;
      }
      if (e.key === 'Tab' || e.key === 'Enter') {
        e.preventDefault();
        expand.mutate(options[Math.min(highlight, options.length - 1)]);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        setDismissed(`${token!.start}:${token!.prefix}`);
        return;
      }
    }
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && text.trim()) {
      e.preventDefault();
      send.mutate();
    }
  };

  const note = mode === 'note';
  return (
    <Paper withBorder p="sm" bg={note ? 'yellow.0' : undefined}>
      <Stack gap="xs">
        <Group justify="space-between">
          <SegmentedControl
            size="xs"
            aria-label="Message type"
            value={mode}
            onChange={(v) => setMode(v as 'reply' | 'note')}
            data={[
              { value: 'reply', label: 'Reply' },
              { value: 'note', label: 'Private note' },
            ]}
          />
          <Text size="xs" c="dimmed">
            Type / for saved replies · Ctrl+Enter sends
          </Text>
        </Group>
        <div style={{ position: 'relative' }}>
          <Textarea
            ref={ref}
            label={note ? 'Private note' : 'Reply'}
            description={note ? 'Seen by the members of this inbox only, never sent to the customer.' : undefined}
            autosize
            minRows={3}
            maxRows={10}
            value={text}
            onChange={(e) => {
              setText(e.currentTarget.value);
              setCaret(e.currentTarget.selectionStart);
              setHighlight(0);
            }}
            onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
            onKeyDown={onKeyDown}
            aria-autocomplete="list"
            aria-expanded={options.length > 0}
            aria-controls="saved-reply-options"
          />
          {options.length > 0 && (
            <Paper
              withBorder
              shadow="md"
              id="saved-reply-options"
              role="listbox"
              aria-label="Saved replies"
              style={{ position: 'absolute', left: 0, right: 0, bottom: '100%', zIndex: 10, maxHeight: 240, overflowY: 'auto' }}
            >
              {options.map((o, i) => (
                <UnstyledButton
                  key={o.id}
                  role="option"
                  aria-selected={i === highlight}
                  onMouseDown={(e) => e.preventDefault()}
                  onClick={() => expand.mutate(o)}
                  style={{ display: 'block', width: '100%', padding: '6px 10px', background: i === highlight ? 'var(--mantine-color-blue-0)' : undefined }}
                >
                  <Text size="sm" fw={600}>
                    /{o.shortcut}
                  </Text>
                  <Text size="xs" c="dimmed" lineClamp={1}>
                    {o.content}
                  </Text>
                </UnstyledButton>
              ))}
            </Paper>
          )}
        </div>
        {sms && !note && (
          <TagsInput
            label="Media (MMS)"
            description="Public URLs of images, video, audio, a vCard or a PDF; Enter adds one. Checked when you send."
            placeholder={media.length ? undefined : 'https://…'}
            value={media}
            onChange={setMedia}
            maxTags={10}
            clearable
          />
        )}
        <ErrorAlert error={expand.error ?? send.error} />
        <Group justify="flex-end">
          <Button onClick={() => send.mutate()} loading={send.isPending} disabled={!text.trim()} color={note ? 'yellow' : undefined}>
            {note ? 'Add note' : 'Send reply'}
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}
