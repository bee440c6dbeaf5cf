/**
 * Real-shaped Echo360 videoview export for the bench: the column set of the Echo360 fake's
 * `videoview` report (test/fakes/echo360Data.ts), with the entropy of a campus-wide export:
 *
 * - a UUID per user (40,000 users) and per video (8,000 videos), drawn at random for each
 *   viewing session; 1,500 course sections behind the videos, each with its section UUID, its
 *   course's UUID (one per course code and term), code, section number and term;
 * - names with diacritics, apostrophes, nicknames in double quotes and "Last, First" forms;
 *   e-mail addresses per user; video titles with commas and doubled quotes;
 * - millisecond UTC timestamps (`2024-03-04T10:15:22.123Z`), rows in time order, ~5,000
 *   sessions interleaved at any moment so that consecutive rows rarely share a viewer.
 *
 * A 1M-row file is 361 MB of CSV and 123 MB under gzip -6 (2.9:1; a real 1M-row export measured
 * at ~276 MB and ~120 MB, 2.3:1: about as much gzip, in fewer bytes of text), against ~30:1 for
 * the best-case file of repeating values in run.ts. Deterministic per row count.
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Readable, Transform } from 'node:stream';
import { findReport } from '../test/fakes/echo360Data';
import { mulberry32, Rng } from '../test/fakes/random';

export const VIDEOVIEW_COLUMNS: readonly string[] = findReport('videoview')!.columns;

const FIRST = [
  'Ava', 'Noah', 'Mia', 'Liam', 'Zoë', 'Ethan', 'Chloé', 'Arjun', 'Mei', 'Tomás', 'Aroha', 'Siobhan', 'Kwame', 'Olivia',
  'Yusuf', 'Hana', 'José', 'Amélie', 'Björn', 'Łukasz', 'Søren', 'Inés', 'François', 'Nguyễn', 'Dmitrij', 'Aisha',
  'Wei', 'Priya', 'Hiroshi', 'Fatima', 'Renée', 'Jürgen', 'Ana', 'Mateo', 'Kai', 'Leilani',
];
const LAST = [
  'Smith', "O'Brien", 'Nguyen', 'García', 'Patel', 'Williams', 'Kowalski', 'Tanaka', 'Brown', 'Ngata', 'Müller',
  'Okafor', 'Lee', 'Martin', 'Núñez', 'Ødegård', 'Dvořák', "D'Angelo", 'Šimić', 'Çelik', 'Le Roux', 'van der Berg',
  'Håkansson', 'Popescu', 'Øvrebø', 'MacLeod', 'Íñiguez', 'Zhang', 'Kuznetsova', 'Adeyemi',
];
const NICKS = ['Bobby', 'Jo', 'Sam', 'Lexi', 'Max'];
const SUBJECTS = ['BIOL', 'CHEM', 'MATH', 'PHYS', 'HIST', 'ECON', 'PSYC', 'ENGL', 'COMP', 'STAT', 'PHIL', 'MUSC', 'LAWS', 'MEDI', 'NURS', 'ARCH'];
const TOPICS = [
  'Introduction', 'Limits, Continuity', 'Cell Structure', 'The "Big" Review', 'Supply & Demand', 'Midterm Review',
  'Thermodynamics', 'Reading Week Q&A', 'Recursion', 'Hypothesis Tests', 'Enzymes, Kinetics and "Inhibition"',
  'Señales y sistemas', 'Über-Review', 'Case Study: "Smith v. Jones"', 'Lab Safety', 'Vectors, Matrices',
];
const DEVICES = ['desktop', 'mobile', 'tablet', 'ios-app', 'android-app'];
const REGIONS = ['US-CA', 'US-NY', 'US-TX', 'GB-ENG', 'AU-NSW', 'CA-ON', 'NZ-AUK', 'IN-KA', 'DE-BY', 'FR-IDF', 'BR-SP', 'JP-13'];
const TERMS = ['2024 Fall', '2025 Spring', '2025 Summer', '2025 Fall'];
const INSTITUTION = '5f0c2f7e-1b8d-4c55-9a11-3e2f6a7b9c01';

const USERS = 40_000;
const VIDEOS = 8_000;
const SECTIONS = 1_500;
const CONCURRENT = 5000;
const WEEK = 7 * 86_400_000;

function uuid(r: Rng): string {
  const hex = (n: number) => {
    let s = '';
    for (let i = 0; i < n; i++) s += Math.floor(r() * 16).toString(16);
    return s;
  };
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[Math.floor(r() * 4)]}${hex(3)}-${hex(12)}`;
}

const pick = <T>(r: Rng, list: readonly T[]): T => list[Math.floor(r() * list.length)];

function cell(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

interface Session {
  start: number;
  left: number;
  k: number;
  prefix: string;
  device: string;
  region: string;
}

/** The CSV text of `rows` rows (header first), in ~1 MB strings. */
export function* realVideoviewCsv(rows: number, seed = 7): Generator<string> {
  const r = mulberry32(seed);
  const users = Array.from({ length: USERS }, (_, i) => {
    const first = pick(r, FIRST);
    const last = pick(r, LAST);
    const ascii = (s: string) =>
      s
        .normalize('NFD')
        .toLowerCase()
        .replace(/[^a-z0-9]/g, '');
    const email = `${ascii(first)}.${ascii(last)}${i}@${r() < 0.8 ? 'student.' : ''}uni.example.edu`;
    const u = r();
    const name = u < 0.12 ? `${last}, ${first}` : u < 0.16 ? `${first} "${pick(r, NICKS)}" ${last}` : `${first} ${last}`;
    return { id: uuid(r), email, name: cell(name) };
  });
  const courseIds = new Map<string, string>();
  const sections = Array.from({ length: SECTIONS }, () => {
    const code = `${pick(r, SUBJECTS)}${100 + Math.floor(r() * 400)}`;
    const section = String(1 + Math.floor(r() * 12)).padStart(3, '0');
    const term = pick(r, TERMS);
    let courseId = courseIds.get(`${code} ${term}`);
    if (courseId === undefined) courseIds.set(`${code} ${term}`, (courseId = uuid(r)));
    return [courseId, code, uuid(r), section, term].join(',');
  });
  const videos = Array.from({ length: VIDEOS }, (_, i) => ({
    id: uuid(r),
    name: cell(`Lecture ${1 + (i % 36)}: ${pick(r, TOPICS)}`),
    section: sections[Math.floor(r() * SECTIONS)],
  }));
  const t0 = Date.UTC(2025, 2, 3); // a Monday
  let t = t0;
  const step = WEEK / Math.max(rows, 1);
  const newSession = (): Session => {
    const user = users[Math.floor(r() * USERS)];
    const video = videos[Math.floor(r() * VIDEOS)];
    const start = Math.floor(t - r() * 600_000);
    return {
      start,
      left: 1 + Math.floor(r() * 60),
      k: 0,
      prefix: `${INSTITUTION},${user.id},${user.email},${user.name},${video.section},${video.id},${video.name},${new Date(start).toISOString()},`,
      device: pick(r, DEVICES),
      region: pick(r, REGIONS),
    };
  };
  const live = Array.from({ length: CONCURRENT }, newSession);
  let batch: string[] = [VIDEOVIEW_COLUMNS.join(',') + '\n'];
  let size = 0;
  for (let i = 0; i < rows; i++) {
    t += step * 2 * r();
    const slot = Math.floor(r() * CONCURRENT);
    const s = live[slot];
    const last = s.left === 1;
    const line = `${s.prefix}${new Date(Math.floor(Math.max(t, s.start + s.k * 30_000))).toISOString()},${last ? 1 + Math.floor(r() * 30) : 30},${s.device},${s.region}\n`;
    s.k++;
    if (--s.left === 0) live[slot] = newSession();
    batch.push(line);
    size += line.length;
    if (size > 1 << 20) {
      yield batch.join('');
      batch = [];
      size = 0;
    }
  }
  if (batch.length) yield batch.join('');
}

