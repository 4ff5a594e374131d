import { describe, expect, it } from 'vitest';
import {
  FOLD_CHARS,
  FOLD_LINES,
  formatMessage,
  isLongText,
  plainText,
  withoutDirectionControls,
  type FormattedBlock,
  type InlineNode,
} from '../../../src/lib/text/message-format';

const text = (value: string): InlineNode => ({ kind: 'text', text: value });
const strong = (...children: InlineNode[]): InlineNode => ({ kind: 'strong', children });
const em = (...children: InlineNode[]): InlineNode => ({ kind: 'em', children });
const code = (value: string): InlineNode => ({ kind: 'code', text: value });
const link = (value: string, href = value): InlineNode => ({ kind: 'link', text: value, href });
const paragraph = (...children: InlineNode[]): FormattedBlock => ({ kind: 'paragraph', children });

/** The inline nodes of a one-paragraph message. */
function inline(message: string, mentionName?: string): InlineNode[] {
  const blocks = formatMessage(message, { mentionName });
  expect(blocks).toHaveLength(1);
  const [block] = blocks;
  if (block?.kind !== 'paragraph') throw new Error(`expected a paragraph, got ${block?.kind}`);
  return block.children;
}

function walk(nodes: InlineNode[], visit: (node: InlineNode) => void): void {
  for (const node of nodes) {
    visit(node);
    if (node.kind === 'strong' || node.kind === 'em') walk(node.children, visit);
  }
}

/** Every href in the formatted message. */
function hrefs(blocks: FormattedBlock[]): string[] {
  const found: string[] = [];
  for (const block of blocks) {
    if (block.kind !== 'code') walk(block.children, (n) => n.kind === 'link' && found.push(n.href));
  }
  return found;
}

/** The characters a reader sees, markup removed. */
function shown(nodes: InlineNode[]): string {
  return nodes
    .map((node) =>
      node.kind === 'strong' || node.kind === 'em' ? shown(node.children) : node.text,
    )
    .join('');
}

describe('formatMessage: plain text', () => {
  it('keeps plain text as one paragraph, exactly, with its links', () => {
    expect(formatMessage(' two  spaces\nand a line, see www.example.com. ')).toEqual([
      paragraph(
        text(' two  spaces\nand a line, see '),
        link('www.example.com', 'https://www.example.com'),
        text('. '),
      ),
    ]);
  });

  it('formats nothing from empty text', () => {
    expect(formatMessage('')).toEqual([]);
  });

  it('keeps line breaks and blank lines inside a paragraph', () => {
    expect(inline('*a*\n\n\nb')).toEqual([strong(text('a')), text('\n\n\nb')]);
  });
});

describe('formatMessage: bold and italic', () => {
  it('makes *bold* and _italic_ between words and punctuation', () => {
    expect(inline('*bold*, _italic_.')).toEqual([
      strong(text('bold')),
      text(', '),
      em(text('italic')),
      text('.'),
    ]);
    expect(inline('(*x*)')).toEqual([text('('), strong(text('x')), text(')')]);
  });

  it('leaves delimiters inside words and numbers literal', () => {
    expect(inline('snake_case_names and 2*3*4 and a*b*c')).toEqual([
      text('snake_case_names and 2*3*4 and a*b*c'),
    ]);
  });

  it('does not open before a space or close after one', () => {
    expect(inline('* not bold * and *nor this *')).toEqual([text('* not bold * and *nor this *')]);
  });

  it('never pairs delimiters across lines', () => {
    expect(inline('*a\nb* _c\nd_')).toEqual([text('*a\nb* _c\nd_')]);
  });

  it('keeps doubled delimiters literal rather than guessing the pair', () => {
    expect(inline('**x** __y__ **')).toEqual([text('**x** __y__ **')]);
  });

  it('nests bold inside italic and italic inside bold, one level', () => {
    expect(inline('*bold _both_*')).toEqual([strong(text('bold '), em(text('both')))]);
    expect(inline('_it *both*_')).toEqual([em(text('it '), strong(text('both')))]);
    expect(inline('*_both_*')).toEqual([strong(em(text('both')))]);
  });

  it('drops a crossing inner delimiter back to text', () => {
    expect(inline('*a _b* c_')).toEqual([strong(text('a _b')), text(' c_')]);
  });

  it('pairs a delimiter with the first closer, and the same delimiter never nests', () => {
    expect(inline('*a *b* c*')).toEqual([strong(text('a *b')), text(' c*')]);
  });
});

