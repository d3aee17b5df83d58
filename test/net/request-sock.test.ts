import { describe, expect, it } from 'vitest';
import {
  MAX_SYNCOOKIE_AGE,
  synCookieTime,
  synCookieValid,
  TCP_SYNCOOKIE_PERIOD_S,
} from '../../sim/net/request-sock.js';

describe('a SYN cookie’s age (check_tcp_syn_cookie, net/ipv4/syncookies.c)', () => {
  const hz = 250;
  const period = TCP_SYNCOOKIE_PERIOD_S * hz; // jiffies per tcp_cookie_time() count
  const validAt = (sentJiffies: number, ageJiffies: number) =>
    synCookieValid(synCookieTime(sentJiffies, hz), synCookieTime(sentJiffies + ageJiffies, hz));

  it('lives two counts of a 60-s counter: 120 s when sent as the count begins', () => {
    expect(MAX_SYNCOOKIE_AGE).toBe(2);
    expect(validAt(10 * period, 2 * period - 1)).toBe(true);
    expect(validAt(10 * period, 2 * period)).toBe(false);
  });

  it('60 s and a jiffy when sent as the count ends ("or less if the counter advances")', () => {
    expect(validAt(11 * period - 1, period)).toBe(true);
    expect(validAt(11 * period - 1, period + 1)).toBe(false);
  });

  it('counts minutes of the jiffies clock: TCP_SYNCOOKIE_PERIOD is 60 * HZ at any HZ', () => {
    // include/net/tcp.h: #define TCP_SYNCOOKIE_PERIOD (60 * HZ); tcp_cookie_time() divides
    // get_jiffies_64() by it. The bounds in seconds, not in the model's own constant: a cookie sent
    // as a minute begins decodes for 119.99 s, never 120 s; one sent as it ends, 60 s and no more.
    for (const clockHz of [100, 250, 1000]) {
      const jiffiesOf = (s: number) => Math.round(s * clockHz);
      const valid = (sentS: number, nowS: number) =>
        synCookieValid(synCookieTime(jiffiesOf(sentS), clockHz), synCookieTime(jiffiesOf(nowS), clockHz));
      expect(valid(600, 719.99)).toBe(true);
      expect(valid(600, 720)).toBe(false);
      expect(valid(659.99, 720)).toBe(false);
      expect(valid(659.99, 719.99)).toBe(true);
    }
  });
});
