import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import SearchPanel from '../../src/components/SearchPanel.svelte';
import {
  SEARCH_TYPING_PAUSE_MS,
  type SearchResult,
  type SearchStatus,
} from '../../src/lib/room/room-search';

const SENT_MS = Date.UTC(2024, 2, 5, 14, 5);

function result(offset: number, userId: string, before: string, match: string, after: string) {
  const text = before + match + after;
  return {
    offset,
    userId,
    text,
    sentAtMs: SENT_MS,
    edited: false,
    snippet: { before, match, after },
  } satisfies SearchResult;
}

const found = [
  result(900, 'alice', 'ship the ', 'deploy', ' today'),
  result(500, 'bob', '', 'Deploy', 'ed it'),
  result(10, 'carol', 'who broke the ', 'deploy', '?'),
];

function setup(
  props: {
    status?: SearchStatus;
    results?: SearchResult[];
    scanned?: number;
    total?: number;
  } = {},
) {
  const handlers = { onSearch: vi.fn(), onStop: vi.fn(), onJump: vi.fn(), onClose: vi.fn() };
  const view = render(SearchPanel, {
    status: { kind: 'idle' },
    results: [],
    scanned: 0,
    total: 0,
    locale: 'en-US',
    timeZone: 'UTC',
    ...props,
    ...handlers,
  });
  const field = screen.getByRole('combobox', { name: 'Search this room' });
  return { ...handlers, field, view };
}

const selected = () =>
  screen.getAllByRole('option').find((option) => option.getAttribute('aria-selected') === 'true');

