import { Switch, Tooltip } from '@mantine/core';

/**
 * The agent's presence (online / offline) in the header. Placeholder: the conversations screen
 * wires it to the presence API (and its heartbeats while the tab is open).
 */
export function PresenceSwitch() {
  return (
    <Tooltip label="Presence: coming next">
      <Switch label="Online" disabled aria-describedby={undefined} />
    </Tooltip>
  );
}
