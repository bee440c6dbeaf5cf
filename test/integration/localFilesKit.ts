// Shared by localFiles.test.ts (phase 1) and localFiles.afterReload.test.ts (after the window reload):
// the generated rows, and the hand-over of what phase 1 left on screen for phase 2 to find again.
import type { ChartQuery, ColumnFilter, SortKey } from '../../src/protocol';
import { handover } from './handoverKit';

export const ROWS = 1_000_000;
export const COURSES = ['BIO101', 'CHEM200', 'HIST110', 'MATH221', 'PHYS150'];
/** A cell that would run script if any layer turned text into markup. */
export const HOSTILE = '<img src=x onerror=alert(1)>';
/** The row whose user cell holds HOSTILE. */
export const HOSTILE_ROW = 3;

export interface Row {
  id: number;
  user: string;
  course: string;
  minutes: number;
  day: string;
}

export function rowAt(i: number): Row {
  const d = new Date(Date.UTC(2025, 0, 1) + (i % 120) * 86_400_000).toISOString().slice(0, 10);
  const user = i === HOSTILE_ROW ? HOSTILE : `user-${(i * 7919) % 5000}`;
  return { id: i, user, course: COURSES[(i * 31) % COURSES.length], minutes: ((i * 37) % 997) / 2, day: d };
}

export interface LocalHandover {
  key: string;
  file: string;
  dir: string;
  sort: SortKey[];
  filters: ColumnFilter[];
  chartQuery: ChartQuery;
  chartKind: string;
  rowsInView: number;
  firstRowIndex: number;
  mode: string;
}

const local = handover<LocalHandover>('local-files');
export const writeHandover = local.write;
export const readHandover = local.read;
export const removeHandover = local.remove;