describe('SearchPanel', () => {
  it('marks every word of the query in a result, ignoring case and accents', () => {
    render(SearchPanel, {
      status: { kind: 'done' },
      results: [result(7, 'dana', 'the ', 'Crème', ' brûlée is back on the menu')],
      scanned: 10,
      total: 10,
      initialQuery: 'creme BRULEE',
      onSearch: vi.fn(),
      onStop: vi.fn(),
      onJump: vi.fn(),
      onClose: vi.fn(),
    });
    const marks = within(screen.getByRole('option')).getAllByText(
      (_, element) => element?.tagName === 'MARK',
    );
    expect(marks.map((mark) => mark.textContent)).toEqual(['Crème', 'brûlée']);
  });

  it('opens with the search field focused, and Enter runs the trimmed query', async () => {
    const user = userEvent.setup();
    const { field, onSearch } = setup();
    expect(field).toHaveFocus();
    await user.type(field, '  deploy failed {Enter}');
    expect(onSearch).toHaveBeenCalledExactlyOnceWith('deploy failed');
  });

  it('does not search for a blank query', async () => {
    const user = userEvent.setup();
    const { field, onSearch } = setup();
    await user.type(field, '   {Enter}');
    expect(onSearch).not.toHaveBeenCalled();
  });

  it('renders each result with its author isolated, its time and the match marked', () => {
    setup({ status: { kind: 'done' }, results: found, scanned: 1_000, total: 1_000 });
    const options = screen.getAllByRole('option');
    expect(options).toHaveLength(3);
    const first = options[0] as HTMLElement;
    expect(within(first).getByText('alice').tagName).toBe('BDI');
    expect(within(first).getByText('deploy').tagName).toBe('MARK');
    expect(first).toHaveTextContent('ship the deploy today');
    expect(first.querySelector('time')).toHaveTextContent('2:05 PM');
    expect(first.querySelector('time')).toHaveAttribute('datetime', '2024-03-05T14:05:00.000Z');
    expect(screen.getByRole('status')).toHaveTextContent('3 messages found.');
  });

  it('shows a result in the order it was written, without direction overrides', () => {
    setup({
      status: { kind: 'done' },
      results: [result(7, 'eve', 'get \u202Egnp', '.exe', '\u202C now')],
      scanned: 10,
      total: 10,
    });
    expect(screen.getByRole('option')).toHaveTextContent('get gnp.exe now');
  });

  it('moves through the results with ↑ and ↓ and jumps to the highlighted one with Enter', async () => {
    const user = userEvent.setup();
    const { field, onJump, onSearch } = setup({ status: { kind: 'done' }, results: found });
    await user.click(field);
    await user.keyboard('{ArrowDown}{ArrowDown}');
    expect(selected()).toHaveTextContent('bob');
    expect(field).toHaveAttribute('aria-activedescendant', selected()?.id);
    await user.keyboard('{ArrowUp}{ArrowUp}');
    expect(selected()).toHaveTextContent('carol');
    await user.keyboard('{Enter}');
    expect(onJump).toHaveBeenCalledExactlyOnceWith(10);
    expect(onSearch).not.toHaveBeenCalled();
  });

  it('jumps to a result on click', async () => {
    const user = userEvent.setup();
    const { onJump } = setup({ status: { kind: 'done' }, results: found });
    await user.click(screen.getByText('bob'));
    expect(onJump).toHaveBeenCalledExactlyOnceWith(500);
  });

  it('shows the progress while searching, with a Stop button', async () => {
    const user = userEvent.setup();
    const { onStop } = setup({
      status: { kind: 'searching' },
      results: found.slice(0, 1),
      scanned: 1_200,
      total: 9_800,
    });
    expect(screen.getByRole('status')).toHaveTextContent(
      'Searched 1,200 of 9,800 events… 1 message found so far.',
    );
    await user.click(screen.getByRole('button', { name: 'Stop' }));
    expect(onStop).toHaveBeenCalledOnce();
  });

  it('says when no message matches', async () => {
    const user = userEvent.setup();
    const { field, view } = setup();
    await user.type(field, 'zebra{Enter}');
    await view.rerender({ status: { kind: 'done' }, results: [], scanned: 50, total: 50 });
    expect(screen.getByRole('status')).toHaveTextContent('No messages match “zebra”.');
    expect(screen.queryByRole('listbox')).not.toBeInTheDocument();
  });

  it('closes with Esc', async () => {
    const user = userEvent.setup();
    const { onClose } = setup({ status: { kind: 'done' }, results: found });
    await user.keyboard('{Escape}');
    expect(onClose).toHaveBeenCalledOnce();
  });

  it('shows a failure with its message, and Try again searches again', async () => {
    const user = userEvent.setup();
    const { field, view, onSearch } = setup();
    await user.type(field, 'deploy{Enter}');
    await view.rerender({
      status: { kind: 'failed', message: 'The server cannot be reached.' },
      results: found.slice(0, 1),
    });
    expect(screen.getByRole('status')).toHaveTextContent('The server cannot be reached.');
    expect(screen.getAllByRole('option')).toHaveLength(1);
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(onSearch).toHaveBeenCalledTimes(2);
    expect(onSearch).toHaveBeenLastCalledWith('deploy');
  });

  it('says when the results were capped', () => {
    setup({ status: { kind: 'capped' }, results: found });
    expect(screen.getByRole('status')).toHaveTextContent('Showing the newest 3 matches');
  });

  it('shows text as text, never as markup', () => {
    setup({
      status: { kind: 'done' },
      results: [result(1, '<b>x</b>', '<i>', 'deploy', '</i>')],
    });
    expect(screen.getByText('<b>x</b>').tagName).toBe('BDI');
    expect(document.querySelector('b, i')).toBeNull();
  });

  describe('as the user types', () => {
    afterEach(() => vi.useRealTimers());

    /** The panel with fake timers: typing pauses only when the test says so. */
    function typing(props: Parameters<typeof setup>[0] = {}) {
      vi.useFakeTimers();
      const user = userEvent.setup({ advanceTimers: (ms) => vi.advanceTimersByTime(ms) });
      const pause = () => vi.advanceTimersByTime(SEARCH_TYPING_PAUSE_MS);
      return { user, pause, ...setup(props) };
    }

    it('searches once typing pauses, without Enter, and not again for the same words', async () => {
      const { user, pause, field, onSearch } = typing();
      await user.type(field, 'depl');
      await user.type(field, 'oy');
      expect(onSearch).not.toHaveBeenCalled();
      pause();
      expect(onSearch).toHaveBeenCalledExactlyOnceWith('deploy');
      await user.type(field, '  ');
      pause();
      expect(onSearch).toHaveBeenCalledOnce();
    });

    it('never shows the results or marks of words no longer in the field', async () => {
      const { user, pause, field, view } = typing();
      await user.type(field, 'deploy');
      pause();
      await view.rerender({ status: { kind: 'done' }, results: found, scanned: 50, total: 50 });
      expect(screen.getAllByRole('option')).toHaveLength(3);
      await user.type(field, ' failed');
      expect(screen.queryByRole('listbox')).not.toBeInTheDocument();
      expect(document.querySelector('mark')).toBeNull();
      expect(screen.getByRole('status')).toHaveTextContent(/^$/);
      expect(field).toHaveAttribute('aria-expanded', 'false');
      await user.clear(field);
      expect(screen.queryByRole('listbox')).not.toBeInTheDocument();
      // The words searched are back: so are their results.
      await user.type(field, 'Deploy');
      expect(screen.getAllByRole('option')).toHaveLength(3);
    });

    it('Enter searches at once while the results are of other words, and only once', async () => {
      const { user, pause, field, onSearch, onJump } = typing({
        status: { kind: 'done' },
        results: found,
      });
      await user.type(field, 'zebra{Enter}');
      expect(onSearch).toHaveBeenCalledExactlyOnceWith('zebra');
      pause();
      expect(onSearch).toHaveBeenCalledOnce();
      expect(onJump).not.toHaveBeenCalled();
    });
  });

  it('Enter jumps to the first result when none is highlighted', async () => {
    const user = userEvent.setup();
    const { field, onJump, onSearch } = setup({ status: { kind: 'done' }, results: found });
    await user.click(field);
    await user.keyboard('{Enter}');
    expect(onJump).toHaveBeenCalledExactlyOnceWith(900);
    expect(onSearch).not.toHaveBeenCalled();
  });

  it('tells in its hint that it searches as you type and what Enter does', () => {
    const { field } = setup();
    expect(field).toHaveAccessibleDescription(
      /Searches as you type\. Enter jumps to the first message found, or to the one chosen with ↑ ↓\./,
    );
  });
});