describe('formatMessage: links', () => {
  it('a link containing underscores or stars stays one link', () => {
    expect(inline('https://x.test/a_b_c and https://x.test/*a*')).toEqual([
      link('https://x.test/a_b_c'),
      text(' and '),
      link('https://x.test/*a'),
      text('*'),
    ]);
  });

  it('emphasis can hold a whole link', () => {
    expect(inline('_see https://x.test/a_b_c_')).toEqual([
      em(text('see '), link('https://x.test/a_b_c')),
    ]);
  });

  it('shows a markdown link as literal text, linking only its http(s) address', () => {
    expect(inline('[site](https://a.test) [x](javascript:alert(1))')).toEqual([
      text('[site]('),
      link('https://a.test'),
      text(') [x](javascript:alert(1))'),
    ]);
  });

  it('links no unsafe scheme, even inside formatting', () => {
    const blocks = formatMessage(
      '*javascript:alert(1)* _data:text/html,<script>x</script>_ `vbscript:msgbox` ' +
        'JaVaScRiPt:alert(1) https://ok.test mailto-free a@b.io\n> http://q.test\n```\nhttps://code.test\n```',
    );
    expect(hrefs(blocks)).toEqual(['https://ok.test', 'mailto:a@b.io', 'http://q.test']);
  });
});

describe('formatMessage: inline code', () => {
  it('keeps inline code verbatim: no emphasis, no links', () => {
    expect(inline('run `*x* https://a.test _y_` now')).toEqual([
      text('run '),
      code('*x* https://a.test _y_'),
      text(' now'),
    ]);
  });

  it('closes a run of backticks only with a run of the same length', () => {
    expect(inline('``a`b`` and ```x```')).toEqual([code('a`b'), text(' and '), code('x')]);
  });

  it('leaves an unpaired backtick literal', () => {
    expect(inline('a ` b `` c')).toEqual([text('a ` b `` c')]);
  });

  it('emphasis can hold inline code', () => {
    expect(inline('*see `x`*')).toEqual([strong(text('see '), code('x'))]);
  });
});

describe('formatMessage: quotes', () => {
  it('joins consecutive quote lines, with or without the space, and formats them inline', () => {
    expect(formatMessage('> *first*\n>second\nafter')).toEqual([
      { kind: 'quote', children: [strong(text('first')), text('\nsecond')] },
      paragraph(text('after')),
    ]);
  });

  it('keeps deeper quote markers as text: quotes do not nest', () => {
    expect(formatMessage('>> inner')).toEqual([{ kind: 'quote', children: [text('> inner')] }]);
  });

  it('drops blank lines between blocks, since the blocks have their own spacing', () => {
    expect(formatMessage('before\n\n> q\n\nafter\n')).toEqual([
      paragraph(text('before')),
      { kind: 'quote', children: [text('q')] },
      paragraph(text('after\n')),
    ]);
  });

  it('leaves a ">" that does not start a line alone', () => {
    expect(inline('a > b -> c')).toEqual([text('a > b -> c')]);
  });
});

describe('formatMessage: code blocks', () => {
  it('keeps a fenced block verbatim, with its language as a label', () => {
    const body = '  const a = *b* + `c`;\n> not a quote\nhttps://x.test';
    expect(formatMessage(`look:\n\`\`\`ts\n${body}\n\`\`\`\ndone`)).toEqual([
      paragraph(text('look:')),
      { kind: 'code', lang: 'ts', text: body },
      paragraph(text('done')),
    ]);
  });

  it('accepts an empty block and Windows line ends', () => {
    expect(formatMessage('```\n```')).toEqual([{ kind: 'code', lang: '', text: '' }]);
    expect(formatMessage('```\r\nx\r\n```\r')).toEqual([{ kind: 'code', lang: '', text: 'x\r' }]);
  });

  it('leaves an unclosed fence as literal text and formats the rest', () => {
    expect(inline('```js\n*b*')).toEqual([text('```js\n'), strong(text('b'))]);
  });

  it('is not a fence when more than a language word follows the backticks', () => {
    expect(inline('```js is nice\nx\n```')).toEqual([text('```js is nice\nx\n```')]);
  });
});

describe('formatMessage: mentions', () => {
  it('marks mentions of the user anywhere but in links and code', () => {
    expect(inline('@alice _hi @Alice_ `@alice` https://x.test/@alice', 'alice')).toEqual([
      { kind: 'mention', text: '@alice' },
      text(' '),
      em(text('hi '), { kind: 'mention', text: '@Alice' }),
      text(' '),
      code('@alice'),
      text(' '),
      link('https://x.test/@alice'),
    ]);
  });

  it('marks mentions in plain text and quotes, and none without a name', () => {
    expect(inline('hi @bob', 'bob')).toEqual([text('hi '), { kind: 'mention', text: '@bob' }]);
    expect(formatMessage('> @bob', { mentionName: 'bob' })).toEqual([
      { kind: 'quote', children: [{ kind: 'mention', text: '@bob' }] },
    ]);
    expect(inline('hi @bob', '  ')).toEqual([text('hi @bob')]);
  });
});

