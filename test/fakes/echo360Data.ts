/**
 * Realistic rows for the Echo360 fake: one generator per report. Columns are invented but shaped
 * like what institutions get (ids are UUIDs, times ISO 8601 UTC; videoview: one row = 30 s
 * watched). Deterministic: the same report and day always give the same rows, so tests can
 * compare a merged result with the chunks fetched one by one.
 *
 * Node builtins only (the fake also runs from the sandbox launcher).
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { mulberry32 } from './random';

export type Cell = string | number | boolean;

export interface FakeReport {
  name: string;
  description: string;
  note?: string;
  /**
   * The report's parameters as `/reports` lists them. `asset` is all-time: listed with
   * `"parameters": []` ("no date parameters are supplied", Echo360 Reporting API docs,
   * https://support.echo360.com/hc/en-us/articles/360042030652); the others take start/end.
   */
  parameters: { name: string; datatype: string; required: boolean }[];
  columns: string[];
  /**
   * Rows for one UTC day (`day` = midnight ms), `count` of them. `spread` (videoview) makes every
   * row its own viewing session: far less compressible, like a campus-wide export where
   * consecutive rows rarely share a viewer.
   */
  rows(day: number, count: number, spread?: boolean): Generator<Cell[]>;
}

const DAY = 86_400_000;

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

