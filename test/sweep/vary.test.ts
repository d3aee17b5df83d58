import { describe, expect, it } from 'vitest';
import { SweepError } from '../../sim/sweep/errors.js';
import { gridPoints } from '../../sim/sweep/grid.js';
import { parseVary } from '../../sim/sweep/vary.js';

describe('parseVary', () => {
  it('reads a list, keeping commas inside a distribution', () => {
    expect(parseVary('app.workers=10,20,40')).toEqual({
      text: 'app.workers=10,20,40',
      path: 'app.workers',
      values: ['10', '20', '40'],
    });
    expect(parseVary('clients.http.think_time=exp(mean=2s), uniform(1s, 3s)').values).toEqual([
      'exp(mean=2s)',
      'uniform(1s, 3s)',
    ]);
    expect(parseVary('kernel.ip_local_port_range=[1024, 65535],[32768, 60999]').values).toEqual([
      '[1024, 65535]',
      '[32768, 60999]',
    ]);
    expect(parseVary('app.ws.drain_notice=true,false').values).toEqual(['true', 'false']);
  });

  it('expands a numeric range without float noise, end included', () => {
    expect(parseVary('clients.http.arrival_rate=30..120:30').values).toEqual(['30', '60', '90', '120']);
    expect(parseVary('x=0.1..0.5:0.1').values).toEqual(['0.1', '0.2', '0.3', '0.4', '0.5']);
    expect(parseVary('x=1..10:4').values).toEqual(['1', '5', '9']);
  });

  it('expands a duration range in the units scenario files use', () => {
    expect(parseVary('app.ws.session_ttl=5m..20m:5m').values).toEqual(['5m', '10m', '15m', '20m']);
    expect(parseVary('lb.connect_timeout=500ms..2s:500ms').values).toEqual(['500ms', '1s', '1.5s', '2s']);
  });

  it('says what is wrong with a bad option', () => {
    const bad: [string, RegExp][] = [
      ['app.workers', /expected path=v1,v2/],
      ['=1,2', /expected path=v1,v2/],
      ['app.workers=1..5', /needs a step/],
      ['app.workers=1..5:0', /step must be greater than 0/],
      ['app.workers=5..1:1', /ends \(1\) before it starts \(5\)/],
      ['lb.connect_timeout=1s..5:1s', /all be plain numbers or all durations/],
      ['app.workers=1..abc:1', /range end 'abc' is neither a number nor a duration/],
      ['app.workers=1,,2', /empty value/],
      ['app.workers=1,2,1', /'1' is listed twice/],
      ['seed=1,2', /use --seeds N/],
      ['x=0..1e9:1', /at most 10000 per range/],
    ];
    for (const [text, message] of bad) {
      expect(() => parseVary(text), text).toThrow(SweepError);
      expect(() => parseVary(text), text).toThrow(message);
    }
  });
});

describe('gridPoints', () => {
  it('is every combination, the first --vary changing slowest', () => {
    const grid = gridPoints([parseVary('a=1,2'), parseVary('b=x,y,z')]);
    expect(grid).toEqual([
      ['a=1', 'b=x'],
      ['a=1', 'b=y'],
      ['a=1', 'b=z'],
      ['a=2', 'b=x'],
      ['a=2', 'b=y'],
      ['a=2', 'b=z'],
    ]);
  });
});
