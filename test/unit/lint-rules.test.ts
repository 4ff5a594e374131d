// The lint rules that keep HTML sinks and string evaluation out of src/ (eslint.config.js):
// each one fires on a snippet, in TypeScript and in Svelte files, and only under src/.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SINK_RULES = new Set([
  'svelte/no-at-html-tags',
  'no-restricted-properties',
  'no-restricted-syntax',
  'no-eval',
  'no-implied-eval',
  'no-new-func',
]);

let eslint: ESLint;

beforeAll(async () => {
  eslint = new ESLint({ cwd: ROOT });
  // Loading the config and the parsers takes seconds, once: not inside a test's time.
  await eslint.lintText('export {};\n', { filePath: path.join(ROOT, 'src/lib/lint-probe.ts') });
  await eslint.lintText('<p></p>\n', {
    filePath: path.join(ROOT, 'src/components/LintProbe.svelte'),
  });
}, 60_000);

/** The ids of the sink rules that fire on `code` as the file `file` (relative to the repo). */
async function sinkRules(code: string, file: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  const fatal = result?.messages.filter((message) => message.fatal) ?? [];
  expect(fatal, 'the snippet must parse').toEqual([]);
  return (result?.messages ?? [])
    .map((message) => message.ruleId ?? '')
    .filter((rule) => SINK_RULES.has(rule));
}

const TS_SINKS: Array<[string, string, string]> = [
  [
    'innerHTML',
    'export const f = (el: Element, s: string) => { el.innerHTML = s; };',
    'no-restricted-properties',
  ],
  [
    'reading innerHTML',
    'export const f = (el: Element) => el.innerHTML;',
    'no-restricted-properties',
  ],
  [
    'innerHTML by name',
    "export const f = (el: Element, s: string) => { el['innerHTML'] = s; };",
    'no-restricted-properties',
  ],
  [
    'outerHTML',
    'export const f = (el: Element, s: string) => { el.outerHTML = s; };',
    'no-restricted-properties',
  ],
  [
    'insertAdjacentHTML',
    "export const f = (el: Element, s: string) => el.insertAdjacentHTML('beforeend', s);",
    'no-restricted-properties',
  ],
  [
    'document.write',
    'export const f = (s: string) => document.write(s);',
    'no-restricted-properties',
  ],
  [
    'document.writeln',
    'export const f = (s: string) => document.writeln(s);',
    'no-restricted-properties',
  ],
  [
    'window.document.write',
    'export const f = (s: string) => window.document.write(s);',
    'no-restricted-syntax',
  ],
  [
    'contentDocument.write',
    'export const f = (frame: HTMLIFrameElement, s: string) => frame.contentDocument?.write(s);',
    'no-restricted-syntax',
  ],
  [
    'srcdoc',
    'export const f = (frame: HTMLIFrameElement, s: string) => { frame.srcdoc = s; };',
    'no-restricted-properties',
  ],
  [
    "setAttribute('srcdoc')",
    "export const f = (el: Element, s: string) => el.setAttribute('srcdoc', s);",
    'no-restricted-syntax',
  ],
  [
    "setAttribute('onclick')",
    "export const f = (el: Element, s: string) => el.setAttribute('onclick', s);",
    'no-restricted-syntax',
  ],
  [
    'createContextualFragment',
    'export const f = (s: string) => document.createRange().createContextualFragment(s);',
    'no-restricted-properties',
  ],
  [
    'DOMParser',
    "export const f = (s: string) => new DOMParser().parseFromString(s, 'text/html');",
    'no-restricted-properties',
  ],
  [
    'setHTMLUnsafe',
    'export const f = (el: Element, s: string) => el.setHTMLUnsafe(s);',
    'no-restricted-properties',
  ],
  ['eval', 'export const f = (s: string) => eval(s);', 'no-eval'],
  ['new Function', 'export const f = (s: string) => new Function(s);', 'no-new-func'],
  ['setTimeout with a string', "export const f = () => setTimeout('go()', 1);", 'no-implied-eval'],
];