function uuid(r: () => number): string {
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join('');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[Math.floor(r() * 4)]}${hex(3)}-${hex(12)}`;
}

const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)];
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

const FIRST = [
  'Ava',
  'Noah',
  'Mia',
  'Liam',
  'Zoë',
  'Ethan',
  'Chloé',
  'Arjun',
  'Mei',
  'Tomás',
  'Aroha',
  'Siobhan',
  'Kwame',
  'Olivia',
  'Yusuf',
  'Hana',
];
const LAST = [
  'Smith',
  "O'Brien",
  'Nguyen',
  'García',
  'Patel',
  'Williams',
  'Kowalski',
  'Tanaka',
  'Brown',
  'Ngata',
  'Müller',
  'Okafor',
  'Lee',
  'Martin',
];
const SUBJECTS = ['BIOL', 'CHEM', 'MATH', 'PHYS', 'HIST', 'ECON', 'PSYC', 'ENGL', 'COMP', 'STAT'];
const TOPICS = [
  'Introduction',
  'Limits, Continuity',
  'Cell Structure',
  'The "Big" Review',
  'Supply & Demand',
  'Midterm Review',
  'Thermodynamics',
  'Reading Week Q&A',
  'Recursion',
  'Hypothesis Tests',
];
const DEVICES = ['desktop', 'mobile', 'tablet', 'ios-app', 'android-app'];
const REGIONS = ['US-CA', 'US-NY', 'US-TX', 'GB-ENG', 'AU-NSW', 'CA-ON', 'NZ-AUK', 'IN-KA'];
const INSTITUTION = '5f0c2f7e-1b8d-4c55-9a11-3e2f6a7b9c01';
const TERMS = ['2024 Fall', '2025 Spring', '2025 Summer', '2025 Fall'];

interface Pools {
  users: { id: string; email: string; name: string }[];
  courses: { courseId: string; code: string; sectionId: string; section: string; term: string }[];
  media: { id: string; name: string; course: number; duration: number }[];
}

let cached: Pools | undefined;
function pools(): Pools {
  if (cached) return cached;
  const r = mulberry32(42);
  const users = Array.from({ length: 30_000 }, (_, i) => {
    const first = pick(r, FIRST);
    const last = pick(r, LAST);
    const email =
      `${first}.${last}${i}`
        .toLowerCase()
        .normalize('NFD')
        .replace(/[^a-z0-9.]/g, '') + '@example.edu';
    return { id: uuid(r), email, name: `${first} ${last}` };
  });
  const sections = Array.from({ length: 400 }, () => ({
    code: `${pick(r, SUBJECTS)}${100 + Math.floor(r() * 400)}`,
    section: String(1 + Math.floor(r() * 4)).padStart(3, '0'),
    term: pick(r, TERMS),
  }));
  // Ids from a generator of their own, so adding them left every other pooled value as it was.
  const ri = mulberry32(43);
  const courseIds = new Map<string, string>();
  const courses = sections.map((c) => {
    const key = `${c.code} ${c.term}`;
    let courseId = courseIds.get(key);
    if (courseId === undefined) courseIds.set(key, (courseId = uuid(ri)));
    return { ...c, courseId, sectionId: uuid(ri) };
  });
  const media = Array.from({ length: 5000 }, (_, i) => ({
    id: uuid(r),
    name: `Lecture ${1 + (i % 24)}: ${pick(r, TOPICS)}`,
    course: Math.floor(r() * courses.length),
    duration: 600 + Math.floor(r() * 4800),
  }));
  cached = { users, courses, media };
  return cached;
}

function dayRng(report: string, day: number): () => number {
  return mulberry32(hash(`${report}:${day}`));
}

function* videoview(day: number, count: number, spread = false): Generator<Cell[]> {
  const p = pools();
  const r = dayRng('videoview', day);
  let emitted = 0;
  while (emitted < count) {
    // One viewing session: consecutive 30-second rows of one user on one video.
    const user = pick(r, p.users);
    const media = pick(r, p.media);
    const course = p.courses[media.course];
    const start = day + Math.floor((r() * (DAY - 3_600_000)) / 1000) * 1000;
    const device = pick(r, DEVICES);
    const region = pick(r, REGIONS);
    const length = spread ? 1 : Math.min(count - emitted, 1 + Math.floor(r() * 40));
    for (let k = 0; k < length; k++) {
      const last = k === length - 1 && !spread;
      yield [
        INSTITUTION,
        user.id,
        user.email,
        user.name,
        course.courseId,
        course.code,
        course.sectionId,
        course.section,
        course.term,
        media.id,
        media.name,
        iso(start),
        iso(start + k * 30_000),
        last ? 1 + Math.floor(r() * 30) : 30,
        device,
        region,
      ];
    }
    emitted += length;
  }
}

function* lessonEvents(
  report: string,
  day: number,
  count: number,
  extra: (r: () => number, t: number, i: number) => Cell[],
): Generator<Cell[]> {
  const p = pools();
  const r = dayRng(report, day);
  for (let i = 0; i < count; i++) {
    const user = pick(r, p.users);
    const media = pick(r, p.media);
    const course = p.courses[media.course];
    yield [
      INSTITUTION,
      user.id,
      user.email,
      course.code,
      course.section,
      course.term,
      media.name,
      ...extra(r, day + Math.floor(r() * 86_400) * 1000, i),
    ];
  }
}

const DATE_PARAMETERS: FakeReport['parameters'] = [
  { name: 'start', datatype: 'date', required: true },
  { name: 'end', datatype: 'date', required: true },
];

export const FAKE_REPORTS: FakeReport[] = [
  {
    name: 'videoview',
    description: 'One row per 30 seconds of video watched, per viewer.',
    note: 'Large: a busy week is millions of rows.',
    parameters: DATE_PARAMETERS,
    columns: [
      'institution_id',
      'user_id',
      'user_email',
      'user_name',
      'course_id',
      'course_code',
      'section_id',
      'section',
      'term',
      'media_id',
      'media_name',
      'session_start',
      'view_time',
      'seconds_watched',
      'device',
      'ip_region',
    ],
    rows: videoview,
  },
  {
    name: 'asset',
    description: 'Totals per media asset.',
    parameters: [],
    columns: [
      'institution_id',
      'asset_id',
      'asset_name',
      'asset_type',
      'owner_email',
      'course_code',
      'section',
      'term',
      'created_at',
      'duration_seconds',
      'total_views',
      'unique_viewers',
      'total_minutes_viewed',
    ],
    *rows(day, count) {
      const p = pools();
      const r = dayRng('asset', day);
      for (let i = 0; i < count; i++) {
        const m = pick(r, p.media);
        const c = p.courses[m.course];
        const views = Math.floor(r() * 500);
        yield [
          INSTITUTION,
          m.id,
          m.name,
          pick(r, ['video', 'audio', 'presentation']),
          pick(r, p.users).email,
          c.code,
          c.section,
          c.term,
          iso(day - Math.floor(r() * 90) * DAY),
          m.duration,
          views,
          Math.floor(views * 0.6),
          Math.floor((views * m.duration * 0.4) / 60),
        ];
      }
    },
  },
  {
    name: 'assetbydate',
    description: 'Views per media asset per day.',
    parameters: DATE_PARAMETERS,
    columns: ['date', 'asset_id', 'asset_name', 'course_code', 'section', 'term', 'views', 'unique_viewers', 'minutes_viewed'],
    *rows(day, count) {
      const p = pools();
      const r = dayRng('assetbydate', day);
      for (let i = 0; i < count; i++) {
        const m = pick(r, p.media);
        const c = p.courses[m.course];
        const views = 1 + Math.floor(r() * 80);
        yield [
          iso(day).slice(0, 10),
          m.id,
          m.name,
          c.code,
          c.section,
          c.term,
          views,
          Math.max(1, Math.floor(views * 0.7)),
          Math.floor(views * r() * 45),
        ];
      }
    },
  },
  {
    name: 'presentation',
    description: 'Live presentations (lessons) and their attendance.',
    parameters: DATE_PARAMETERS,
    columns: [
      'institution_id',
      'presentation_id',
      'title',
      'course_code',
      'section',
      'term',
      'presenter_email',
      'start_time',
      'end_time',
      'slide_count',
      'attendees',
    ],
    *rows(day, count) {
      const p = pools();
      const r = dayRng('presentation', day);
      for (let i = 0; i < count; i++) {
        const c = pick(r, p.courses);
        const start = day + (8 + Math.floor(r() * 10)) * 3_600_000;
        yield [
          INSTITUTION,
          uuid(r),
          `${c.code} ${pick(r, TOPICS)}`,
          c.code,
          c.section,
          c.term,
          pick(r, p.users).email,
          iso(start),
          iso(start + 50 * 60_000),
          10 + Math.floor(r() * 40),
          Math.floor(r() * 300),
        ];
      }
    },
  },
  {
    name: 'confused',
    description: 'Slides students flagged as confusing.',
    parameters: DATE_PARAMETERS,
    columns: ['institution_id', 'user_id', 'user_email', 'course_code', 'section', 'term', 'lesson_name', 'slide_number', 'marked_at'],
    *rows(day, count) {
      yield* lessonEvents('confused', day, count, (r, t) => [1 + Math.floor(r() * 40), iso(t)]);
    },
  },
  {
    name: 'polling',
    description: 'Student responses to in-class polling questions (pollingv2).',
    parameters: DATE_PARAMETERS,
    columns: [
      'institution_id',
      'user_id',
      'user_email',
      'course_code',
      'section',
      'term',
      'lesson_name',
      'question_id',
      'question_text',
      'response',
      'is_correct',
      'responded_at',
    ],
    *rows(day, count) {
      yield* lessonEvents('polling', day, count, (r, t) => [
        uuid(r),
        pick(r, ['Which graph, A or B, shows growth?', 'True or false: "entropy" always increases', 'Pick the stable isotope']),
        pick(r, ['A', 'B', 'C', 'D', 'true', 'false']),
        r() < 0.6,
        iso(t),
      ]);
    },
  },
  {
    name: 'qanda',
    description: 'Questions students asked in class Q&A (qandav2).',
    parameters: DATE_PARAMETERS,
    columns: [
      'institution_id',
      'user_id',
      'user_email',
      'course_code',
      'section',
      'term',
      'lesson_name',
      'question_id',
      'posted_at',
      'question_text',
      'answer_count',
      'endorsed',
    ],
    *rows(day, count) {
      yield* lessonEvents('qanda', day, count, (r, t) => [
        uuid(r),
        iso(t),
        pick(r, [
          'Will this be on the exam?',
          'Can you explain slide 12 again, please?',
          'What does "marginal" mean here?',
          'Is the lab due Friday\nor Monday?',
        ]),
        Math.floor(r() * 4),
        r() < 0.2,
      ]);
    },
  },
  {
    name: 'notes',
    description: 'Notes students took in lessons.',
    parameters: DATE_PARAMETERS,
    columns: [
      'institution_id',
      'user_id',
      'user_email',
      'course_code',
      'section',
      'term',
      'lesson_name',
      'note_id',
      'created_at',
      'note_length',
      'is_public',
    ],
    *rows(day, count) {
      yield* lessonEvents('notes', day, count, (r, t) => [uuid(r), iso(t), 20 + Math.floor(r() * 2000), r() < 0.1]);
    },
  },
];

export function findReport(name: string): FakeReport | undefined {
  return FAKE_REPORTS.find((r) => r.name === name);
}

const QUOTE_RE: Record<string, RegExp> = { ',': /[",\r\n]/, '|': /["|\r\n]/, '\t': /["\t\r\n]/ };

export function csvLine(values: Cell[], delimiter: string): string {
  const re = QUOTE_RE[delimiter] ?? /["\r\n]/;
  return (
    values
      .map((v) => {
        const s = String(v);
        return re.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
      })
      .join(delimiter) + '\n'
  );
}

/** Every line of a report for [startDay, endDay): header first. */
export function* reportLines(
  report: FakeReport,
  startDay: number,
  endDay: number,
  rowsPerDay: number,
  delimiter: string,
): Generator<string> {
  yield csvLine(report.columns, delimiter);
  for (let d = startDay; d < endDay; d += DAY) for (const row of report.rows(d, rowsPerDay)) yield csvLine(row, delimiter);
}

export function reportCsv(report: FakeReport, startDay: number, endDay: number, rowsPerDay: number, delimiter: string): Buffer {
  const parts: string[] = [];
  for (const line of reportLines(report, startDay, endDay, rowsPerDay, delimiter)) parts.push(line);
  return Buffer.from(parts.join(''), 'utf8');
}

/**
 * Writes a large report file (the bench's ~1M-row videoview week) without holding it in memory:
 * lines are batched into ~1 MB strings and streamed through gzip.
 */
export async function writeReportFile(
  file: string,
  opts: { report: string; rows: number; startDay: number; days: number; delimiter?: string; gzip?: boolean; spread?: boolean },
): Promise<void> {
  const report = findReport(opts.report);
  if (!report) throw new Error(`unknown report ${opts.report}`);
  const perDay = Math.ceil(opts.rows / opts.days);
  const delimiter = opts.delimiter ?? ',';
  let left = opts.rows;
  async function* batches(): AsyncGenerator<string> {
    let batch: string[] = [csvLine(report!.columns, delimiter)];
    let size = 0;
    for (let d = 0; d < opts.days && left > 0; d++) {
      for (const row of report!.rows(opts.startDay + d * DAY, Math.min(perDay, left), opts.spread)) {
        const line = csvLine(row, delimiter);
        batch.push(line);
        size += line.length;
        left--;
        if (size > 1 << 20) {
          yield batch.join('');
          batch = [];
          size = 0;
        }
      }
    }
    if (batch.length) yield batch.join('');
  }
  const out = fs.createWriteStream(file);
  if (opts.gzip === false) await pipeline(Readable.from(batches()), out);
  else await pipeline(Readable.from(batches()), zlib.createGzip({ level: 6 }), out);
}
