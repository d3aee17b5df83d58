// The app: `ok` to every request on port 8080 at argv[2] (127.0.0.1: IPv4 only; `::`: both, dual stack).
require('node:http')
  .createServer((_req, res) => res.end('ok\n'))
  .listen(8080, process.argv[2] || '127.0.0.1');
