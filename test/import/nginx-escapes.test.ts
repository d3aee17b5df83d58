/**
 * nginx.conf tokenised as ngx_conf_read_token() (src/core/ngx_conf_file.c) does (imp31): a
 * backslash takes the next character as it is, in a quoted word or not, and the word is then
 * unescaped (\" \' \\ the character, \t \r \n the control, a backslash before any other character
 * kept with it); `{` right after `$` is part of the word; `}` inside a word is a character; a
 * closing quote must be followed by a space, `;` or `{`. Before session 31 the reader ended a
 * quoted word at the first quote, escaped or not, ended every word at `}` and `{`, and took a
 * word glued to a closing quote.
 *
 * The real `nginx -t` (1.22.1) on a server { listen …; <line>; keepalive_timeout 30s; location / {…} }:
 *   add_header X "a\" b;" ;       → "test is successful"
 *   add_header X "a\tb\q";        → "test is successful"
 *   proxy_set_header Host ${host}; → "test is successful"
 *   return 200 a}b;               → "test is successful"
 *   add_header X a\;b;            → "test is successful"
 *   if ($request_method = "POST") { return 405; } → "test is successful"
 *   proxy_read_timeout "30s"x;    → [emerg] unexpected "x" in …/e.conf:8
 *   ;                             → [emerg] unexpected ";" in …/e.conf:8
 *   add_header X "open;           → [emerg] unexpected end of file, expecting ";" or "}" in …/e.conf:13
 */
import { describe, expect, it } from 'vitest';
import { Imported } from '../../sim/import/imported.js';
import { importNginx, nginxDirectives } from '../../sim/import/nginx-conf.js';
import { valueAt as value } from './read-fixture.js';

const conf = (line: string) => `events { worker_connections 64; }
http {
  server {
    listen 443 ssl;
    ${line}
    keepalive_timeout 30s;
    location / { proxy_pass http://127.0.0.1:8080; }
  }
}
`;
const read = (line: string) => {
  const into = new Imported();
  importNginx(conf(line), 'n.conf', into);
  return into;
};
const args = (text: string) => nginxDirectives(text).map((d) => [d.name, ...d.args]);

describe('nginx.conf escapes and words', () => {
  it('an escaped quote does not end a quoted word: what follows it is read', () => {
    const into = read('add_header X "a\\" b;" ;');
    expect(into.errors).toEqual([]);
    expect(value(into, 'nginx.keepalive_timeout')).toBe('30s');
    expect(args('add_header X "a\\" b;" ;')).toEqual([['add_header', 'X', 'a" b;']]);
  });

  it('unescapes as nginx copies the word out: \\" \\\' \\\\ the character, \\t \\r \\n controls, others kept', () => {
    expect(args('add_header X "a\\tb\\q\\\\c\\nd\\re";')).toEqual([['add_header', 'X', 'a\tb\\q\\c\nd\re']]);
    expect(args('add_header X a\\;b;')).toEqual([['add_header', 'X', 'a\\;b']]);
    // ngx_conf_read_token(): `case '"': case '\'': case '\\': src++` — an escaped quote is the quote.
    expect(args(`add_header X "say \\"hi\\" it\\'s";`)).toEqual([['add_header', 'X', `say "hi" it's`]]);
    expect(args(`add_header X 'it\\'s';`)).toEqual([['add_header', 'X', "it's"]]);
    expect(args('location ~ \\.php$ { }')).toEqual([['location', '~', '\\.php$']]);
  });

  it('`${var}` is one word and `}` inside a word is a character: the block structure holds', () => {
    expect(args('proxy_set_header Host ${host};')).toEqual([['proxy_set_header', 'Host', '${host}']]);
    const into = read('return 200 a}b;');
    expect(into.errors).toEqual([]);
    const d = nginxDirectives(conf('return 200 a}b;')).find((x) => x.name === 'keepalive_timeout');
    expect(d?.context).toEqual(['http', 'server']);
  });

  it('a closing quote then `)` is valid (an if condition): the word ends, `)` is the next one', () => {
    // need_space in ngx_conf_read_token(): `if (ch == ')') { last_space = 1; need_space = 0; }`.
    const into = read('if ($request_method = "POST") { return 405; }');
    expect(into.errors).toEqual([]);
    expect(value(into, 'nginx.keepalive_timeout')).toBe('30s');
    expect(args('if ($request_method = "POST") { return 405; }')[0]).toEqual([
      'if',
      '($request_method',
      '=',
      'POST',
      ')',
    ]);
  });

  it('a word glued to a closing quote, a bare `;`, an unclosed quote are refused: file, line, path, expected, found', () => {
    expect(read('proxy_read_timeout "30s"x;').errors).toEqual([
      'n.conf:5: http › server › proxy_read_timeout: expected a space, ";" or "{" after the closing quote, found \'x\' — nginx refuses it (unexpected "x")',
    ]);
    expect(read(';').errors).toEqual([
      'n.conf:5: http › server: expected a directive name before it, found \';\' — nginx refuses it (unexpected ";")',
    ]);
    expect(read('add_header X "open;').errors).toEqual([
      'n.conf:10: http › server › add_header: expected ";" or "}", found the end of the file — nginx refuses it (unexpected end of file, expecting ";" or "}")',
    ]);
  });
});
