/**
 * An in-memory data source for the webview and session tests: rows given as an array, column
 * types given, not inferred. The product previews every result on the column engine
 * (src/core/preview/engineDataSource.ts); tests about the webview itself (rendering, charts
 * the result brings, state restore, hostile text) use this small one so that the types and row
 * order they assert are exactly what they set up.
 */
import type { CellValue, ColumnFilter, ColumnInfo, SortKey, ViewQuery } from '../../../src/protocol';
import { PreviewEmitter, type PreviewDataSource } from '../../../src/core/preview/dataSource';

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Type rank for mixed columns, so a stray string among numbers sorts consistently. */
function rank(v: string | number | boolean): number {
  return typeof v === 'number' ? 0 : typeof v === 'boolean' ? 1 : 2;
}

/**
 * Compares two non-null cells. Numbers numerically, booleans false < true, strings with a
 * numeric-aware collator ("item 2" < "item 10"); ISO dates compare correctly as strings.
 */
export function compareCells(a: string | number | boolean, b: string | number | boolean): number {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
    if (Number.isNaN(b)) return -1;
    return a - b;
  }
  if (typeof a === 'string' && typeof b === 'string') return collator.compare(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return rank(a) - rank(b);
}

/** The small in-memory version of the engine's filters (src/core/table/view.ts has the fast one). */
function cellPasses(v: CellValue, f: ColumnFilter): boolean {
  const empty = v === null || v === '';
  switch (f.op) {
    case 'empty':
      return empty;
    case 'notEmpty':
      return !empty;
    case 'contains':
      return !empty && String(v).toLowerCase().includes(f.value.toLowerCase());
    case 'equals':
      return !empty && String(v).toLowerCase() === f.value.toLowerCase();
    case 'range': {
      if (empty) return false;
      const lo = f.min;
      const hi = f.max;
      if (typeof v === 'number') {
        return (typeof lo !== 'number' || v >= lo) && (typeof hi !== 'number' || v <= hi);
      }
      const t = String(v);
      return (lo === null || compareCells(t, String(lo)) >= 0) && (hi === null || compareCells(t, String(hi)) <= 0);
    }
  }
}

/**
 * Rows held in memory as an array of arrays. Sort is stable and multi-key with nulls last in
 * both directions (an empty value is never the "largest" thing in a descending list); search is a
 * case-insensitive "contains" over every cell's text. Columns are taken as given, never inferred.
 */
export class ArrayDataSource implements PreviewDataSource {
  private readonly emitter = new PreviewEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private isLoading: boolean;
  private query: ViewQuery = { sort: [], search: '' };
  /** Row indices of the view; null means "all rows in arrival order" (no copy needed). */
  private order: Uint32Array | null = null;
  /** Lower-cased cell text per row, built on the first search and extended as rows arrive. */
  private searchText: string[] = [];

  constructor(
    readonly columns: ColumnInfo[],
    private readonly rows: CellValue[][],
    opts: { loading?: boolean } = {},
  ) {
    this.isLoading = opts.loading ?? false;
  }

  get totalRows(): number {
    return this.rows.length;
  }

  get loading(): boolean {
    return this.isLoading;
  }

  /** Adds rows while loading. They join the view at the next `setView` (the panel re-applies it on change). */
  append(rows: CellValue[][]): void {
    for (const r of rows) this.rows.push(r);
    this.emitter.fire();
  }

  finishLoading(): void {
    this.isLoading = false;
    this.emitter.fire();
  }

  async setView(q: { sort: SortKey[]; search?: string; filters?: ColumnFilter[] }): Promise<number> {
    const sort = q.sort.filter((k) => k.column >= 0 && k.column < this.columns.length);
    const filters = (q.filters ?? []).filter((f) => f.column >= 0 && f.column < this.columns.length);
    this.query = { sort, search: q.search ?? '', filters };
    this.order = this.computeOrder();
    return this.rowsInView;
  }

  async window(start: number, count: number): Promise<CellValue[][]> {
    const end = Math.min(this.rowsInView, start + Math.max(0, count));
    const out: CellValue[][] = [];
    for (let i = Math.max(0, start); i < end; i++) out.push(this.rows[this.order ? this.order[i] : i]);
    return out;
  }

  dispose(): void {
    this.emitter.dispose();
  }

  private get rowsInView(): number {
    return this.order ? this.order.length : this.rows.length;
  }

  private computeOrder(): Uint32Array | null {
    const { sort, search } = this.query;
    const filters = this.query.filters ?? [];
    if (sort.length === 0 && search === '' && filters.length === 0) return null;
    let idx: number[];
    if (search !== '') {
      const needle = search.toLowerCase();
      this.indexSearchText();
      idx = [];
      for (let i = 0; i < this.rows.length; i++) if (this.searchText[i].includes(needle)) idx.push(i);
    } else {
      idx = Array.from({ length: this.rows.length }, (_, i) => i);
    }
    for (const f of filters) idx = idx.filter((i) => cellPasses(this.rows[i][f.column] ?? null, f));
    if (sort.length > 0) {
      const rows = this.rows;
      // Array.prototype.sort is stable (ES2019), so equal keys keep arrival order.
      idx.sort((x, y) => {
        for (const k of sort) {
          const a = rows[x][k.column] ?? null;
          const b = rows[y][k.column] ?? null;
          if (a === b) continue;
          if (a === null) return 1;
          if (b === null) return -1;
          const c = compareCells(a, b);
          if (c !== 0) return k.desc ? -c : c;
        }
        return 0;
      });
    }
    return Uint32Array.from(idx);
  }

  private indexSearchText(): void {
    // Joined with a separator no one types, so a match never spans two cells.
    for (let i = this.searchText.length; i < this.rows.length; i++) {
      this.searchText.push(
        this.rows[i]
          .map((v) => (v === null ? '' : String(v)))
          .join('\u0001')
          .toLowerCase(),
      );
    }
  }
}
