import { render } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import MessageText from '../../src/components/MessageText.svelte';

describe('MessageText', () => {
  it('renders the text exactly, with no added whitespace', () => {
    const text = ' two  spaces,\ttab, link www.example.com. and\nnewline ';
    const { container } = render(MessageText, { text });
    expect(container.querySelector('p')?.textContent).toBe(text);
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
});
