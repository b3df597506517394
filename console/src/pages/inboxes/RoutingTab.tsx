import {
  DndContext,
  KeyboardSensor,
  PointerSensor,
  closestCenter,
  useSensor,
  useSensors,
  type DragEndEvent,
} from '@dnd-kit/core';
import { SortableContext, arrayMove, sortableKeyboardCoordinates, useSortable, verticalListSortingStrategy } from '@dnd-kit/sortable';
import { ActionIcon, Badge, Button, Group, Modal, Paper, SegmentedControl, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { api, ApiError, unwrap, type Schemas } from '../../api/client';
import { showApiErrors } from '../../api/form-errors';
import { useMe } from '../../auth/useMe';
import { ConfirmButton, EmptyState, ErrorAlert } from '../../components';
import { useMembers } from './MembersTab';
import { OPERATOR_LABEL, OPERATORS, ROUTING_ATTRIBUTES, attributeOf, formatValue, parseValue, takesNoValue } from './routing-attributes';
import { type Inbox, useUpdateInbox } from './useInbox';

type Rule = Schemas['RoutingRuleDto'];
interface FlatCondition {
  attribute: string;
  operator: string;
  value?: unknown;
}
const isGroup = (c: object) => 'all' in c || 'any' in c;

function useTargetNames(inbox: Inbox) {
  const members = useMembers(inbox.id);
  const me = useMe();
  const teams = useQuery({ queryKey: ['teams'], queryFn: () => unwrap(api.GET('/api/v1/teams')), enabled: !!me.data });
  return useMemo(() => {
    const agents = (members.data ?? []).map((m) => ({ value: m.userId, label: m.name }));
    const teamList = (teams.data ?? []).map((t) => ({ value: t.id, label: t.name }));
    const name = (t: Rule['target']) =>
      t.type === 'ai_agent'
        ? 'the AI agent'
        : t.type === 'agent'
          ? `agent ${agents.find((a) => a.value === t.id)?.label ?? t.id}`
          : `team ${teamList.find((a) => a.value === t.id)?.label ?? t.id}`;
    return { agents, teams: teamList, name };
  }, [members.data, teams.data]);
}

function describeConditions(rule: Rule): string {
  if (rule.conditions.length === 0) return 'every conversation';
  const parts = rule.conditions.map((c) => {
    if (isGroup(c)) return '(a group of conditions)';
    const f = c as unknown as FlatCondition;
    const v = takesNoValue(f.operator) ? '' : ` ${formatValue(f.value)}`;
    return `${attributeOf(f.attribute).label} ${OPERATOR_LABEL[f.operator] ?? f.operator}${v}`;
  });
  return parts.join(rule.match === 'all' ? ' and ' : ' or ');
}

function SortableRule(props: {
  uid: string;
  rule: Rule;
  index: number;
  count: number;
  targetName: string;
  onMove: (from: number, to: number) => void;
  onEdit: () => void;
  onDelete: () => Promise<unknown>;
  busy: boolean;
}) {
  const { uid, rule, index, count } = props;
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging } = useSortable({ id: uid });
  const style = {
    transform: transform ? `translate3d(${Math.round(transform.x)}px, ${Math.round(transform.y)}px, 0)` : undefined,
    transition,
    zIndex: isDragging ? 2 : undefined,
    position: 'relative' as const,
  };
  return (
    <Paper withBorder radius="md" p="sm" ref={setNodeRef} style={style} shadow={isDragging ? 'md' : undefined} role="listitem" aria-label={`Rule ${index + 1}: ${rule.name}`}>
      <Group wrap="wrap" align="flex-start" gap="sm">
        <ActionIcon
          variant="subtle"
          color="gray"
          ref={setActivatorNodeRef}
          {...attributes}
          {...listeners}
          aria-label={`Drag rule ${rule.name}`}
          style={{ cursor: 'grab', touchAction: 'none' }}
          mt={2}
        >
          ⠿
        </ActionIcon>
        <Stack gap={2} style={{ flex: '1 1 240px', minWidth: 0 }}>
          <Group gap="xs">
            <Badge size="sm" variant="light" color="gray">
              {index + 1}
            </Badge>
            <Text fw={500} size="sm">
              {rule.name}
            </Text>
          </Group>
          <Text size="sm" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
            When {describeConditions(rule)} → {props.targetName}
          </Text>
        </Stack>
        <Group gap={4} wrap="nowrap" ml="auto" style={{ flexShrink: 0 }}>
          <ActionIcon variant="default" aria-label={`Move rule ${rule.name} up`} disabled={index === 0 || props.busy} onClick={() => props.onMove(index, index - 1)}>
            ↑
          </ActionIcon>
          <ActionIcon variant="default" aria-label={`Move rule ${rule.name} down`} disabled={index === count - 1 || props.busy} onClick={() => props.onMove(index, index + 1)}>
            ↓
          </ActionIcon>
          <Button size="compact-sm" variant="default" onClick={props.onEdit} aria-label={`Edit rule ${rule.name}`}>
            Edit
          </Button>
          <ConfirmButton
            size="compact-sm"
            variant="subtle"
            title={`Delete the rule ${rule.name}?`}
            message="Conversations it would have matched go on to the next rule (or the inbox's members)."
            confirmLabel="Delete rule"
            onConfirm={props.onDelete}
            aria-label={`Delete rule ${rule.name}`}
          >
            Delete
          </ConfirmButton>
        </Group>
      </Group>
    </Paper>
  );
}

