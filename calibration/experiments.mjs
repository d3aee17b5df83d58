// The calibration experiments. Every one runs on loopback inside its own namespace, bounded in
// time (`seconds`) and count (`maxConnects`, default rate × seconds).

const DEFAULT_RANGE = '32768 60999'; // Linux's default ip_local_port_range

function timeWaitExperiment(rate, closer, reuse) {
  return {
    name: `timewait-${rate}-${closer}-closes-reuse${reuse}`,
    description:
      `TIME_WAIT count vs time: ${rate} connects/s to one destination (127.0.0.1:8080), ` +
      `the ${closer} closes first, tcp_tw_reuse=${reuse}, default port range, timestamps on.`,
    rate,
    seconds: 100,
    closer,
    sysctls: {
      'net.ipv4.ip_local_port_range': DEFAULT_RANGE,
      'net.ipv4.tcp_tw_reuse': reuse,
      'net.ipv4.tcp_timestamps': 1,
    },
  };
}

function exhaustionExperiment(reuse) {
  return {
    name: `exhaustion-1000ports-200-reuse${reuse}`,
    description:
      `Port exhaustion: ip_local_port_range of 1,000 ports (50000-50999), 200 connects/s, ` +
      `client closes first (client holds TIME_WAIT), tcp_tw_reuse=${reuse}.`,
    rate: 200,
    seconds: 75,
    closer: 'client',
    sysctls: {
      'net.ipv4.ip_local_port_range': '50000 50999',
      'net.ipv4.tcp_tw_reuse': reuse,
      'net.ipv4.tcp_timestamps': 1,
    },
  };
}

export const EXPERIMENTS = [
  ...[100, 300].flatMap((rate) =>
    ['client', 'server'].flatMap((closer) => [0, 2].map((reuse) => timeWaitExperiment(rate, closer, reuse))),
  ),
  exhaustionExperiment(0),
  exhaustionExperiment(1),
  {
    name: 'portwalk-bind-100',
    description:
      'bind(127.0.0.1, 0) before connect (node localAddress): 100 connects/s for 30 s, client closes ' +
      'first, tcp_tw_reuse=0; the port comes from inet_csk_get_port, not the connect() walk.',
    rate: 100,
    seconds: 30,
    closer: 'client',
    bindAddress: '127.0.0.1',
    sysctls: {
      'net.ipv4.ip_local_port_range': DEFAULT_RANGE,
      'net.ipv4.tcp_tw_reuse': 0,
      'net.ipv4.tcp_timestamps': 1,
    },
  },
];

/** The short experiment run by `npm test` (test/calibration/live.test.ts). */
export const LIVE_CHECK = {
  name: 'live-check',
  description: 'Short self-check: 200 connects/s for 12 s, client closes first, tcp_tw_reuse=0.',
  rate: 200,
  seconds: 12,
  closer: 'client',
  sysctls: {
    'net.ipv4.ip_local_port_range': DEFAULT_RANGE,
    'net.ipv4.tcp_tw_reuse': 0,
    'net.ipv4.tcp_timestamps': 1,
  },
};
