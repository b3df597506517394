import { closestCenter, DndContext, KeyboardSensor, PointerSensor, useSensor, useSensors, type DragEndEvent } from '@dnd-kit/core';
import { arrayMove, SortableContext, sortableKeyboardCoordinates, useSortable, verticalListSortingStrategy } from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';
import { ActionIcon, Anchor, Badge, Button, Group, Paper, Stack, Switch, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, unwrap } from '../../api/client';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { TRIGGER_LABELS, type Rule } from './model';

const RULES_KEY = ['automation-rules'];

function LastFiring({ ruleId }: { ruleId: string }) {
  const q = useQuery({ queryKey: ['automation-rule', ruleId, 'firings', 'last'], queryFn: () => unwrap(api.GET('/api/v1/automation-rules/{id}/firings', { params: { path: { id: ruleId }, query: { limit: 1 } } })) });
  const f = q.data?.items[0];
  return (
    <Text size="xs" c="dimmed">
      {f ? `Last fired ${new Date(f.at).toLocaleString()} (${f.status})` : q.isLoading ? '…' : 'Never fired'}
    </Text>
  );
}

interface RowProps {
  rule: Rule;
  index: number;
  count: number;
  inboxName: string;
  onMove: (from: number, to: number) => void;
  onToggle: (rule: Rule, enabled: boolean) => void;
  busy: boolean;
}

function RuleRow({ rule, index, count, inboxName, onMove, onToggle, busy }: RowProps) {
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging } = useSortable({ id: rule.id, disabled: !rule.canEdit });
  const trigger = rule.trigger as { event: string; minutes?: number };
  return (
    <Paper
      ref={setNodeRef}
      withBorder
      p="sm"
      radius="md"
      role="listitem"
      aria-label={rule.name}
      style={{ transform: CSS.Transform.toString(transform), transition, opacity: isDragging ? 0.6 : 1, zIndex: isDragging ? 2 : undefined, position: 'relative' }}
    >
      <Group wrap="nowrap" align="flex-start" gap="sm">
        <ActionIcon ref={setActivatorNodeRef} variant="subtle" color="gray" aria-label={`Drag ${rule.name}`} style={{ cursor: 'grab', touchAction: 'none' }} {...attributes} {...listeners}>
          ⠿
        </ActionIcon>
        <Text fw={700} c="dimmed" w={24}>
          {index + 1}
        </Text>
        <Stack gap={4} style={{ flex: 1, minWidth: 0 }}>
          <Group gap="xs" wrap="wrap">
            <Anchor component={Link} to={`/automation/${rule.id}`} fw={600}>
              {rule.name}
            </Anchor>
            <Badge variant="light" size="sm">
              v{rule.version}
            </Badge>
            {rule.stopProcessing && (
              <Badge color="orange" size="sm">
                stops processing
              </Badge>
            )}
            {rule.timeBased && (
              <Badge color="grape" size="sm" variant="light">
                time-based
              </Badge>
            )}
            {rule.allowChaining && (
              <Badge color="cyan" size="sm" variant="light">
                chaining
              </Badge>
            )}
          </Group>
          <Text size="sm">
            {TRIGGER_LABELS[trigger.event] ?? trigger.event}
            {trigger.minutes !== undefined && ` (${trigger.minutes} min)`} · {inboxName} · {rule.actions.length} action{rule.actions.length === 1 ? '' : 's'}
          </Text>
          <LastFiring ruleId={rule.id} />
        </Stack>
        <Stack gap={4} align="flex-end">
          <Switch aria-label={`Enabled: ${rule.name}`} label="Enabled" checked={rule.enabled} disabled={!rule.canEdit || busy} onChange={(e) => onToggle(rule, e.currentTarget.checked)} />
          <Group gap={2}>
            <ActionIcon variant="subtle" disabled={index === 0 || !rule.canEdit} onClick={() => onMove(index, index - 1)} aria-label={`Move ${rule.name} up`}>
              ↑
            </ActionIcon>
            <ActionIcon variant="subtle" disabled={index === count - 1 || !rule.canEdit} onClick={() => onMove(index, index + 1)} aria-label={`Move ${rule.name} down`}>
              ↓
            </ActionIcon>
          </Group>
        </Stack>
      </Group>
    </Paper>
  );
}

export default function AutomationPage() {
  const queryClient = useQueryClient();
  const rules = useQuery({ queryKey: RULES_KEY, queryFn: () => unwrap(api.GET('/api/v1/automation-rules')) });
  const inboxes = useQuery({ queryKey: ['inboxes'], queryFn: () => unwrap(api.GET('/api/v1/inboxes')) });
  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 4 } }), useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }));
  const items = rules.data?.items ?? [];

  const move = useMutation({
    mutationFn: ({ id, position }: { id: string; position: number }) => unwrap(api.POST('/api/v1/automation-rules/{id}/move', { params: { path: { id } }, body: { position } })),
    onSuccess: (list) => queryClient.setQueryData(RULES_KEY, list),
    onError: () => queryClient.invalidateQueries({ queryKey: RULES_KEY }),
  });
  const toggle = useMutation({
    mutationFn: ({ rule, enabled }: { rule: Rule; enabled: boolean }) => unwrap(api.PATCH('/api/v1/automation-rules/{id}', { params: { path: { id: rule.id } }, body: { enabled, stopProcessing: rule.stopProcessing, allowChaining: rule.allowChaining } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: RULES_KEY }),
  });

  const moveTo = (from: number, to: number) => {
    if (from === to || to < 0 || to >= items.length) return;
    const target = items[to];
    queryClient.setQueryData(RULES_KEY, { items: arrayMove(items, from, to) });
    move.mutate({ id: items[from].id, position: target.position });
  };
  const onDragEnd = (e: DragEndEvent) => {
    if (!e.over || e.active.id === e.over.id) return;
    moveTo(
      items.findIndex((r) => r.id === e.active.id),
      items.findIndex((r) => r.id === e.over!.id),
    );
  };
  const inboxName = (id: string | null) => (id ? (inboxes.data?.find((i) => i.id === id)?.name ?? 'an inbox') : 'every inbox');

  return (
    <>
      <PageHeader
        title="Automation"
        description="Rules run in this order on every event of their trigger; drag to reorder (or use the arrows)."
        actions={
          <Button component={Link} to="/automation/new">
            New rule
          </Button>
        }
      />
      <ErrorAlert error={rules.error ?? move.error ?? toggle.error} />
      {rules.isLoading ? (
        <Loading />
      ) : items.length === 0 ? (
        <EmptyState title="No automation rules yet" action={<Button component={Link} to="/automation/new">Create a rule</Button>}>
          Create a rule: pick a trigger (a message arrives, the customer waits 30 minutes…), conditions and actions, test it on a conversation, then enable it.
        </EmptyState>
      ) : (
        <DndContext sensors={sensors} collisionDetection={closestCenter} onDragEnd={onDragEnd}>
          <SortableContext items={items.map((r) => r.id)} strategy={verticalListSortingStrategy}>
            <Stack gap="xs" role="list" aria-label="Rules in order">
              {items.map((r, i) => (
                <RuleRow key={r.id} rule={r} index={i} count={items.length} inboxName={inboxName(r.inboxId)} onMove={moveTo} onToggle={(rule, enabled) => toggle.mutate({ rule, enabled })} busy={toggle.isPending} />
              ))}
            </Stack>
          </SortableContext>
        </DndContext>
      )}
    </>
  );
}
