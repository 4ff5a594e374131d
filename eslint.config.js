import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';

/**
 * The layers (docs/architecture.md): data flows transport → feed → session → state →
 * component, and each layer imports only from the ones before it. test/unit/lint-rules.test.ts
 * proves each of these fires.
 */
const LIB_IMPORTS_NO_UI = {
  patterns: [
    { group: ['svelte', 'svelte/*'], message: 'src/lib is framework-free: no Svelte in it.' },
    {
      group: ['**/state/**', '**/components/**', '*.svelte', '**/*.svelte.ts', '**/*.svelte.js'],
      message: 'src/lib imports no state and no components: they are built on it.',
    },
  ],
};
const STATE_IMPORTS_NO_COMPONENTS = {
  patterns: [
    {
      group: ['**/components/**'],
      message: 'src/state mirrors src/lib for the components: it imports none of them.',
    },
  ],
};
const ONLY_APP_IMPORTS_STATE = {
  patterns: [
    {
      group: ['**/state/**', '**/*.svelte.ts', '**/*.svelte.js'],
      message: 'Components take props and give callbacks: only src/components/app/ imports state.',
    },
  ],
};
/** Components never talk to the network or storage: that is src/lib's job, through state. */
const COMPONENTS_TOUCH_NO_IO = [
  'fetch',
  'WebSocket',
  'EventSource',
  'XMLHttpRequest',
  'localStorage',
  'sessionStorage',
  'indexedDB',
  'BroadcastChannel',
].map((name) => ({
  name,
  message: 'Components never fetch, open sockets or touch storage: ask src/lib through state.',
}));

const NO_MARKUP =
  'Untrusted text must never become markup: build the DOM with Svelte templates or text nodes ' +
  '(see src/components/MessageText.svelte).';

export default ts.config(
  { ignores: ['dist/', 'node_modules/', 'test-results/', 'playwright-report/'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'svelte/no-at-html-tags': 'error',
    },
  },
  {
    // HTML sinks and string evaluation have no place in the app (nor does its CSP allow them):
    // test/unit/lint-rules.test.ts proves each of these fires.
    files: ['src/**'],
    rules: {
      'svelte/no-at-html-tags': 'error',
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
      'no-restricted-properties': [
        'error',
        ...[
          'innerHTML',
          'outerHTML',
          'insertAdjacentHTML',
          'srcdoc',
          'createContextualFragment',
          'setHTMLUnsafe',
          'parseHTMLUnsafe',
          'parseFromString',
        ].map((property) => ({ property, message: NO_MARKUP })),
        { object: 'document', property: 'write', message: NO_MARKUP },
        { object: 'document', property: 'writeln', message: NO_MARKUP },
      ],
      'no-restricted-syntax': [
        'error',
        {
          // window.document.write(…), frame.contentDocument.writeln(…)
          selector:
            'MemberExpression[property.name=/^(write|writeln)$/][object.property.name=/^(document|contentDocument|ownerDocument)$/]',
          message: NO_MARKUP,
        },
        ...[
          'CallExpression[callee.property.name="setAttribute"][arguments.0.value=/^(srcdoc$|on)/i]',
          'CallExpression[callee.property.name="setAttributeNS"][arguments.1.value=/^(srcdoc$|on)/i]',
        ].map((selector) => ({
          selector,
          message: `${NO_MARKUP} No srcdoc or event-handler attributes from strings either.`,
        })),
        {
          selector: 'SvelteDirective[kind="Binding"][key.name.name=/^(innerHTML|outerHTML)$/]',
          message: NO_MARKUP,
        },
        { selector: 'SvelteAttribute[key.name="srcdoc"]', message: NO_MARKUP },
      ],
    },
  },
  { files: ['src/lib/**'], rules: { 'no-restricted-imports': ['error', LIB_IMPORTS_NO_UI] } },
  {
    files: ['src/state/**'],
    rules: { 'no-restricted-imports': ['error', STATE_IMPORTS_NO_COMPONENTS] },
  },
  {
    files: ['src/components/**'],
    ignores: ['src/components/app/**'],
    rules: { 'no-restricted-imports': ['error', ONLY_APP_IMPORTS_STATE] },
  },
  {
    files: ['src/components/**'],
    rules: {
      'no-restricted-globals': ['error', ...COMPONENTS_TOUCH_NO_IO],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] } },
  },
);
