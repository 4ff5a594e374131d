// The parsers that read what others typed, on input made to hurt them: the message formatter
// on 100,000 characters of hostile text, and the server list on a huge field. Their unit tests
// check what comes out; how long it takes is measured here, where a slow machine reports a
// slow figure instead of failing a test.
import { formatMessage } from '../../src/lib/text/message-format';
import { parseServerList } from '../../src/lib/servers/server-list';
import { percentile, type Figures } from './report';

/** The hostile message of test/unit/text/message-format.test.ts: every delimiter, interleaved. */
function hostileMessage(length: number): string {
  const pieces = ['*', '_', '`', '``', '> ', '```js\n', '\n', 'a', ' ', 'https://x.test/_*', '@a'];
  let message = '';
  for (let i = 0; message.length < length; i += 1) message += pieces[(i * 7919) % pieces.length];
  return message;
}

/** The median of `runs` timings of `work`, in ms (a first run warms the code up). */
function medianMs(runs: number, work: () => void): number {
  work();
  const timings: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    work();
    timings.push(performance.now() - started);
  }
  return percentile(timings, 50);
}

export function parseFigures(figures: Figures, smoke: boolean): void {
  const runs = smoke ? 1 : 5;
  const message = hostileMessage(100_000);
  figures.record({
    figure: 'format 100,000 hostile characters',
    value: medianMs(runs, () => {
      formatMessage(message, { mentionName: 'a' });
      for (const many of ['*'.repeat(100_000), '```\n'.repeat(25_000), '`a'.repeat(50_000)]) {
        formatMessage(many);
      }
    }),
    unit: 'ms',
    // Linear parsing: a quadratic step would take minutes here.
    target: 1_000,
    kind: 'max',
    note: 'In Node, the median of the runs: a mixed hostile message, then three runs of one delimiter.',
  });
  figures.record({
    figure: 'read a huge server list field',
    value: medianMs(runs, () => {
      parseServerList(',\n '.repeat(300_000), '');
      parseServerList('https://a.example '.repeat(100_000), '');
      parseServerList('https://a.example', 'x'.repeat(1_000_000) + ' y');
      parseServerList('https://a.example/' + 'a'.repeat(100_000), '');
    }),
    unit: 'ms',
    target: 500,
    kind: 'max',
    note: 'In Node, the median of the runs: the four huge fields of test/unit/servers/server-list.test.ts.',
  });
}
