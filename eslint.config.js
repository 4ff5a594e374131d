import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';

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
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] } },
  },
);
