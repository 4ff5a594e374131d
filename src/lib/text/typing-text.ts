// The words under the timeline that say who is typing.

/** Past two names the line gets long and the names stop being useful. */
const MAX_NAMED_TYPERS = 2;

export function formatTyping(userIds: readonly string[]): string {
  const [first, second] = userIds;
  if (first === undefined) return '';
  if (userIds.length > MAX_NAMED_TYPERS) return 'Several people are typing…';
  if (second === undefined) return `${first} is typing…`;
  return `${first} and ${second} are typing…`;
}
