// The app: a `ws` server that closes every session with 1001 after 200 ms.
const WebSocket = require('ws'); // NODE_PATH: run.sh
const wss = new WebSocket.Server({ host: '127.0.0.1', port: 18081 });
wss.on('connection', (s) => setTimeout(() => s.close(1001, 'going away'), 200));
