// Fault injection, part 1: heavy traffic through faults. Connections dropped 50 times while
// 1,000 messages are published, the browser offline and back three times while Alice writes,
// a restart that wipes the room mid-conversation, and one user in two tabs with a reload in
// the middle of a burst. Each scenario (scenarios.ts) has its own stand-in, proxy and pages;
// they run side by side. Tagged @core: the polling project runs them against stand-ins whose
// WebSocket is broken.
import { test } from './fault-kit';
import { runScenarios } from './scenarios';

test('faults under traffic: 50 drops over 1,000 messages, offline and back, a wiping restart, two tabs and a reload @core', async ({
  users,
  lab,
  synapMode,
}) => {
  test.setTimeout(180_000);
  await runScenarios({ users, lab, mode: synapMode }, [
    'drops',
    'offline',
    'restart-wipe',
    'two-tabs-reload',
  ]);
});
