// A small EDF writer for test fixtures (MNE 1.3 on these machines reads EDF but cannot export it, and
// no Debian package has EDFlib). Plain EDF (version "0", not EDF+): a fixed-width ASCII header of
// 256 bytes plus 256 per signal, then data records, each holding every signal's samples for
// `recordSeconds` as little-endian int16. Each channel is scaled to the full int16 range between its
// own physical minimum and maximum, so a sample comes back within half a step, (max - min) / 65535.
import { writeFileSync } from 'fs';

export interface EdfRecording {
  /** Channel labels, at most 16 ASCII characters each. */
  channels: string[];
  /** Samples per second; `sfreq * recordSeconds` must be a whole number. */
  sfreq: number;
  /** One array per channel, in `physicalDimension` (µV by default), all the same length. */
  data: ArrayLike<number>[];
  /** Seconds per data record (1 by default). The last record is padded with zeros. */
  recordSeconds?: number;
  physicalDimension?: string;
  patient?: string;
  recording?: string;
  /** The recording's start (UTC); EDF keeps it to the second, with a two-digit year. */
  start?: Date;
}

const DIGITAL_MIN = -32768;
const DIGITAL_MAX = 32767;

/** `text` left-aligned in a field of `width` ASCII characters; refuses what does not fit. */
function field(text: string, width: number, what: string): string {
  if (!/^[\x20-\x7e]*$/.test(text)) throw new Error(`EDF ${what} must be printable ASCII: ${JSON.stringify(text)}`);
  if (text.length > width) throw new Error(`EDF ${what} is longer than ${width} characters: ${JSON.stringify(text)}`);
  return text.padEnd(width, ' ');
}

/** A number in at most 8 characters, as precise as fits. */
function number8(x: number, what: string): string {
  for (let digits = 6; digits >= 0; digits--) {
    const s = String(Number(x.toFixed(digits)));
    if (s.length <= 8) return s.padEnd(8, ' ');
  }
  throw new Error(`EDF ${what} ${x} does not fit in 8 characters`);
}

/** The physical range written for a channel: its data's, widened when flat, as its 8-character text says. */
function physicalRange(x: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) throw new Error(`EDF samples must be finite; sample ${i} is ${x[i]}`);
    lo = Math.min(lo, x[i]);
    hi = Math.max(hi, x[i]);
  }
  if (!(hi > lo)) [lo, hi] = [lo - 1, lo + 1];
  // What the header holds is what a reader scales with: round outwards, then use those values.
  const down = Number(number8(Math.floor(lo * 1000) / 1000, 'physical minimum'));
  const up = Number(number8(Math.ceil(hi * 1000) / 1000, 'physical maximum'));
  return [down, up];
}

/** The EDF file's bytes. */
export function edfBytes(rec: EdfRecording): Buffer {
  const ns = rec.channels.length;
  const recordSeconds = rec.recordSeconds ?? 1;
  const spr = rec.sfreq * recordSeconds;
  if (!Number.isInteger(spr) || spr < 1) throw new Error(`sfreq × recordSeconds must be a whole number of samples; got ${spr}`);
  if (rec.data.length !== ns) throw new Error(`${ns} channels but ${rec.data.length} data arrays`);
  const n = ns ? rec.data[0].length : 0;
  if (rec.data.some((x) => x.length !== n)) throw new Error('every channel must have as many samples');
  const records = Math.ceil(n / spr);
  const start = rec.start ?? new Date(Date.UTC(2024, 0, 1, 0, 0, 0));
  const two = (v: number) => String(v).padStart(2, '0');
  const ranges = rec.data.map(physicalRange);

  let header =
    field('0', 8, 'version') +
    field(rec.patient ?? 'X X X X', 80, 'patient') +
    field(rec.recording ?? 'Startdate X X X X', 80, 'recording') +
    `${two(start.getUTCDate())}.${two(start.getUTCMonth() + 1)}.${two(start.getUTCFullYear() % 100)}` +
    `${two(start.getUTCHours())}.${two(start.getUTCMinutes())}.${two(start.getUTCSeconds())}` +
    field(String(256 * (ns + 1)), 8, 'header size') +
    field('', 44, 'reserved') +
    field(String(records), 8, 'number of records') +
    number8(recordSeconds, 'record duration') +
    field(String(ns), 4, 'number of signals');
  const each = (width: number, what: string, f: (c: number) => string) => {
    for (let c = 0; c < ns; c++) header += field(f(c), width, what);
  };
  each(16, 'label', (c) => rec.channels[c]);
  each(80, 'transducer', () => 'AgAgCl electrode');
  each(8, 'physical dimension', () => rec.physicalDimension ?? 'uV');
  each(8, 'physical minimum', (c) => number8(ranges[c][0], 'physical minimum').trim());
  each(8, 'physical maximum', (c) => number8(ranges[c][1], 'physical maximum').trim());
  each(8, 'digital minimum', () => String(DIGITAL_MIN));
  each(8, 'digital maximum', () => String(DIGITAL_MAX));
  each(80, 'prefiltering', () => '');
  each(8, 'samples per record', () => String(spr));
  each(32, 'reserved', () => '');

  const body = Buffer.alloc(records * ns * spr * 2);
  let at = 0;
  for (let r = 0; r < records; r++) {
    for (let c = 0; c < ns; c++) {
      const [lo, hi] = ranges[c];
      const perStep = (hi - lo) / (DIGITAL_MAX - DIGITAL_MIN);
      const x = rec.data[c];
      for (let k = 0; k < spr; k++) {
        const i = r * spr + k;
        const v = i < n ? x[i] : 0;
        const d = Math.round((v - lo) / perStep + DIGITAL_MIN);
        body.writeInt16LE(Math.max(DIGITAL_MIN, Math.min(DIGITAL_MAX, d)), at);
        at += 2;
      }
    }
  }
  return Buffer.concat([Buffer.from(header, 'ascii'), body]);
}

export function writeEdf(file: string, rec: EdfRecording): void {
  writeFileSync(file, edfBytes(rec));
}

/** Half a quantisation step of each channel: how far a sample read back may be from what was written. */
export function edfTolerance(rec: EdfRecording): number[] {
  return rec.data.map((x) => {
    const [lo, hi] = physicalRange(x);
    return (hi - lo) / (DIGITAL_MAX - DIGITAL_MIN) / 2;
  });
}
