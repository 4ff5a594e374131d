// The bench's figures: one row each, printed as one table and written as JSON. A bench
// reports; it does not assert (a missed target is a row that says so, not a failure).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { format, resolveConfig } from 'prettier';

export interface Row {
  figure: string;
  value: number;
  unit: string;
  /** null: a figure reported for information, with no target. */
  target: number | null;
  /** 'max': the value should not exceed the target; 'min': it should reach it. */
  kind: 'max' | 'min';
  /** Where it was measured and how, briefly (JSON only). */
  note?: string;
}

export class Figures {
  readonly rows: Row[] = [];
  /** Raw samples and counts behind the rows, for results.json. */
  readonly details: Record<string, unknown> = {};
  /** Measurements that could not be made (the page never went live, a wait timed out...). */
  readonly errors: string[] = [];

  record(row: Row): void {
    const value = Number.isFinite(row.value) ? Math.round(row.value * 10) / 10 : row.value;
    this.rows.push({ ...row, value });
  }

  detail(key: string, value: unknown): void {
    this.details[key] = value;
  }
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

export function met(row: Row): boolean | null {
  if (row.target === null) return null;
  if (!Number.isFinite(row.value)) return false;
  return row.kind === 'max' ? row.value <= row.target : row.value >= row.target;
}

function formatNumber(value: number): string {
  return Number.isFinite(value) ? value.toLocaleString('en') : 'n/a';
}

/** How far the value is from its target, signed: "+21.3 KiB" over a maximum, "-4 ms" under. */
function versus(row: Row): string {
  if (row.target === null || !Number.isFinite(row.value)) return '—';
  const difference = Math.round((row.value - row.target) * 10) / 10;
  const sign = difference > 0 ? '+' : difference < 0 ? '-' : '±';
  return `${sign}${formatNumber(Math.abs(difference))}${row.unit ? ` ${row.unit}` : ''}`;
}

export function table(rows: readonly Row[]): string {
  const lines = rows.map((row) => {
    const ok = met(row);
    const target =
      row.target === null
        ? '—'
        : `${row.kind === 'max' ? '≤' : '≥'} ${formatNumber(row.target)}${row.unit ? ` ${row.unit}` : ''}`;
    return [
      row.figure,
      `${formatNumber(row.value)}${row.unit ? ` ${row.unit}` : ''}`,
      target,
      ok === null ? '—' : ok ? 'yes' : 'NO',
      versus(row),
    ];
  });
  const header = ['figure', 'measured', 'target', 'met?', 'vs target'];
  const widths = header.map((title, i) =>
    Math.max(title.length, ...lines.map((line) => (line[i] ?? '').length)),
  );
  const format = (cells: string[]) =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [
    format(header),
    `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`,
    ...lines.map(format),
  ].join('\n');
}

/** Written as Prettier would format it, so `npm run lint` passes with a fresh results file. */
export async function writeResults(file: string, content: unknown): Promise<void> {
  mkdirSync(path.dirname(file), { recursive: true });
  const json = JSON.stringify(content, null, 2);
  let text = `${json}\n`;
  try {
    const options = (await resolveConfig(file)) ?? {};
    text = await format(json, { ...options, plugins: [], filepath: file, parser: 'json' });
  } catch {
    // Unformatted JSON is still JSON.
  }
  writeFileSync(file, text);
}
