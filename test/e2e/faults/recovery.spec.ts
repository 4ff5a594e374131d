// Fault injection, part 2: faults that only a check or a deadline notices, and refusals.
// Half-open connections (15 s blackhole), HTTP 500s then a stalled delivery, falling behind
// retention, the room deleted under an open client, and a revoked key (401, no retry loop).
// Each scenario (scenarios.ts) has its own stand-in, proxy and pages; they run side by side.
// Tagged @core: the polling project runs them against stand-ins whose WebSocket is broken.
import { test } from './fault-kit';
import { SCENARIOS, runScenarios } from './scenarios';

test('faults that need noticing: half-open connections, 500s and a stall, retention, a deleted room, a revoked key @core', async ({
  users,
  lab,
  synapMode,
}) => {
  test.setTimeout(180_000);
  await runScenarios({ users, lab, mode: synapMode }, [
    'half-open',
    '500s-and-stall',
    'retention',
    'room-deleted',
    'revoked-key',
  ]);
});

// A publish that fails while the feed stays live (REST answers 500 for a moment, the socket is
// fine) goes again by itself once the server answers, before anything written after it.
test('a message that failed while the feed stayed live goes out by itself, in order @core', async ({
  users,
  lab,
  synapMode,
}) => {
  await SCENARIOS['rest-hiccup']({
    users,
    lab,
    mode: synapMode,
    report: lab.report('rest-hiccup'),
  });
});
