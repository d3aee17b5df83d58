import { describe, expect, it } from 'vitest';
import { colorize, shouldColor } from '../../reports/colorize.js';

const ESC = '\u001b[';

describe('shouldColor', () => {
  it('colours a TTY when NO_COLOR is unset', () => {
    expect(shouldColor({ isTTY: true }, {})).toBe(true);
  });

  it('does not colour when stdout is not a TTY', () => {
    expect(shouldColor({ isTTY: false }, {})).toBe(false);
    expect(shouldColor({}, {})).toBe(false);
  });

  it('does not colour when NO_COLOR is set, even on a TTY', () => {
    expect(shouldColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(shouldColor({ isTTY: true }, { NO_COLOR: 'false' })).toBe(false);
  });

  it('treats an empty NO_COLOR as unset, as no-color.org specifies', () => {
    expect(shouldColor({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
  });
});

describe('colorize', () => {
  it('returns the text unchanged when disabled, whatever the environment says', () => {
    for (const tone of ['ok', 'warn', 'fail', 'dim', 'bold'] as const) {
      expect(colorize('hello', tone, false)).toBe('hello');
    }
  });

  it('wraps the text in escape codes when enabled, a different style per tone', () => {
    const styled = (['ok', 'warn', 'fail', 'dim', 'bold'] as const).map((tone) => colorize('hello', tone, true));
    for (const s of styled) {
      expect(s).toContain(ESC);
      expect(s).toContain('hello');
    }
    expect(new Set(styled).size).toBe(styled.length);
  });
});
