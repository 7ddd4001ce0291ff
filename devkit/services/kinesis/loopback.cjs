// Preloaded into kinesis-mock (`node --require`): it binds 0.0.0.0 with no setting to change that, so every
// server it opens listens on 127.0.0.1 instead. See devkit/services/kinesis.ts.
const net = require('node:net');

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function listenOnLoopback(...args) {
  const [first, second] = args;
  if (first !== null && typeof first === 'object') args[0] = { ...first, host: '127.0.0.1' };
  else if (typeof first === 'number') {
    if (typeof second === 'string') args[1] = '127.0.0.1';
    else args.splice(1, 0, '127.0.0.1');
  }
  return listen.apply(this, args);
};
