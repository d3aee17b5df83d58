// The app on port 8080 of `::` (dual stack: ::1 and 127.0.0.1 both reach it). GET/POST /slow: the
// answer after 1.5 s (past nginx's proxy_read_timeout 1s); /kill: the process exits with the
// request read, unanswered (its kernel sends FIN; the listener goes with it); anything else: `ok`
// at once. Each request is logged as `ms local-address method url` on stdout.
const http = require('node:http');
http
  .createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      console.log(`${Date.now()} ${req.socket.localAddress} ${req.method} ${req.url}`);
      if (req.url === '/kill') process.exit(1);
      if (req.url === '/slow') setTimeout(() => res.end('slow\n'), 1500);
      else res.end('ok\n');
    });
  })
  .listen(8080, '::');