interface RuleFormValues {
  name: string;
  match: 'all' | 'any';
  conditions: { attribute: string; operator: string; value: string }[];
  target: { type: string; id: string | null };
}

function toForm(rule: Rule | null): RuleFormValues {
  if (!rule) return { name: '', match: 'all', conditions: [], target: { type: 'agent', id: null } };
  return {
    name: rule.name,
    match: rule.match as 'all' | 'any',
    conditions: rule.conditions.filter((c) => !isGroup(c)).map((c) => {
      const f = c as unknown as FlatCondition;
      return { attribute: f.attribute, operator: f.operator, value: formatValue(f.value) };
    }),
    target: { type: rule.target.type, id: rule.target.id ?? null },
  };
}

function RuleModal(props: {
  inbox: Inbox;
  /** null: a new rule (added at the end). */
  index: number | null;
  opened: boolean;
  onClose: () => void;
  rules: Rule[];
}) {
  const { inbox, index, rules } = props;
  const existing = index === null ? null : rules[index];
  const hasGroups = !!existing?.conditions.some(isGroup);
  const targets = useTargetNames(inbox);
  const [formError, setFormError] = useState<unknown>(null);
  const form = useForm<RuleFormValues>({ initialValues: toForm(existing) });
  const at = index ?? rules.length;
  const save = useUpdateInbox(inbox.id, {
    onSuccess: () => props.onClose(),
    onError: (e) => {
      // The API names the rule's fields settings.routing.rules.<i>.…: the form holds that one rule.
      const prefix = `settings.routing.rules.${at}.`;
      const fields: Record<string, string> = {};
      if (e instanceof ApiError) for (const d of e.details) if (d.field.startsWith(prefix)) fields[d.field] = d.field.slice(prefix.length).replace(/\[(\d+)\]/g, '.$1');
      setFormError(showApiErrors(form, e, fields));
    },
  });
  const submit = form.onSubmit((v) => {
    setFormError(null);
    const conditions: Rule['conditions'] = hasGroups
      ? existing!.conditions
      : v.conditions.map((c) => {
          const value = parseValue(attributeOf(c.attribute).kind, c.operator, c.value);
          return value === undefined ? { attribute: c.attribute, operator: c.operator } : { attribute: c.attribute, operator: c.operator, value };
        });
    const rule: Rule = {
      name: v.name,
      match: v.match,
      conditions,
      target: v.target.type === 'ai_agent' ? { type: 'ai_agent' } : { type: v.target.type as Rule['target']['type'], id: v.target.id ?? undefined },
    };
    const next = [...rules];
    if (index === null) next.push(rule);
    else next[index] = rule;
    save.mutate({ settings: { routing: { rules: next } } });
  });

  return (
    <Modal opened={props.opened} onClose={props.onClose} title={existing ? `Edit rule ${existing.name}` : 'New routing rule'} size="lg">
      <form onSubmit={submit} noValidate>
        <Stack>
          <ErrorAlert error={formError} />
          <TextInput label="Rule name" required data-autofocus {...form.getInputProps('name')} />
          {hasGroups ? (
            <Text size="sm" c="dimmed">
              This rule has nested condition groups, kept as they are: {describeConditions(existing!)}.
            </Text>
          ) : (
            <>
              <Stack gap={4}>
                <Text size="sm" fw={500} id="rule-match-label">
                  Conversations match when
                </Text>
                <SegmentedControl
                  aria-labelledby="rule-match-label"
                  data={[
                    { value: 'all', label: 'all conditions hold' },
                    { value: 'any', label: 'any condition holds' },
                  ]}
                  {...form.getInputProps('match')}
                />
              </Stack>
              {form.values.conditions.length === 0 && (
                <Text size="sm" c="dimmed">
                  No conditions: the rule matches every conversation.
                </Text>
              )}
              {form.values.conditions.map((c, i) => {
                const attr = attributeOf(c.attribute);
                const ops = OPERATORS[attr.kind];
                return (
                  <Paper key={i} withBorder p="xs" radius="sm" role="group" aria-label={`Condition ${i + 1}`}>
                    <Group align="flex-start" gap="xs" wrap="wrap">
                      <Select
                        label="Attribute"
                        aria-label={`Condition ${i + 1} attribute`}
                        searchable
                        allowDeselect={false}
                        data={ROUTING_ATTRIBUTES.map((a) => ({ value: a.path, label: a.label }))}
                        w={210}
                        {...form.getInputProps(`conditions.${i}.attribute`)}
                        onChange={(v) => {
                          if (!v) return;
                          form.setFieldValue(`conditions.${i}.attribute`, v);
                          const kind = attributeOf(v).kind;
                          if (!OPERATORS[kind].includes(c.operator)) form.setFieldValue(`conditions.${i}.operator`, OPERATORS[kind][0]);
                          form.setFieldValue(`conditions.${i}.value`, kind === 'boolean' ? 'true' : '');
                        }}
                      />
                      <Select
                        label="Operator"
                        aria-label={`Condition ${i + 1} operator`}
                        allowDeselect={false}
                        data={ops.map((o) => ({ value: o, label: OPERATOR_LABEL[o] ?? o }))}
                        w={190}
                        {...form.getInputProps(`conditions.${i}.operator`)}
                      />
                      {!takesNoValue(c.operator) &&
                        (attr.kind === 'boolean' ? (
                          <Select label="Value" aria-label={`Condition ${i + 1} value`} allowDeselect={false} data={['true', 'false']} w={150} {...form.getInputProps(`conditions.${i}.value`)} />
                        ) : (
                          <TextInput
                            label="Value"
                            aria-label={`Condition ${i + 1} value`}
                            description={c.operator === 'in' || c.operator === 'not_in' ? 'comma-separated' : attr.values ? attr.values.join(', ') : undefined}
                            w={190}
                            {...form.getInputProps(`conditions.${i}.value`)}
                          />
                        ))}
                      <ActionIcon variant="subtle" color="red" mt={28} aria-label={`Remove condition ${i + 1}`} onClick={() => form.removeListItem('conditions', i)}>
                        ✕
                      </ActionIcon>
                    </Group>
                  </Paper>
                );
              })}
              <Button variant="light" w="fit-content" onClick={() => form.insertListItem('conditions', { attribute: 'contact.vip', operator: 'equals', value: 'true' })}>
                Add condition
              </Button>
            </>
          )}
          <Group align="flex-start" wrap="wrap">
            <Select
              label="Send to"
              allowDeselect={false}
              data={[
                { value: 'agent', label: 'An agent (member of this inbox)' },
                { value: 'team', label: 'A team' },
                { value: 'ai_agent', label: 'The AI agent' },
              ]}
              w={260}
              {...form.getInputProps('target.type')}
              onChange={(v) => {
                if (!v) return;
                form.setFieldValue('target.type', v);
                form.setFieldValue('target.id', null);
              }}
            />
            {form.values.target.type !== 'ai_agent' && (
              <Select
                label={form.values.target.type === 'team' ? 'Team' : 'Agent'}
                searchable
                placeholder={form.values.target.type === 'team' ? 'Pick a team' : 'Pick an agent'}
                data={form.values.target.type === 'team' ? targets.teams : targets.agents}
                nothingFoundMessage={form.values.target.type === 'team' ? 'No teams yet' : 'Add members to the inbox first'}
                w={260}
                {...form.getInputProps('target.id')}
              />
            )}
          </Group>
          <Group justify="flex-end">
            <Button variant="default" onClick={props.onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending}>
              {existing ? 'Save rule' : 'Add rule'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

let uidSeq = 0;

/** The inbox's routing rules in order (the first match wins): drag (or move up / down) to reorder. */
export function RoutingTab({ inbox }: { inbox: Inbox }) {
  const rules = inbox.settings.routing.rules;
  const targets = useTargetNames(inbox);
  const [items, setItems] = useState(() => rules.map((rule) => ({ uid: `r${++uidSeq}`, rule })));
  useEffect(() => setItems(rules.map((rule) => ({ uid: `r${++uidSeq}`, rule }))), [rules]);
  const [editing, setEditing] = useState<{ index: number | null } | null>(null);
  const reorder = useUpdateInbox(inbox.id, { onError: () => setItems(rules.map((rule) => ({ uid: `r${++uidSeq}`, rule }))) });
  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 4 } }), useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }));

  const commit = (next: typeof items) => {
    setItems(next);
    reorder.mutate({ settings: { routing: { rules: next.map((i) => i.rule) } } });
  };
  const move = (from: number, to: number) => commit(arrayMove(items, from, to));
  const onDragEnd = ({ active, over }: DragEndEvent) => {
    if (!over || active.id === over.id) return;
    const from = items.findIndex((i) => i.uid === active.id);
    const to = items.findIndex((i) => i.uid === over.id);
    if (from >= 0 && to >= 0) move(from, to);
  };
  const removal = useUpdateInbox(inbox.id);
  const remove = (index: number) => removal.mutateAsync({ settings: { routing: { rules: items.filter((_r, i) => i !== index).map((i) => i.rule) } } });

  return (
    <Stack maw={860}>
      <Group justify="space-between" align="flex-start">
        <Stack gap={2}>
          <Title order={2} size="h4">
            Routing rules
          </Title>
          <Text size="sm" c="dimmed">
            Checked from the top for each new conversation; the first rule that matches decides who gets it. Conversations no rule matches go to the inbox&apos;s members ({inbox.settings.routing.distribution === 'round_robin' ? 'round robin' : 'least load'}).
          </Text>
        </Stack>
        <Button onClick={() => setEditing({ index: null })}>New rule</Button>
      </Group>
      <ErrorAlert error={reorder.error} />
      {items.length === 0 ? (
        <EmptyState title="No routing rules" action={<Button onClick={() => setEditing({ index: null })}>New rule</Button>}>
          Add a rule to send some conversations (VIP contacts, a channel, a keyword) to a team or an agent first.
        </EmptyState>
      ) : (
        <DndContext sensors={sensors} collisionDetection={closestCenter} onDragEnd={onDragEnd}>
          <SortableContext items={items.map((i) => i.uid)} strategy={verticalListSortingStrategy}>
            <Stack gap="xs" role="list" aria-label="Routing rules in order">
              {items.map((item, index) => (
                <SortableRule
                  key={item.uid}
                  uid={item.uid}
                  rule={item.rule}
                  index={index}
                  count={items.length}
                  targetName={targets.name(item.rule.target)}
                  busy={reorder.isPending}
                  onMove={move}
                  onEdit={() => setEditing({ index })}
                  onDelete={() => remove(index)}
                />
              ))}
            </Stack>
          </SortableContext>
        </DndContext>
      )}
      {reorder.isPending && (
        <Text size="xs" c="dimmed" role="status">
          Saving the order…
        </Text>
      )}
      {editing && <RuleModal key={editing.index ?? 'new'} inbox={inbox} index={editing.index} rules={rules} opened onClose={() => setEditing(null)} />}
    </Stack>
  );
}
