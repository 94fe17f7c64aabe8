// A child of the CPU floor (./cpuFloor.ts): the busy fixture's arithmetic for each row it is sent.
import * as path from 'path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const busy = require(path.resolve(__dirname, '..', '..', 'bench', 'fixtures', 'busy.js')) as { apply(row: { iters: string }): number };

process.on('message', (msg: { index: number; iters: number } | 'stop') => {
  if (msg === 'stop') {
    process.disconnect();
    return;
  }
  process.send!({ index: msg.index, value: busy.apply({ iters: String(msg.iters) }) });
});
process.send!('ready');
