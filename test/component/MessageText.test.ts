import { fireEvent, render, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import MessageText from '../../src/components/MessageText.svelte';

describe('MessageText', () => {
  it('renders the text exactly, with no added whitespace', () => {
    const text = ' two  spaces,\ttab, link www.example.com. and\nnewline ';
    const { container } = render(MessageText, { text });
    expect(container.querySelector('p')?.textContent).toBe(text);
  });

  it('shows text in the order it was written: a right-to-left override does not turn "gnp.exe" into "exe.png"', () => {
    const { container } = render(MessageText, {
      text: 'open \u202Egnp.exe\u202C or \u2067evil\u2069\n```\n\u202Ecode\u202C\n```',
    });
    expect(container.querySelector('p')?.textContent).toBe('open gnp.exe or evil');
    expect(container.querySelector('pre')?.textContent).toBe('code');
  });

  it('creates no elements from markup', () => {
    const text =
      '<img src=x onerror=alert(1)><a href="javascript:alert(1)">x</a><svg onload=alert(1)>';
    const { container } = render(MessageText, { text });
    expect(container.querySelector('p')?.textContent).toBe(text);
    expect(container.querySelectorAll('img, a, svg')).toHaveLength(0);
  });

  it('links only safe schemes', () => {
    const { getAllByRole } = render(MessageText, {
      text: 'http://a.com www.b.org c@d.io javascript:alert(1) data:text/html,x',
    });
    expect(getAllByRole('link').map((a) => a.getAttribute('href'))).toEqual([
      'http://a.com',
      'https://www.b.org',
      'mailto:c@d.io',
    ]);
  });

  it('marks "@name" mentions of the user, as text, whatever the case', () => {
    const { container } = render(MessageText, {
      text: 'hi @Alice, and @alice again; not @alicia, not bob@alice.io',
      mentionName: 'alice',
    });
    const marks = [...container.querySelectorAll('mark')].map((mark) => mark.textContent);
    expect(marks).toEqual(['@Alice', '@alice']);
    expect(container.querySelector('p')?.textContent).toBe(
      'hi @Alice, and @alice again; not @alicia, not bob@alice.io',
    );
  });

  it('marks names with spaces and markup literally, and never inside a link', () => {
    const { container } = render(MessageText, {
      text: '@<b>Zoë M</b> see https://x.io/@<b>Zoë M</b>',
      mentionName: '<b>Zoë M</b>',
    });
    const marks = container.querySelectorAll('mark');
    expect(marks).toHaveLength(1);
    expect(marks[0]?.textContent).toBe('@<b>Zoë M</b>');
    expect(container.querySelectorAll('b')).toHaveLength(0);
  });

  it('marks nothing without a name', () => {
    const { container } = render(MessageText, { text: 'hi @alice' });
    expect(container.querySelector('mark')).toBeNull();
  });

  it('keeps a plain message as one paragraph', () => {
    const { container } = render(MessageText, { text: 'just words, see https://a.test' });
    expect(container.querySelectorAll('p')).toHaveLength(1);
    expect(container.querySelectorAll('strong, em, code, pre, blockquote')).toHaveLength(0);
  });
});

describe('MessageText formatting', () => {
  afterEach(() => {
    vi.useRealTimers();
    Reflect.deleteProperty(navigator, 'clipboard');
  });

  /** Makes navigator.clipboard what a test needs: a mock, or missing (undefined). */
  function setClipboard(clipboard: Partial<Clipboard> | undefined): void {
    Object.defineProperty(navigator, 'clipboard', { value: clipboard, configurable: true });
  }

  it('renders bold, italic and inline code in one paragraph, without the markers', () => {
    const { container } = render(MessageText, {
      text: '*bold* and _it *both*_ with `a_b*c*`  kept\nline',
    });
    const p = container.querySelector('p.text');
    expect(p?.textContent).toBe('bold and it both with a_b*c*  kept\nline');
    expect(container.querySelector('strong')?.textContent).toBe('bold');
    expect(container.querySelector('em > strong')?.textContent).toBe('both');
    expect(container.querySelector('code.inline-code')?.textContent).toBe('a_b*c*');
  });

  it('leaves snake_case, arithmetic and links with underscores as they are', () => {
    const { container, getByRole } = render(MessageText, {
      text: 'snake_case_names 2*3*4 https://x.test/a_b_c',
    });
    expect(container.querySelectorAll('strong, em')).toHaveLength(0);
    expect(getByRole('link')).toHaveAttribute('href', 'https://x.test/a_b_c');
  });

  it('renders quote lines as one blockquote, formatted inline', () => {
    const { container } = render(MessageText, { text: '> *quoted*\n>more\nreply' });
    const quote = container.querySelector('blockquote');
    expect(quote?.textContent).toBe('quoted\nmore');
    expect(quote?.querySelector('strong')?.textContent).toBe('quoted');
    expect(container.querySelector('p')?.textContent).toBe('reply');
  });

  it('renders a code block verbatim, with its language label and a copy button', async () => {
    vi.useFakeTimers();
    const writeText = vi.fn(() => Promise.resolve());
    setClipboard({ writeText });
    const code = '  if (a *b* c) {\n    go(`x`, https://x.test);\n  }';
    const { container, getByRole } = render(MessageText, { text: `\`\`\`js\n${code}\n\`\`\`` });
    expect(container.querySelector('pre > code')?.textContent).toBe(code);
    expect(container.querySelectorAll('pre a, pre strong')).toHaveLength(0);
    expect(container.querySelector('.language')?.textContent).toBe('js');

    const button = getByRole('button', { name: 'Copy code' });
    expect(button).toHaveAttribute('type', 'button');
    expect(button).toHaveTextContent('Copy');
    await fireEvent.click(button);
    await vi.advanceTimersByTimeAsync(0);
    expect(writeText).toHaveBeenCalledWith(code);
    expect(button).toHaveTextContent('Copied');
    await vi.advanceTimersByTimeAsync(1_500);
    expect(button).toHaveTextContent(/^Copy$/);
  });

  it('says "Copy failed" when the clipboard is missing or refuses', async () => {
    setClipboard(undefined);
    const { getByRole } = render(MessageText, { text: '```\nx\n```' });
    const button = getByRole('button', { name: 'Copy code' });
    await fireEvent.click(button);
    await vi.waitFor(() => expect(button).toHaveTextContent('Copy failed'));

    setClipboard({ writeText: () => Promise.reject(new Error('denied')) });
    const second = render(MessageText, { text: '```\ny\n```' });
    const refused = within(second.container).getByRole('button', { name: 'Copy code' });
    await fireEvent.click(refused);
    await vi.waitFor(() => expect(refused).toHaveTextContent('Copy failed'));
  });

  it('shows an unclosed fence as text', () => {
    const { container } = render(MessageText, { text: '```\nnot closed' });
    expect(container.querySelector('pre')).toBeNull();
    expect(container.querySelector('p')?.textContent).toBe('```\nnot closed');
  });

  it('still marks mentions of the user inside formatting, never inside code', () => {
    const { container } = render(MessageText, {
      text: '*hi @alice* `@alice`\n> @Alice\n```\n@alice\n```',
      mentionName: 'alice',
    });
    const marks = [...container.querySelectorAll('mark.mention')];
    expect(marks.map((mark) => mark.textContent)).toEqual(['@alice', '@Alice']);
    expect(marks[0]?.parentElement?.tagName).toBe('STRONG');
    expect(marks[1]?.closest('blockquote')).not.toBeNull();
  });

  it('creates only the allowed elements and safe links from hostile input', () => {
    const text = [
      '*<script>alert(1)</script>* _<img src=x onerror=alert(1)>_ `<svg onload=alert(1)>`',
      '> <iframe srcdoc="x"></iframe> [x](javascript:alert(1)) vbscript:msgbox(1)',
      '```html\n<b onclick=alert(1)>x</b>\n```',
      'data:text/html,<script>x</script> &lt;b&gt; \u202e*evil*\u202c https://ok.test',
      '*'.repeat(500) + '_'.repeat(500) + '`'.repeat(500),
    ].join('\n');
    const { container } = render(MessageText, { text, mentionName: 'x' });
    const allowed = new Set(['P', 'STRONG', 'EM', 'CODE', 'PRE', 'BLOCKQUOTE', 'MARK', 'A']);
    // The code block's frame: a wrapper, its bar, the language label and the copy button.
    const frame = new Set(['DIV', 'SPAN', 'BUTTON']);
    const tags = [...container.querySelectorAll('*')].map((element) => element.tagName);
    expect(tags.filter((tag) => !allowed.has(tag) && !frame.has(tag))).toEqual([]);
    expect([...container.querySelectorAll('a')].map((a) => a.getAttribute('href'))).toEqual([
      'https://ok.test',
    ]);
    const attributes = [...container.querySelectorAll('*')].flatMap((element) =>
      element.getAttributeNames(),
    );
    expect(attributes.filter((name) => /^on|srcdoc|src|style/i.test(name))).toEqual([]);
    expect(container.textContent).toContain('<script>alert(1)</script>');
    expect(container.textContent).toContain('evil');
    expect(container.textContent).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
  });
});