/**
 * The file's shape version, part of its name: a generator change makes a new file rather than
 * reusing one cached in .bench/ under the old shape.
 */
export const SHAPE = 'v2';

/** `dir/videoview-real-SHAPE-ROWS.csv.gz`. */
export function realVideoviewPath(dir: string, rows: number): string {
  return `${dir}/videoview-real-${SHAPE}-${rows}.csv.gz`;
}

export interface GeneratedFile {
  file: string;
  rows: number;
  csvBytes: number;
  gzBytes: number;
}

/**
 * `realVideoviewPath(dir, rows)`, generated on first use (with a `.json` beside it holding the
 * decompressed size, so later runs print the ratio without inflating the file).
 */
export async function realVideoviewGz(dir: string, rows: number, log: (line: string) => void = () => {}): Promise<GeneratedFile> {
  fs.mkdirSync(dir, { recursive: true });
  const file = realVideoviewPath(dir, rows);
  const meta = `${file}.json`;
  if (fs.existsSync(file) && fs.existsSync(meta)) return { file, ...(JSON.parse(fs.readFileSync(meta, 'utf8')) as Omit<GeneratedFile, 'file'>) };
  log(`generating ${file} (${rows.toLocaleString('en-US')} real-shaped videoview rows, once) …`);
  const t0 = performance.now();
  let csvBytes = 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc, done) {
      csvBytes += chunk.length;
      done(null, chunk);
    },
  });
  const tmp = `${file}.${process.pid}.tmp`;
  await pipeline(Readable.from(realVideoviewCsv(rows)), count, zlib.createGzip({ level: 6 }), fs.createWriteStream(tmp));
  fs.renameSync(tmp, file);
  const out = { rows, csvBytes, gzBytes: fs.statSync(file).size };
  fs.writeFileSync(meta, JSON.stringify(out));
  log(`generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { file, ...out };
}

if (require.main === module) {
  const i = process.argv.indexOf('--rows');
  const rows = i >= 0 ? Number(process.argv[i + 1]) : 1_000_000;
  realVideoviewGz('.bench', rows, console.log).then(
    (g) => console.log(`${g.file}: ${(g.csvBytes / 1e6).toFixed(1)} MB CSV, ${(g.gzBytes / 1e6).toFixed(1)} MB gzipped, ${(g.csvBytes / g.gzBytes).toFixed(2)}:1`),
    (e: unknown) => {
      console.error((e as Error).message);
      process.exitCode = 1;
    },
  );
}
