// `npm run bench -- --profile`: CPU profiles (Chrome DevTools Protocol, V8's sampling
// profiler) of the WebSocket-mode page figures (latency, burst, backlog, paging), summarised
// as the functions with the most self time, mapped back to the app's sources through the
// build's source map. Off by default: sampling costs the page a little time, so the figures of
// a profiled run are not the reference ones.
import type { BrowserContext, Page } from 'playwright-core';
import { ROOT } from './app-build';

export interface ProfileEntry {
  selfMs: number;
  /** Share of the sampled time outside "(idle)". */
  percent: number;
  /** The function's name in the build (minified), or V8's label: "(garbage collector)"... */
  name: string;
  /** Where it comes from: source file:line and that line's text, or the script URL. */
  where: string;
}

export interface ProfileSummary {
  label: string;
  sampledMs: number;
  busyMs: number;
  top: ProfileEntry[];
}

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: CallFrame }>;
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

type Mapper = (line: number, column: number) => string | null;

/** Maps a position in the served index.html to the app's source, through its source map. */
async function sourceMapper(html: string, sourceMap: string | null): Promise<Mapper | null> {
  if (!sourceMap) return null;
  const open = /<script\b[^>]*type="module"[^>]*>/.exec(html);
  if (!open) return null;
  const start = open.index + open[0].length;
  const before = html.slice(0, start).split('\n');
  const scriptLine = before.length - 1;
  const scriptColumn = (before.at(-1) ?? '').length;
  let tracing: typeof import('@jridgewell/trace-mapping');
  try {
    // Svelte's own dependency (through @jridgewell/remapping): there whenever svelte is.
    tracing = await import('@jridgewell/trace-mapping');
  } catch {
    return null;
  }
  const map = new tracing.TraceMap(sourceMap);
  const contents = new Map<string, string[]>();
  map.sources.forEach((source, i) => {
    const text = map.sourcesContent?.[i];
    if (source && text) contents.set(source, text.split('\n'));
  });
  return (line, column) => {
    if (line < scriptLine) return null;
    const generatedLine = line - scriptLine + 1;
    const generatedColumn = line === scriptLine ? column - scriptColumn : column;
    const original = tracing.originalPositionFor(map, {
      line: generatedLine,
      column: Math.max(0, generatedColumn),
    });
    if (!original.source || original.line === null) return null;
    // Sources are relative to the build directory: show them relative to the repository.
    const absolute = `/${original.source.replace(/^(\.\.\/)+/, '')}`;
    const source = absolute.startsWith(`${ROOT}/`)
      ? absolute.slice(ROOT.length + 1).replace(/^node_modules\//, '')
      : absolute.replace(/^.*node_modules\//, '');
    const text = (contents.get(original.source)?.[original.line - 1] ?? '').trim().slice(0, 90);
    return `${source}:${original.line}${text ? `  ${text}` : ''}`;
  };
}

export class Profiler {
  /** Every summary taken, in order. */
  readonly summaries: ProfileSummary[] = [];
  readonly #appUrl: string;
  readonly #mapper: Promise<Mapper | null>;

  constructor(appUrl: string, html: string, sourceMap: string | null) {
    this.#appUrl = appUrl;
    this.#mapper = sourceMapper(html, sourceMap);
  }

  /** Starts sampling `page` (every 250 µs); stop() returns the summary. */
  async start(context: BrowserContext, page: Page, label: string) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 250 });
    await cdp.send('Profiler.start');
    return {
      stop: async (): Promise<ProfileSummary> => {
        const { profile } = (await cdp.send('Profiler.stop')) as { profile: CpuProfile };
        await cdp.detach().catch(() => {});
        const summary = await this.#summarise(label, profile);
        this.summaries.push(summary);
        return summary;
      },
    };
  }

  async #summarise(label: string, profile: CpuProfile, count = 15): Promise<ProfileSummary> {
    const mapper = await this.#mapper;
    const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
    const selfUs = new Map<string, { us: number; frame: CallFrame }>();
    const samples = profile.samples ?? [];
    const deltas = profile.timeDeltas ?? [];
    samples.forEach((id, i) => {
      const frame = frames.get(id);
      if (!frame) return;
      // A sample stands for the time until the next one.
      const us = deltas[i + 1] ?? 0;
      const key = `${frame.functionName}|${frame.url}|${frame.lineNumber}|${frame.columnNumber}`;
      const entry = selfUs.get(key) ?? { us: 0, frame };
      entry.us += us;
      selfUs.set(key, entry);
    });
    const all = [...selfUs.values()];
    const busyUs = all
      .filter(({ frame }) => frame.functionName !== '(idle)')
      .reduce((sum, { us }) => sum + us, 0);
    const page = this.#appUrl.replace(/#.*$/, '');
    const top = all
      .filter(({ frame }) => frame.functionName !== '(idle)')
      .sort((a, b) => b.us - a.us)
      .slice(0, count)
      .map(({ us, frame }) => {
        const inApp = frame.url.replace(/#.*$/, '') === page;
        const mapped = inApp && mapper ? mapper(frame.lineNumber, frame.columnNumber) : null;
        return {
          selfMs: Math.round(us / 100) / 10,
          percent: busyUs > 0 ? Math.round((us / busyUs) * 1000) / 10 : 0,
          name: frame.functionName || '(anonymous)',
          where:
            mapped ??
            (frame.url ? `${frame.url}:${frame.lineNumber + 1}:${frame.columnNumber + 1}` : ''),
        };
      });
    return {
      label,
      sampledMs: Math.round((profile.endTime - profile.startTime) / 1000),
      busyMs: Math.round(busyUs / 1000),
      top,
    };
  }
}

/** The summaries as text, for the console. */
export function profileText(summary: ProfileSummary): string {
  const lines = summary.top.map(
    (entry) =>
      `  ${entry.selfMs.toFixed(1).padStart(8)} ms ${entry.percent.toFixed(1).padStart(5)} %  ` +
      `${entry.name.padEnd(22)} ${entry.where}`,
  );
  return [
    `profile "${summary.label}": ${summary.busyMs} ms busy of ${summary.sampledMs} ms sampled; most self time:`,
    ...lines,
  ].join('\n');
}
