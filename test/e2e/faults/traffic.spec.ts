// Fault injection, part 1: heavy traffic through faults. Connections dropped 50 times while
// 1,000 messages are published, the browser offline and back three times while Alice writes,
// a restart that wipes the room mid-conversation, and one user in two tabs with a reload in
// the middle of a burst. Each scenario (scenarios.ts) has its own stand-in, proxy and pages;
// they run side by side. Tagged @core: the polling project runs them against stand-ins whose
// WebSocket is broken.
import { test } from './fault-kit';
import { SCENARIOS, runScenarios } from './scenarios';

test('faults under traffic: 50 drops over 1,000 messages, offline and back, a wiping restart @core', async ({
  users,
  lab,
  synapMode,
}) => {
  test.setTimeout(180_000);
  await runScenarios({ users, lab, mode: synapMode }, ['drops', 'offline', 'restart-wipe']);
});

// A test of its own, so it can be repeated alone (`--repeat-each=20 -g "two tabs and a reload"`).
test('faults under traffic: two tabs and a reload, every message shown once in both tabs @core', async ({
  users,
  lab,
  synapMode,
}) => {
  test.setTimeout(120_000);
  await SCENARIOS['two-tabs-reload']({
    users,
    lab,
    mode: synapMode,
    report: lab.report('two-tabs-reload'),
  });
});
