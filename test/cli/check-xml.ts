/**
 * A strict little XML reader for the JUnit tests: enough of XML 1.0 to reject what a CI system's
 * parser would (unbalanced or crossed tags, a raw `<` or `&`, unquoted or repeated attributes,
 * unknown entities, characters XML forbids, more than one root) and to hand back a tree to assert on.
 */

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /[A-Za-z_:][\w.:-]*/y;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const FORBIDDEN_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

function decode(raw: string, where: string): string {
  if (raw.includes('<')) throw new Error(`raw '<' in ${where}`);
  if (FORBIDDEN_CHAR.test(raw)) throw new Error(`character not allowed in XML in ${where}`);
  return raw.replace(/&([^;]*);?/g, (match, ref: string) => {
    if (!match.endsWith(';')) throw new Error(`unterminated entity '${match}' in ${where}`);
    if (/^#\d+$/.test(ref)) return String.fromCodePoint(Number(ref.slice(1)));
    if (/^#x[0-9a-fA-F]+$/.test(ref)) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    const e = ENTITIES[ref];
    if (e === undefined) throw new Error(`unknown entity '&${ref};' in ${where}`);
    return e;
  });
}

export function parseXml(text: string): XmlElement {
  let pos = 0;
  const fail = (msg: string): never => {
    throw new Error(`${msg} at offset ${pos}: ${JSON.stringify(text.slice(pos, pos + 40))}`);
  };
  const name = (): string => {
    NAME.lastIndex = pos;
    const m = NAME.exec(text);
    if (m === null) fail('expected a name');
    pos += m![0].length;
    return m![0];
  };
  const space = (): void => {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
  };
  const misc = (): void => {
    for (;;) {
      space();
      if (text.startsWith('<!--', pos)) {
        const end = text.indexOf('-->', pos);
        if (end < 0) fail('unterminated comment');
        pos = end + 3;
      } else return;
    }
  };

  if (text.startsWith('<?xml', 0)) {
    const end = text.indexOf('?>');
    if (end < 0) fail('unterminated XML declaration');
    pos = end + 2;
  }
  misc();

  const element = (): XmlElement => {
    if (text[pos] !== '<') fail("expected '<'");
    pos++;
    const el: XmlElement = { name: name(), attrs: {}, children: [], text: '' };
    for (;;) {
      const before = pos;
      space();
      if (text.startsWith('/>', pos)) {
        pos += 2;
        return el;
      }
      if (text[pos] === '>') {
        pos++;
        break;
      }
      if (pos === before) fail('expected whitespace before an attribute');
      const attr = name();
      if (attr in el.attrs) fail(`attribute '${attr}' repeated`);
      space();
      if (text[pos] !== '=') fail(`expected '=' after attribute '${attr}'`);
      pos++;
      space();
      const quote = text[pos];
      if (quote !== '"' && quote !== "'") fail(`attribute '${attr}' is not quoted`);
      const end = text.indexOf(quote!, pos + 1);
      if (end < 0) fail('unterminated attribute value');
      el.attrs[attr] = decode(text.slice(pos + 1, end), `attribute '${attr}'`);
      pos = end + 1;
    }
    for (;;) {
      const next = text.indexOf('<', pos);
      if (next < 0) fail(`element '${el.name}' is never closed`);
      el.text += decode(text.slice(pos, next), `the text of '${el.name}'`);
      pos = next;
      if (text.startsWith('<!--', pos)) {
        misc();
      } else if (text.startsWith('</', pos)) {
        pos += 2;
        const closing = name();
        if (closing !== el.name) fail(`'</${closing}>' closes '<${el.name}>'`);
        space();
        if (text[pos] !== '>') fail("expected '>'");
        pos++;
        return el;
      } else {
        el.children.push(element());
      }
    }
  };

  const root = element();
  misc();
  if (pos !== text.length) fail('content after the root element');
  return root;
}

export function childrenNamed(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}
