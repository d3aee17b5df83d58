/**
 * The first sentence of a description, whole, on one line: `drainsim list` and the terminal summary
 * show it. A sentence ends at '.', '!' or '?' before a space and a capital (not '~1.5 s' or
 * 'e.g. x'); a text without such an end is one sentence.
 */
export function firstSentence(text: string): string {
  const flat = text.trim().replace(/\s+/g, ' ');
  const end = /[.!?](?=\s+[A-Z0-9(])/.exec(flat);
  return end === null ? flat : flat.slice(0, end.index + 1);
}
