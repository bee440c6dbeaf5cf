/**
 * A Studio insight as a result: the result-store key, and the grid the preview shows from the CSV
 * Studio sent.
 */
import type { CellValue } from '../../../protocol';
import type { StudioInsight } from './client';
import { parseStudioCsv } from './charts';

export const INSIGHT_LABEL: Record<StudioInsight, string> = { overview: 'Overview', users: 'Viewers' };
export const INSIGHT_DETAIL: Record<StudioInsight, string> = {
  overview: 'Video views, time viewed and unique viewers over time',
  users: 'Each viewer: role, completion rate, time viewed',
};

export function studioResultKey(uuid: string, insight: StudioInsight, role: string | undefined): string {
  return `studio-${uuid}-${insight}${role ? `-role-${role}` : ''}`;
}

const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * Grid rows from the CSV: columns whose every cell is a plain number become numbers (they sort
 * and align as numbers); anything else ("87%", "1,234", dates) stays the text Studio sent.
 */
export function studioGrid(csv: Buffer): { columns: string[]; rows: CellValue[][] } {
  const { header, rows } = parseStudioCsv(csv);
  // A row longer than the header (a stray comma) gets extra columns instead of losing cells.
  const width = Math.max(header.length, ...rows.map((r) => r.length));
  const columns = Array.from({ length: width }, (_, i) => header[i] ?? `column ${i + 1}`);
  const numeric = columns.map(
    (_, i) =>
      rows.some((r) => (r[i] ?? '').trim() !== '') && rows.every((r) => (r[i] ?? '').trim() === '' || PLAIN_NUMBER.test(r[i].trim())),
  );
  const grid = rows.map((r) =>
    columns.map((_, i): CellValue => {
      const v = r[i] ?? '';
      if (v.trim() === '') return null;
      return numeric[i] ? Number(v) : v;
    }),
  );
  return { columns, rows: grid };
}
