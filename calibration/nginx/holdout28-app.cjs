// The app of held-out round 28 (calibration/nginx/holdout28.mjs), run inside the namespace:
//   node holdout28-app.cjs <port>
// A node 20 http server on 0.0.0.0:<port> (so both 127.0.0.1 and 127.0.0.2 reach it: the two
// addresses of nginx's `upstream u`), default keepAliveTimeout (5 s), answering every request `ok`
// at once. One line on stdout per event, epoch ms: `<ms> conn <local address>` for each accepted
// connection, `<ms> req <method> <url> <local address>` for each request read.
const http = require('node:http');

const port = Number(process.argv[2]);
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    console.log(`${Date.now()} req ${req.method} ${req.url} ${req.socket.localAddress}`);
    res.end('ok\n');
  });
});
server.on('connection', (s) => console.log(`${Date.now()} conn ${s.localAddress}`));
server.listen({ port, host: '0.0.0.0', backlog: 511 }, () => console.log('listening'));
