import { ActionIcon, Button, Group, NumberInput, Paper, SegmentedControl, Select, Stack, TagsInput, Text, TextInput, MultiSelect } from '@mantine/core';
import type { UseFormReturnType } from '@mantine/form';
import { defaultValue, groupEntries, groupMode, isGroup, LIST_OPERATORS, newCondition, NO_VALUE_OPERATORS, OPERATOR_LABELS, type Catalog, type ConditionValues, type GroupValues, type RuleFormValues } from './model';

type Form = UseFormReturnType<RuleFormValues>;

interface NodeProps {
  form: Form;
  catalog: Catalog;
  /** The form path of the node, e.g. 'conditions' or 'conditions.all.1'. */
  path: string;
  /** Its number for people, e.g. '1.2' (the root: ''). */
  label: string;
  depth: number;
}

function ValueEditor({ form, catalog, path, cond }: { form: Form; catalog: Catalog; path: string; cond: ConditionValues }) {
  const attr = catalog.attributes.find((a) => a.path === cond.attribute);
  const op = cond.operator;
  const p = `${path}.value`;
  const err = form.errors[p];
  if (NO_VALUE_OPERATORS.includes(op)) return null;
  if (op === 'changed') {
    return (
      <Group gap="xs" grow style={{ flex: 1, minWidth: 200 }}>
        <TextInput label="From" placeholder="any" {...form.getInputProps(`${p}.from`)} error={form.errors[`${p}.from`] ?? err} />
        <TextInput label="To" placeholder="any" {...form.getInputProps(`${p}.to`)} error={form.errors[`${p}.to`]} />
      </Group>
    );
  }
  const common = { label: 'Value', error: err, style: { flex: 1, minWidth: 180 } };
  const values = attr?.values ?? [];
  if (LIST_OPERATORS.includes(op)) {
    const list = Array.isArray(cond.value) ? cond.value.map(String) : [];
    if (values.length)
      return <MultiSelect {...common} data={values} value={list} onChange={(v) => form.setFieldValue(p, v)} placeholder="Pick values" />;
    return <TagsInput {...common} value={list} onChange={(v) => form.setFieldValue(p, v)} placeholder="Type a value, Enter" />;
  }
  switch (attr?.kind) {
    case 'boolean':
      return <Select {...common} data={['true', 'false']} value={String(cond.value ?? true)} onChange={(v) => form.setFieldValue(p, v === 'true')} allowDeselect={false} />;
    case 'number':
      return <NumberInput {...common} min={attr.min} max={attr.max} value={cond.value as number | string} onChange={(v) => form.setFieldValue(p, v)} />;
    case 'enum':
    case 'weekday':
      return <Select {...common} data={values} value={cond.value === undefined ? null : String(cond.value)} onChange={(v) => form.setFieldValue(p, v)} />;
    case 'time':
      return <TextInput {...common} placeholder="HH:MM" value={String(cond.value ?? '')} onChange={(e) => form.setFieldValue(p, e.currentTarget.value)} />;
    case 'datetime':
      return <TextInput {...common} placeholder="2026-01-31T09:00:00Z" value={String(cond.value ?? '')} onChange={(e) => form.setFieldValue(p, e.currentTarget.value)} />;
    default:
      return <TextInput {...common} value={cond.value === undefined ? '' : String(cond.value)} onChange={(e) => form.setFieldValue(p, e.currentTarget.value)} />;
  }
}