describe('formatMessage: hostile input', () => {
  it('keeps markup, entities, headings and lists as text', () => {
    const message =
      '<script>alert(1)</script><img src=x onerror=alert(1)> &lt;b&gt; &#x3c;\n# h\n- li\n![i](https://x.test/i.png)';
    const nodes = inline(message);
    expect(shown(nodes)).toBe(message);
    expect(nodes.filter((n) => n.kind !== 'text' && n.kind !== 'link')).toEqual([]);
  });

  it('drops direction overrides before formatting, keeping the marks', () => {
    expect(inline('\u202e*evil*\u202c')).toEqual([strong(text('evil'))]);
    expect(inline('*a\u202eb\u200f*')).toEqual([strong(text('ab\u200f'))]);
  });

  it.each([
    ['stars', '*'.repeat(10_000)],
    ['underscores', '_'.repeat(10_000)],
    ['backticks', '`'.repeat(10_000)],
    ['unbalanced openers', '*a _b '.repeat(2_000)],
  ])('shows a line of 10,000 %s unchanged', (_name, message) => {
    expect(shown(inline(message))).toBe(message);
  });

  it('pairs 10,000 alternating delimiters into short bold and italic runs, nothing deeper', () => {
    const nodes = inline('*_'.repeat(5_000));
    const deepest = (list: InlineNode[]): number =>
      Math.max(
        0,
        ...list.map((n) => (n.kind === 'strong' || n.kind === 'em' ? 1 + deepest(n.children) : 0)),
      );
    expect(deepest(nodes)).toBe(1);
    expect(nodes.length).toBeGreaterThan(3_000);
  });

  it('reads 5,000 nested quote lines as one quote, deeper markers as text', () => {
    const lines = Array.from({ length: 5_000 }, (_, index) => '>'.repeat((index % 100) + 1));
    const blocks = formatMessage(`${lines.join('\n')}\n${'>'.repeat(5_000)}`);
    expect(blocks).toHaveLength(1);
    expect(blocks[0]?.kind).toBe('quote');
  });

  // How fast is the bench's to say (scripts/bench/parse-figures.ts): a wall-clock limit here
  // fails on a loaded machine and proves nothing on a fast one.
  it('formats 100,000 characters of hostile text into blocks, and runs of one delimiter too', () => {
    const pieces = [
      '*',
      '_',
      '`',
      '``',
      '> ',
      '```js\n',
      '\n',
      'a',
      ' ',
      'https://x.test/_*',
      '@a',
    ];
    let message = '';
    for (let i = 0; message.length < 100_000; i += 1) message += pieces[(i * 7919) % pieces.length];
    const blocks = formatMessage(message, { mentionName: 'a' });
    expect(blocks.length).toBeGreaterThan(0);
    for (const many of ['*'.repeat(100_000), '```\n'.repeat(25_000), '`a'.repeat(50_000)]) {
      expect(formatMessage(many).length).toBeGreaterThan(0);
    }
  });
});

describe('plainText', () => {
  it('reads formatted text as shown, markers gone, code kept verbatim', () => {
    expect(plainText('Lunch at *noon*? `a_b` and _soon_')).toBe('Lunch at noon? a_b and soon');
    expect(plainText('> quoted\n```\n*not bold*\n```')).toBe('quoted\n*not bold*');
    expect(plainText('2*3*4 stays')).toBe('2*3*4 stays');
  });
});

describe('direction controls in message text', () => {
  const RLO = '\u202E';
  const PDF = '\u202C';

  it('drops overrides, embeddings and isolates, so "gnp.exe" cannot show as "exe.png"', () => {
    expect(withoutDirectionControls(`${RLO}gnp.exe${PDF}`)).toBe('gnp.exe');
    expect(withoutDirectionControls('\u202Aa\u202Bb\u202Dc\u2066d\u2067e\u2068f\u2069')).toBe(
      'abcdef',
    );
  });

  it('keeps the marks right-to-left writing uses, and the letters of any script', () => {
    const hebrew = 'שלום\u200F world \u200E!\u061C';
    expect(withoutDirectionControls(hebrew)).toBe(hebrew);
  });

  it('formats and quotes the text without them, code blocks included', () => {
    expect(inline(`see ${RLO}gnp.exe${PDF} *now*`)).toEqual([
      text('see gnp.exe '),
      strong(text('now')),
    ]);
    expect(formatMessage(`\`\`\`\nif (${RLO}x${PDF}) run()\n\`\`\``)).toEqual([
      { kind: 'code', lang: '', text: 'if (x) run()' },
    ]);
    expect(plainText(`${RLO}gnp.exe${PDF}`)).toBe('gnp.exe');
    expect(formatMessage(`${RLO}${PDF}`)).toEqual([]);
  });
});

describe('isLongText', () => {
  it('folds beyond 1,000 characters or 12 lines, not at them', () => {
    expect(isLongText('a'.repeat(FOLD_CHARS))).toBe(false);
    expect(isLongText('a'.repeat(FOLD_CHARS + 1))).toBe(true);
    expect(isLongText(Array(FOLD_LINES).fill('line').join('\n'))).toBe(false);
    expect(
      isLongText(
        Array(FOLD_LINES + 1)
          .fill('line')
          .join('\n'),
      ),
    ).toBe(true);
    expect(isLongText('short')).toBe(false);
  });
});