describe('lint rules against HTML sinks in src/', () => {
  it.each(TS_SINKS)('forbid %s in TypeScript', async (_name, code, rule) => {
    expect(await sinkRules(code, 'src/lib/lint-probe.ts')).toContain(rule);
  });

  it('forbid {@html} in Svelte markup', async () => {
    const code =
      '<script lang="ts">\n  let { text }: { text: string } = $props();\n</script>\n\n<p>{@html text}</p>\n';
    expect(await sinkRules(code, 'src/components/LintProbe.svelte')).toContain(
      'svelte/no-at-html-tags',
    );
  });

  it('forbid bind:innerHTML and srcdoc in Svelte markup', async () => {
    const code =
      '<script lang="ts">\n  let html = $state(\'\');\n  let { doc }: { doc: string } = $props();\n</script>\n\n' +
      '<div contenteditable="true" bind:innerHTML={html}></div>\n<iframe title="x" srcdoc={doc}></iframe>\n';
    const rules = await sinkRules(code, 'src/components/LintProbe.svelte');
    expect(rules.filter((rule) => rule === 'no-restricted-syntax')).toHaveLength(2);
  });

  it('forbid innerHTML in a Svelte script', async () => {
    const code =
      '<script lang="ts">\n  let box: HTMLDivElement;\n  let { text }: { text: string } = $props();\n' +
      '  $effect(() => {\n    box.innerHTML = text;\n  });\n</script>\n\n<div bind:this={box}></div>\n';
    expect(await sinkRules(code, 'src/components/LintProbe.svelte')).toContain(
      'no-restricted-properties',
    );
  });

  it('let text nodes and textContent through', async () => {
    const code =
      'export function show(el: Element, s: string): void {\n  el.textContent = s;\n' +
      "  el.append(document.createTextNode(s));\n  el.setAttribute('title', s);\n}\n";
    expect(await sinkRules(code, 'src/lib/lint-probe.ts')).toEqual([]);
  });

  it('apply to src/ only (tests may build pages as they like)', async () => {
    const code = 'export const f = (el: Element, s: string) => { el.innerHTML = s; };';
    expect(await sinkRules(code, 'test/unit/lint-probe.ts')).toEqual([]);
  });
});

/** The messages of the layer rules that fire on `code` as the file `file`. */
async function layerRules(code: string, file: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  expect(result?.messages.filter((message) => message.fatal) ?? []).toEqual([]);
  return (result?.messages ?? [])
    .map((message) => message.ruleId ?? '')
    .filter((rule) => rule === 'no-restricted-imports' || rule === 'no-restricted-globals');
}

const LAYER_BREACHES: Array<[string, string, string]> = [
  ['src/lib imports Svelte', "import { tick } from 'svelte';\nvoid tick;", 'src/lib/room/probe.ts'],
  [
    'src/lib imports state',
    "import { ChatState } from '../../state/chat.svelte';\nvoid ChatState;",
    'src/lib/room/probe.ts',
  ],
  [
    'src/lib imports a component',
    "import Timeline from '../components/Timeline.svelte';\nvoid Timeline;",
    'src/lib/probe.ts',
  ],
  [
    'src/state imports a component',
    "import Timeline from '../components/Timeline.svelte';\nvoid Timeline;",
    'src/state/probe.svelte.ts',
  ],
  [
    'a component outside app/ imports state',
    "import { ChatState } from '../state/chat.svelte';\nvoid ChatState;",
    'src/components/probe.ts',
  ],
  ['a component fetches', "void fetch('/x');", 'src/components/app/probe.ts'],
  ['a component touches storage', "void localStorage.getItem('x');", 'src/components/probe.ts'],
];

describe('lint rules that keep the layers apart', () => {
  it.each(LAYER_BREACHES)('fire when %s', async (_name, code, file) => {
    expect(await layerRules(code, file)).not.toEqual([]);
  });

  it('find no breach anywhere in src/', async () => {
    const results = await eslint.lintFiles(['src']);
    const breaches = results.flatMap((result) =>
      result.messages
        .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-globals')
        .map((m) => `${path.relative(ROOT, result.filePath)}:${m.line} ${m.message}`),
    );
    expect(breaches).toEqual([]);
  }, 120_000);

  it('let each layer import the layers below it', async () => {
    const allowed: Array<[string, string]> = [
      ["import { Emitter } from '../lib/emitter';\nvoid Emitter;", 'src/state/probe.svelte.ts'],
      [
        "import { ChatState } from '../../state/chat.svelte';\nvoid ChatState;",
        'src/components/app/probe.ts',
      ],
      ["import Row from './MessageRow.svelte';\nvoid Row;", 'src/components/probe.ts'],
      ["import { Emitter } from './emitter';\nvoid Emitter;", 'src/lib/probe.ts'],
    ];
    for (const [code, file] of allowed) expect(await layerRules(code, file)).toEqual([]);
  });
});
