import { describe, it } from 'vitest';
import { consoleReports, fileReports } from '../../reports/index.js';
import { fixtureResult } from './fixture.js';
import { expectGolden } from './golden.js';

describe('report goldens (UPDATE_GOLDEN=1 rewrites them)', () => {
  for (const report of Object.values(fileReports)) {
    it(`${report.fileName} matches its golden file`, () => {
      expectGolden(report.fileName, report.render(fixtureResult()));
    });
  }

  const ctx = {
    color: false,
    width: 80,
    written: ['out/fixture-drain/summary.json', 'out/fixture-drain/timeline.csv', 'out/fixture-drain/events.log'],
  };

  it('the --verbose terminal summary without colour matches its golden file', () => {
    expectGolden('terminal.txt', consoleReports.terminal!.render(fixtureResult(), { ...ctx, verbose: true }));
  });

  it('the 30-line terminal summary without colour matches its golden file', () => {
    expectGolden('terminal-compact.txt', consoleReports.terminal!.render(fixtureResult(), ctx));
  });
});
