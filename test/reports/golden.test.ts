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

  it('the terminal summary without colour matches its golden file', () => {
    const ctx = {
      color: false,
      width: 80,
      written: ['out/fixture-drain/summary.json', 'out/fixture-drain/timeline.csv', 'out/fixture-drain/events.log'],
    };
    expectGolden('terminal.txt', consoleReports.terminal!.render(fixtureResult(), ctx));
  });
});
