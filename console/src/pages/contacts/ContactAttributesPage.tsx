import { closestCenter, DndContext, KeyboardSensor, PointerSensor, useSensor, useSensors, type DragEndEvent } from '@dnd-kit/core';
import { arrayMove, SortableContext, sortableKeyboardCoordinates, useSortable, verticalListSortingStrategy } from '@dnd-kit/sortable';
import { ActionIcon, Anchor, Button, Group, Paper, SegmentedControl, Stack, Switch, TagsInput, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { showApiErrors } from '../../api/form-errors';
import { ConfirmButton } from '../../components/ConfirmButton';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';

type Attribute = Schemas['ContactAttributeView'];
const KEY = ['contact-attributes'] as const;

function CreateAttributeForm() {
  const qc = useQueryClient();
  const [formError, setFormError] = useState<unknown>(null);
  const form = useForm({ initialValues: { key: '', label: '', type: 'text' as Attribute['type'], options: [] as string[], visible: true } });
  const create = useMutation({
    mutationFn: (v: typeof form.values) => unwrap(api.POST('/api/v1/contact-attributes', { body: { ...v, options: v.type === 'dropdown' ? v.options : undefined } })),
    onMutate: () => setFormError(null),
    onSuccess: async () => {
      form.reset();
      await qc.invalidateQueries({ queryKey: KEY });
    },
    onError: (e) => setFormError(showApiErrors(form, e)),
  });
  return (
    <Paper withBorder radius="md" p="md" component="section" aria-label="New attribute">
      <Title order={2} size="h5" mb="sm">
        New attribute
      </Title>
      <form onSubmit={form.onSubmit((v) => create.mutate(v))} noValidate>
        <Stack>
          <ErrorAlert error={formError} />
          <Group grow align="flex-start" wrap="wrap">
            <TextInput label="Label" placeholder="Customer tier" miw={180} {...form.getInputProps('label')} />
            <TextInput label="Key" description="snake_case; {{contact.<key>}} in texts" placeholder="customer_tier" miw={180} {...form.getInputProps('key')} />
          </Group>
          <Stack gap={4}>
            <Text size="sm" fw={500} id="attr-type-label">
              Type
            </Text>
            <SegmentedControl
              aria-labelledby="attr-type-label"
              data={[
                { value: 'text', label: 'Text' },
                { value: 'dropdown', label: 'Dropdown' },
              ]}
              {...form.getInputProps('type')}
              w="fit-content"
            />
          </Stack>
          {form.values.type === 'dropdown' && <TagsInput label="Choices" description="Press Enter after each" {...form.getInputProps('options')} />}
          <Switch label="Visible to agents" {...form.getInputProps('visible', { type: 'checkbox' })} />
          <Group>
            <Button type="submit" loading={create.isPending}>
              Create attribute
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

function Row({ attr, index, count, move }: { attr: Attribute; index: number; count: number; move: (from: number, to: number) => void }) {
  const qc = useQueryClient();
  const { attributes, listeners, setNodeRef, transform, transition, isDragging } = useSortable({ id: attr.id });
  const update = useMutation({
    mutationFn: (visible: boolean) => unwrap(api.PATCH('/api/v1/contact-attributes/{id}', { params: { path: { id: attr.id } }, body: { visible } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: KEY }),
  });
  return (
    <Paper
      ref={setNodeRef}
      withBorder
      radius="sm"
      p="xs"
      role="listitem"
      aria-label={attr.label}
      style={{ transform: transform ? `translate3d(${transform.x}px, ${transform.y}px, 0)` : undefined, transition, opacity: isDragging ? 0.6 : 1, background: 'var(--mantine-color-body)' }}
    >
      <Group justify="space-between" wrap="nowrap" gap="xs">
        <Group gap="xs" wrap="nowrap" style={{ minWidth: 0 }}>
          <ActionIcon variant="subtle" color="gray" aria-label={`Drag ${attr.label}`} style={{ cursor: 'grab', touchAction: 'none' }} {...attributes} {...listeners}>
            ⠿
          </ActionIcon>
          <Stack gap={0} style={{ minWidth: 0 }}>
            <Text fw={500} size="sm" truncate>
              {attr.label}
            </Text>
            <Text size="xs" c="dimmed" truncate>
              {attr.key} · {attr.type}
              {attr.type === 'dropdown' ? `: ${attr.options.join(', ')}` : ''}
            </Text>
          </Stack>
        </Group>
        <Group gap={4} wrap="nowrap">
          <Switch size="xs" label="Visible" checked={attr.visible} disabled={update.isPending} onChange={(e) => update.mutate(e.currentTarget.checked)} />
          <ActionIcon variant="default" aria-label={`Move ${attr.label} up`} disabled={index === 0} onClick={() => move(index, index - 1)}>
            ↑
          </ActionIcon>
          <ActionIcon variant="default" aria-label={`Move ${attr.label} down`} disabled={index === count - 1} onClick={() => move(index, index + 1)}>
            ↓
          </ActionIcon>
          <ConfirmButton
            size="compact-xs"
            variant="subtle"
            title={`Delete attribute ${attr.label}?`}
            message="The attribute and its value on every contact are deleted. This cannot be undone."
            onConfirm={() => unwrap(api.DELETE('/api/v1/contact-attributes/{id}', { params: { path: { id: attr.id } } })).then(() => qc.invalidateQueries({ queryKey: KEY }))}
          >
            Delete
          </ConfirmButton>
        </Group>
      </Group>
      <ErrorAlert error={update.error} />
    </Paper>
  );
}

/** Custom contact attributes: create (type, visibility), order by drag-and-drop or the ↑/↓ buttons, delete. */
export default function ContactAttributesPage() {
  const qc = useQueryClient();
  const list = useQuery({ queryKey: KEY, queryFn: () => unwrap(api.GET('/api/v1/contact-attributes')) });
  const [order, setOrder] = useState<Attribute[]>([]);
  useEffect(() => {
    if (list.data) setOrder(list.data);
  }, [list.data]);
  const reorder = useMutation({
    mutationFn: (ids: string[]) => unwrap(api.PUT('/api/v1/contact-attributes/order', { body: { ids } })),
    onSettled: () => qc.invalidateQueries({ queryKey: KEY }),
  });
  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 4 } }), useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }));
  const move = (from: number, to: number) => {
    if (to < 0 || to >= order.length || from === to) return;
    const next = arrayMove(order, from, to);
    setOrder(next);
    reorder.mutate(next.map((a) => a.id));
  };
  const onDragEnd = (e: DragEndEvent) => {
    if (!e.over || e.active.id === e.over.id) return;
    move(
      order.findIndex((a) => a.id === e.active.id),
      order.findIndex((a) => a.id === e.over!.id),
    );
  };

  return (
    <>
      <Anchor component={Link} to="/contacts" size="sm">
        ← Contacts
      </Anchor>
      <PageHeader title="Contact attributes" description="Custom fields of every contact, in the order agents see them. Drag to reorder, or use the arrows." />
      <Stack>
        <ErrorAlert error={list.error ?? reorder.error} />
        {list.isPending ? (
          <Loading label="Loading attributes" />
        ) : order.length === 0 ? (
          <EmptyState title="No contact attributes yet">Create one below, e.g. a customer tier as a dropdown; it shows on every contact.</EmptyState>
        ) : (
          <DndContext sensors={sensors} collisionDetection={closestCenter} onDragEnd={onDragEnd}>
            <SortableContext items={order.map((a) => a.id)} strategy={verticalListSortingStrategy}>
              <Stack gap="xs" role="list" aria-label="Contact attributes">
                {order.map((a, i) => (
                  <Row key={a.id} attr={a} index={i} count={order.length} move={move} />
                ))}
              </Stack>
            </SortableContext>
          </DndContext>
        )}
        {reorder.isPending && (
          <Text size="xs" c="dimmed" role="status">
            Saving order…
          </Text>
        )}
        <CreateAttributeForm />
      </Stack>
    </>
  );
}
