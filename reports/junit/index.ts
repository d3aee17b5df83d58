/**
 * JUnit XML, the test-report format CI systems read (GitHub Actions reporters, GitLab, Jenkins):
 * one <testsuite> per scenario file, one <testcase> per check. No timestamps or durations, so the
 * same checks give the same bytes.
 *
 * Shape follows the de-facto schema Jenkins and the Ant JUnit task established
 * (https://github.com/testmoapp/junitxml): testsuites > testsuite > testcase > failure|error|skipped.
 */

export interface JunitOutcome {
  /** One line, shown by CI next to the test name. */
  message: string;
  /** The full explanation, shown when the test is opened. */
  body: string;
}

export interface JunitCase {
  name: string;
  /** Where the check is written (the scenario file and the line of its `expect:` entry); default the suite's file. */
  file?: string;
  line?: number;
  /** A failed check. */
  failure?: JunitOutcome;
  /** The check could not be run (bad input). */
  error?: JunitOutcome;
}

export interface JunitSuite {
  name: string;
  /** The scenario file, as the user named it. */
  file: string;
  properties?: Record<string, string>;
  cases: JunitCase[];
}

/**
 * Escapes text for an attribute or element body; characters XML 1.0 cannot carry at all (ANSI
 * escapes, NUL) are dropped, since one of them would make the whole report unreadable.
 */
export function escapeXml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function attributes(attrs: Record<string, string | number>): string {
  return Object.entries(attrs)
    .map(([key, value]) => ` ${key}="${escapeXml(String(value))}"`)
    .join('');
}

function count(suites: readonly JunitSuite[], pick: (c: JunitCase) => unknown): number {
  return suites.reduce((n, s) => n + s.cases.filter(pick).length, 0);
}

function renderCase(suite: JunitSuite, c: JunitCase): string[] {
  const where: Record<string, string | number> = { file: c.file ?? suite.file };
  if (c.line !== undefined) where.line = c.line;
  const open = `    <testcase${attributes({ classname: suite.name, name: c.name, ...where })}`;
  const outcome =
    c.error !== undefined
      ? (['error', c.error] as const)
      : c.failure !== undefined
        ? (['failure', c.failure] as const)
        : undefined;
  if (outcome === undefined) return [`${open}/>`];
  const [tag, o] = outcome;
  return [
    `${open}>`,
    `      <${tag}${attributes({ message: o.message, type: tag === 'error' ? 'ScenarioError' : 'ExpectationFailed' })}>${escapeXml(o.body)}</${tag}>`,
    '    </testcase>',
  ];
}

function renderSuite(s: JunitSuite): string[] {
  const head = `  <testsuite${attributes({
    name: s.name,
    tests: s.cases.length,
    failures: count([s], (c) => c.failure !== undefined && c.error === undefined),
    errors: count([s], (c) => c.error !== undefined),
    skipped: 0,
    file: s.file,
  })}>`;
  const props = Object.entries(s.properties ?? {});
  const properties =
    props.length === 0
      ? []
      : [
          '    <properties>',
          ...props.map(([name, value]) => `      <property${attributes({ name, value })}/>`),
          '    </properties>',
        ];
  return [head, ...properties, ...s.cases.flatMap((c) => renderCase(s, c)), '  </testsuite>'];
}

export function renderJunit(suites: readonly JunitSuite[], name = 'drainsim'): string {
  const head = `<testsuites${attributes({
    name,
    tests: count(suites, () => true),
    failures: count(suites, (c) => c.failure !== undefined && c.error === undefined),
    errors: count(suites, (c) => c.error !== undefined),
  })}>`;
  return ['<?xml version="1.0" encoding="UTF-8"?>', head, ...suites.flatMap(renderSuite), '</testsuites>', ''].join(
    '\n',
  );
}