function ConditionRow({ form, catalog, path, label, onRemove }: { form: Form; catalog: Catalog; path: string; label: string; onRemove: () => void }) {
  const cond = form.getInputProps(path).value as ConditionValues;
  const attr = catalog.attributes.find((a) => a.path === cond.attribute);
  const operators = attr?.operators ?? catalog.operators;
  return (
    <Paper withBorder p="xs" radius="sm" role="group" aria-label={`Condition ${label}`}>
      <Group align="flex-start" gap="xs" wrap="wrap">
        <Select
          label="Attribute"
          searchable
          style={{ flex: 1, minWidth: 200 }}
          data={catalog.attributes.map((a) => ({ value: a.path, label: a.path }))}
          value={cond.attribute || null}
          error={form.errors[`${path}.attribute`]}
          onChange={(v) => {
            const next = catalog.attributes.find((a) => a.path === v);
            const op = next && !(next.operators as string[]).includes(cond.operator) ? next.operators[0] : cond.operator;
            form.setFieldValue(path, { attribute: v ?? '', operator: op, value: defaultValue(next, op) });
          }}
          description={attr ? `${attr.kind}: ${attr.description}` : undefined}
        />
        <Select
          label="Operator"
          style={{ width: 180 }}
          data={operators.map((o) => ({ value: o, label: OPERATOR_LABELS[o] ?? o }))}
          value={cond.operator}
          allowDeselect={false}
          error={form.errors[`${path}.operator`]}
          onChange={(v) => form.setFieldValue(path, { ...cond, operator: v ?? cond.operator, value: defaultValue(attr, v ?? cond.operator) })}
        />
        <ValueEditor form={form} catalog={catalog} path={path} cond={cond} />
        <ActionIcon variant="subtle" color="red" mt={24} onClick={onRemove} aria-label={`Remove condition ${label}`}>
          ×
        </ActionIcon>
      </Group>
    </Paper>
  );
}

/** A group {all: [...]} / {any: [...]} of conditions and groups, nestable to the catalog's depth. */
export function ConditionGroup({ form, catalog, path, label, depth }: NodeProps) {
  const group = form.getInputProps(path).value as GroupValues;
  const mode = groupMode(group);
  const entries = groupEntries(group);
  const name = label === '' ? 'Conditions' : `Group ${label}`;
  const set = (list: unknown[], m: 'all' | 'any' = mode) => form.setFieldValue(path, { [m]: list } as GroupValues);
  const childLabel = (i: number) => (label === '' ? `${i + 1}` : `${label}.${i + 1}`);
  const parentPath = path.replace(/\.(all|any)\.\d+$/, '');
  const groupError = form.errors[path] ?? form.errors[`${path}.${mode}`];
  return (
    <Paper withBorder p="sm" radius="md" role="group" aria-label={name} bg={depth % 2 ? 'var(--mantine-color-gray-0)' : undefined}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="wrap" gap="xs">
          <Group gap="xs">
            <Text size="sm" fw={600}>
              {name}: match
            </Text>
            <SegmentedControl
              size="xs"
              aria-label={`${name} match`}
              value={mode}
              onChange={(m) => set(entries, m as 'all' | 'any')}
              data={[
                { value: 'all', label: 'all (AND)' },
                { value: 'any', label: 'any (OR)' },
              ]}
            />
          </Group>
          {label !== '' && (
            <Button
              size="compact-xs"
              variant="subtle"
              color="red"
              aria-label={`Remove group ${label}`}
              onClick={() => {
                const parent = form.getInputProps(parentPath).value as GroupValues;
                const i = Number(path.split('.').pop());
                form.setFieldValue(parentPath, { [groupMode(parent)]: groupEntries(parent).filter((_, j) => j !== i) } as GroupValues);
              }}
            >
              Remove group
            </Button>
          )}
        </Group>
        {groupError && (
          <Text c="red" size="xs" role="alert">
            {groupError}
          </Text>
        )}
        {entries.length === 0 && (
          <Text size="xs" c="dimmed">
            No conditions: {label === '' ? 'the rule runs on every event of its trigger.' : 'this group always holds.'}
          </Text>
        )}
        {entries.map((e, i) =>
          isGroup(e) ? (
            <ConditionGroup key={i} form={form} catalog={catalog} path={`${path}.${mode}.${i}`} label={childLabel(i)} depth={depth + 1} />
          ) : (
            <ConditionRow key={i} form={form} catalog={catalog} path={`${path}.${mode}.${i}`} label={childLabel(i)} onRemove={() => set(entries.filter((_, j) => j !== i))} />
          ),
        )}
        <Group gap="xs">
          <Button size="compact-sm" variant="light" onClick={() => set([...entries, newCondition()])} aria-label={`Add condition to ${name.toLowerCase()}`}>
            + Condition
          </Button>
          {depth < catalog.maxGroupDepth && (
            <Button size="compact-sm" variant="light" color="grape" onClick={() => set([...entries, { all: [newCondition()] }])} aria-label={`Add group to ${name.toLowerCase()}`}>
              + Group
            </Button>
          )}
        </Group>
      </Stack>
    </Paper>
  );
}
