// The floor's child process (see ./floor.ts): applies the same trivial function to each row of a
// chunk and sends the chunk's results back in one message. No pool library, no per-row records.
type Row = Record<string, string>;

interface ChunkMessage {
  base: number;
  rows: Row[];
}

const apply = (row: Row): number => row['File Path'].length;

process.on('message', (msg: ChunkMessage | 'stop') => {
  if (msg === 'stop') {
    process.disconnect();
    return;
  }
  const values = new Array<number>(msg.rows.length);
  for (let i = 0; i < msg.rows.length; i++) values[i] = apply(msg.rows[i]);
  process.send!({ base: msg.base, values });
});
process.send!('ready');
