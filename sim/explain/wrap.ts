/** Word wrap for terminal prose: greedy, on spaces, never breaking a word. */
export function wrap(text: string, width: number, firstIndent: string, restIndent: string = firstIndent): string[] {
  const lines: string[] = [];
  let line = firstIndent;
  let empty = true;
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line);
      line = restIndent + word;
    } else line += (empty ? '' : ' ') + word;
    empty = false;
  }
  if (!empty) lines.push(line);
  return lines;
}
