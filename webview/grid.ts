/**
 * A virtual grid: a scroll container whose spacer is as tall as the view, with only the rows on
 * screen (plus overscan) in the DOM, recycled as the user scrolls. Rows come from `RowCache`,
 * which fetches windows from the host.
 *
 * Height scaling: browsers cap an element's height (Chromium near 33.5M px), and 10M rows × 22 px
 * is 220M px. Past MAX_SCROLL_HEIGHT the spacer stays at that height and the scroll position maps
 * proportionally onto the logical position, so the scrollbar still spans every row; rows are
 * placed relative to the scroll position, which keeps them pixel-exact while scrolling slowly.
 *
 * Columns are virtual too once there are more than ALL_COLUMNS_UP_TO: a row holds cells only for
 * the columns on screen (plus a few either side), each placed in its grid track, so a file with
 * thousands of columns costs tens of cells per row, not thousands.
 *
 * Accessibility: the scroll container is the `grid` and keeps DOM focus; the focused cell is
 * announced with aria-activedescendant (moving real focus between recycled cells would lose it),
 * and aria-rowcount/aria-rowindex give the true position of each row in the view.
 */
import type { ColumnInfo, SortKey } from '../src/protocol';
import { el } from './dom';
import { cellText, isNumericType } from './format';
import { RowCache } from './rowCache';

export const ROW_HEIGHT = 22;
const HEADER_HEIGHT = 26;
const MAX_SCROLL_HEIGHT = 8_000_000;
const OVERSCAN = 6;
const MIN_COL_WIDTH = 48;
const MAX_AUTO_WIDTH = 360;
/** Up to this many columns every cell of a row is in the DOM; past it, only those on screen. */
const ALL_COLUMNS_UP_TO = 60;
const COLUMN_OVERSCAN = 3;

export type CopyRange = { kind: 'cell'; row: number; col: number } | { kind: 'rows'; first: number; last: number };

export interface GridEvents {
  sortChanged(sort: SortKey[]): void;
  /** Rows were (re)drawn. */
  painted(): void;
  copy(range: CopyRange): void;
  /** Scroll position, focus or selection changed (footer text, saved state). */
  moved(): void;
  /** The user resized a column. */
  widthsChanged(): void;
  /** The header's stats button of a column was pressed (only when stats are enabled). */
  statsRequested?(column: number, anchor: HTMLElement): void;
}

interface PooledRow {
  el: HTMLDivElement;
  /** Indexed by column; only the columns of the drawn window are present. */
  cells: HTMLDivElement[];
  /** The column window the cells were drawn for. */
  colFirst: number;
  colLast: number;
  /** View index drawn in this element, -1 when unused. */
  index: number;
  /** The row array drawn, to skip rewriting cells that already show it. */
  data: unknown;
  stale: boolean;
}

export interface GridReport {
  renderedRows: number;
  firstRowIndex: number;
  firstRowTexts: string[][];
  /** A row from the previous view is still on screen: not worth reporting yet. */
  settling: boolean;
}

let gridCount = 0;

export class VirtualGrid {
  readonly element: HTMLDivElement;
  private readonly headerRow: HTMLDivElement;
  private readonly headerGroup: HTMLDivElement;
  /** Optional second header row (the filter row); its cells line up with the columns. */
  private filterRow: HTMLDivElement | null = null;
  private statsEnabled = false;
  private readonly spacer: HTMLDivElement;
  private readonly emptyNote: HTMLDivElement;
  private readonly activeId = `ip-grid-${++gridCount}-active`;
  private headerCells: HTMLDivElement[] = [];
  private pool: PooledRow[] = [];
  private columns: ColumnInfo[] = [];
  private widths: number[] = [];
  /** Left edge of each column (prefix sums of widths), for the column window. */
  private lefts: number[] = [];
  /** Columns whose width the user set (drag, or restored state): never auto-widened. */
  private userSized: boolean[] = [];
  private widthsDirty = false;
  private fonts: { cell: string; header: string } | undefined;
  private rowCount = 0;
  private sort: SortKey[] = [];
  /** row -1 is the header row. */
  private focusRow = 0;
  private focusCol = 0;
  private anchorRow = 0;
  private rowSelection = false;
  private frame = 0;
  private resizing = false;

  constructor(
    private readonly cache: RowCache,
    private readonly events: GridEvents,
  ) {
    this.headerRow = el('div', { className: 'ip-grid-header', attrs: { role: 'row', 'aria-rowindex': '1' } });
    this.spacer = el('div', { className: 'ip-grid-spacer', attrs: { role: 'presentation' } });
    this.emptyNote = el('div', { className: 'ip-grid-empty', attrs: { role: 'status' } });
    this.element = el('div', { className: 'ip-grid', attrs: { role: 'grid', tabindex: '0', 'aria-multiselectable': 'true' } }, [
      (this.headerGroup = el('div', { className: 'ip-grid-headergroup', attrs: { role: 'rowgroup' } }, [this.headerRow])),
      el('div', { className: 'ip-grid-body', attrs: { role: 'rowgroup' } }, [this.spacer]),
      this.emptyNote,
    ]);
    this.element.style.setProperty('--ip-row-h', `${ROW_HEIGHT}px`);
    this.element.style.setProperty('--ip-header-h', `${HEADER_HEIGHT}px`);
    this.element.addEventListener('scroll', () => {
      // Scroll events arrive once per frame; drawing right here avoids a frame of blank overscan.
      this.render();
      this.events.moved();
    });
    this.element.addEventListener('keydown', (e) => this.onKeyDown(e));
    this.element.addEventListener('pointerdown', (e) => this.onPointerDown(e));
    this.element.addEventListener('dblclick', (e) => this.onDoubleClick(e));
    new ResizeObserver(() => this.scheduleRender()).observe(this.element);
  }

  /** `widths`: saved widths of the columns the user sized (null for auto-sized ones). */
  setColumns(columns: ColumnInfo[], widths?: (number | null)[]): void {
    this.columns = columns;
    const saved = widths && widths.length === columns.length ? widths : columns.map(() => null);
    this.userSized = saved.map((w) => typeof w === 'number');
    this.widths = this.initialWidths().map((auto, i) => Math.max(MIN_COL_WIDTH, saved[i] ?? auto));
    this.sort = [];
    this.focusRow = 0;
    this.focusCol = 0;
    this.anchorRow = 0;
    this.rowSelection = false;
    for (const r of this.pool) r.el.remove();
    this.pool = [];
    this.headerCells = columns.map((c, i) => this.makeHeaderCell(c, i));
    this.headerRow.replaceChildren(...this.headerCells);
    this.element.setAttribute('aria-colcount', String(columns.length));
    this.applyWidths();
    this.updateHeader();
    this.scheduleRender();
  }

  /**
   * Puts one element per column under the header (the filter row), or removes the row (null).
   * Call after `setColumns`. The row is part of the sticky header, so rows scroll beneath it.
   */
  setFilterRow(cells: HTMLElement[] | null): void {
    this.filterRow?.remove();
    this.filterRow = null;
    if (cells) {
      this.filterRow = el('div', { className: 'ip-grid-filters', attrs: { role: 'row', 'aria-label': 'Column filters' } }, cells);
      this.headerGroup.appendChild(this.filterRow);
    }
    this.scheduleRender();
  }

  /** Whether the header shows statistics buttons (read from the DOM, for the render report). */
  get hasStatsButtons(): boolean {
    return this.element.querySelector('.ip-statsbtn') !== null;
  }

  /** Shows a stats button in each column header (takes effect at the next `setColumns`). */
  enableStats(on: boolean): void {
    this.statsEnabled = on;
  }

  setRowCount(rows: number): void {
    this.rowCount = rows;
    this.element.setAttribute('aria-rowcount', String(rows + 1));
    this.spacer.style.height = `${Math.min(rows * ROW_HEIGHT, MAX_SCROLL_HEIGHT)}px`;
    if (this.focusRow >= rows) this.focusRow = Math.max(rows === 0 ? -1 : 0, rows - 1);
    if (this.anchorRow >= rows) this.anchorRow = Math.max(0, rows - 1);
    this.scheduleRender();
  }

  setSort(sort: SortKey[]): void {
    this.sort = sort;
    this.updateHeader();
  }

  setEmptyText(text: string): void {
    this.emptyNote.textContent = text;
  }

  /** Widths the user chose (null where the grid sizes the column itself), for saved state. */
  getUserWidths(): (number | null)[] {
    return this.widths.map((w, i) => (this.userSized[i] ? w : null));
  }

  /** Scroll position in logical pixels (row index × row height), stable across scaling. */
  get logicalScrollTop(): number {
    return this.geometry().logicalTop;
  }

  set logicalScrollTop(value: number) {
    const g = this.geometry();
    this.element.scrollTop = g.logicalMax > 0 ? (Math.min(value, g.logicalMax) / g.logicalMax) * g.maxT : 0;
    this.scheduleRender();
  }

  /** First and last rows fully or partly on screen, and the focused/selected rows. */
  position(): { first: number; last: number; focusRow: number; selected: number } {
    const g = this.geometry();
    const first = Math.floor(g.logicalTop / ROW_HEIGHT);
    const last = Math.min(this.rowCount - 1, Math.ceil((g.logicalTop + g.viewportH) / ROW_HEIGHT) - 1);
    const selected = this.rowSelection ? Math.abs(this.focusRow - this.anchorRow) + 1 : 0;
    return { first, last, focusRow: this.focusRow, selected };
  }

  /** Rows arrived or the view changed: redraw on the next frame. */
  scheduleRender(): void {
    this.frame ||= requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  /** What is in the DOM now, read back from it (textContent), for the `rendered` report. */
  report(): GridReport {
    const first = Math.floor(this.geometry().logicalTop / ROW_HEIGHT);
    const shown = this.pool.filter((r) => r.index >= 0 && r.data !== null).sort((a, b) => a.index - b.index);
    const top = shown.filter((r) => r.index >= first).slice(0, 5);
    return {
      renderedRows: shown.filter((r) => !r.stale).length,
      firstRowIndex: top.length > 0 ? top[0].index : first,
      firstRowTexts: top.map((r) => r.cells.filter((c) => c !== undefined).map((c) => c.textContent ?? '')),
      settling: shown.some((r) => r.stale),
    };
  }

  private geometry() {
    const viewportH = Math.max(0, this.element.clientHeight - HEADER_HEIGHT - (this.filterRow?.offsetHeight ?? 0));
    const logicalH = this.rowCount * ROW_HEIGHT;
    const scrollH = Math.min(logicalH, MAX_SCROLL_HEIGHT);
    const maxT = Math.max(0, scrollH - viewportH);
    const logicalMax = Math.max(0, logicalH - viewportH);
    const t = Math.min(this.element.scrollTop, maxT);
    const logicalTop = maxT > 0 ? (t / maxT) * logicalMax : 0;
    return { viewportH, maxT, logicalMax, t, logicalTop };
  }

  private render(): void {
    const g = this.geometry();
    this.emptyNote.hidden = this.rowCount > 0;
    const visible = Math.ceil(g.viewportH / ROW_HEIGHT) + 1;
    const size = Math.max(1, visible + 2 * OVERSCAN);
    if (this.pool.length !== size) this.resizePool(size);
    const first = Math.max(0, Math.floor(g.logicalTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(this.rowCount - 1, first + size - 1);
    const used = new Set<PooledRow>();
    const [colFirst, colLast] = this.columnWindow();
    for (let i = first; i <= last; i++) {
      // Row i always lands in the same pool slot, so scrolling one row rewrites one element.
      const row = this.pool[i % size];
      used.add(row);
      this.fillRow(row, i, colFirst, colLast);
      row.el.style.transform = `translateY(${g.t + i * ROW_HEIGHT - g.logicalTop}px)`;
    }
    for (const row of this.pool) {
      if (used.has(row)) continue;
      row.el.hidden = true;
      row.index = -1;
      row.data = null;
    }
    if (this.widthsDirty) {
      this.widthsDirty = false;
      this.applyWidths();
    }
    this.updateActiveDescendant();
    if (last >= first) this.cache.want(first, last);
    this.events.painted();
  }

  private resizePool(size: number): void {
    for (const r of this.pool) r.el.remove();
    this.pool = [];
    for (let k = 0; k < size; k++) {
      const rowEl = el('div', { className: 'ip-row', attrs: { role: 'row' } });
      rowEl.hidden = true;
      this.spacer.appendChild(rowEl);
      this.pool.push({ el: rowEl, cells: [], colFirst: 0, colLast: -1, index: -1, data: null, stale: false });
    }
  }

  /** First and last column to draw: all of them for a narrow table, else those on screen plus a few. */
  private columnWindow(): [number, number] {
    const n = this.columns.length;
    if (n <= ALL_COLUMNS_UP_TO) return [0, n - 1];
    const lefts = this.lefts;
    const sl = this.element.scrollLeft;
    const right = sl + Math.max(this.element.clientWidth, 1);
    // Binary search for the first column whose right edge is past the left of the viewport.
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (lefts[mid] + this.widths[mid] <= sl) lo = mid + 1;
      else hi = mid;
    }
    let last = lo;
    while (last < n - 1 && lefts[last + 1] < right) last++;
    return [Math.max(0, lo - COLUMN_OVERSCAN), Math.min(n - 1, last + COLUMN_OVERSCAN)];
  }

  /** Makes the row hold cells for exactly the columns [first, last], each in its own grid track. */
  private windowCells(row: PooledRow, first: number, last: number): boolean {
    if (row.colFirst === first && row.colLast === last && row.cells.length === this.columns.length) return false;
    for (let c = 0; c < row.cells.length; c++) {
      const cell = row.cells[c];
      if (cell && (c < first || c > last)) {
        cell.remove();
        delete row.cells[c];
      }
    }
    row.cells.length = this.columns.length;
    const added: HTMLDivElement[] = [];
    for (let c = first; c <= last; c++) {
      if (row.cells[c]) continue;
      const cell = el('div', {
        className: isNumericType(this.columns[c].type) ? 'ip-cell ip-num' : 'ip-cell',
        attrs: { role: 'gridcell', 'aria-colindex': String(c + 1) },
      });
      cell.style.gridColumn = String(c + 1);
      row.cells[c] = cell;
      added.push(cell);
    }
    if (added.length) {
      // Keep DOM order = column order (screen readers and copy read it in that order).
      const inOrder = row.cells.filter((c) => c !== undefined);
      row.el.replaceChildren(...inOrder);
    }
    row.colFirst = first;
    row.colLast = last;
    return true;
  }

  private fillRow(row: PooledRow, index: number, colFirst: number, colLast: number): void {
    const cached = this.cache.row(index);
    const values = cached?.values ?? null;
    if (row.index !== index) {
      row.index = index;
      row.el.setAttribute('aria-rowindex', String(index + 2));
      row.el.classList.toggle('ip-odd', index % 2 === 1);
    }
    const rewindowed = this.windowCells(row, colFirst, colLast);
    if (row.data !== values || row.el.hidden || rewindowed) {
      row.data = values;
      row.el.hidden = false;
      row.el.classList.toggle('ip-pending', values === null);
      for (let c = colFirst; c <= colLast; c++) {
        const v = values ? (values[c] ?? null) : null;
        const cell = row.cells[c];
        const text = values ? cellText(v) : '';
        cell.textContent = text; // text only, never markup
        cell.classList.toggle('ip-null', values !== null && v === null);
        if (text !== '' && !this.userSized[c]) this.growToFit(c, text);
      }
    }
    row.stale = cached?.stale ?? false;
    const selected = this.isSelected(index);
    row.el.classList.toggle('ip-selected', selected);
    row.el.setAttribute('aria-selected', String(selected));
  }

  private isSelected(index: number): boolean {
    if (!this.rowSelection) return false;
    return index >= Math.min(this.anchorRow, this.focusRow) && index <= Math.max(this.anchorRow, this.focusRow);
  }

  private updateActiveDescendant(): void {
    this.element.querySelector(`#${this.activeId}`)?.removeAttribute('id');
    this.element.querySelector('.ip-focused')?.classList.remove('ip-focused');
    let cell: HTMLDivElement | undefined;
    if (this.focusRow === -1) cell = this.headerCells[this.focusCol];
    else cell = this.pool.find((r) => r.index === this.focusRow)?.cells[this.focusCol];
    if (cell) {
      cell.id = this.activeId;
      cell.classList.add('ip-focused');
      this.element.setAttribute('aria-activedescendant', this.activeId);
    } else {
      this.element.removeAttribute('aria-activedescendant');
    }
  }

  // ---- header: sort and resize ----

  private makeHeaderCell(c: ColumnInfo, i: number): HTMLDivElement {
    const resizer = el('div', { className: 'ip-resizer', attrs: { 'aria-hidden': 'true' } });
    const cell = el(
      'div',
      {
        className: isNumericType(c.type) ? 'ip-colhead ip-num' : 'ip-colhead',
        attrs: { role: 'columnheader', 'aria-colindex': String(i + 1), title: `${c.name} (${c.type})` },
      },
      [el('span', { className: 'ip-colname', text: c.name }), el('span', { className: 'ip-sortmark' }), resizer],
    );
    if (this.statsEnabled) {
      const stats = el('button', {
        className: 'ip-statsbtn',
        text: 'Σ',
        attrs: { type: 'button', title: `Statistics of ${c.name}`, 'aria-label': `Statistics of ${c.name}` },
      });
      // Before the resize handle, so the handle stays on the right edge.
      cell.insertBefore(stats, resizer);
      stats.addEventListener('click', (e) => {
        e.stopPropagation(); // not a sort click
        this.events.statsRequested?.(i, stats);
      });
    }
    cell.addEventListener('click', (e) => {
      if (this.resizing || (e.target as Element).closest('.ip-resizer')) return;
      this.focusRow = -1;
      this.focusCol = i;
      this.toggleSort(i, e.shiftKey);
    });
    resizer.addEventListener('pointerdown', (e) => this.startResize(e, i, resizer));
    return cell;
  }

  /** Click: sort by this column (asc → desc → unsorted). Shift-click: add/flip/remove a secondary key. */
  private toggleSort(column: number, add: boolean): void {
    const at = this.sort.findIndex((k) => k.column === column);
    let next: SortKey[];
    if (add) {
      next = [...this.sort];
      if (at < 0) next.push({ column, desc: false });
      else if (!next[at].desc) next[at] = { column, desc: true };
      else next.splice(at, 1);
    } else if (at === 0 && this.sort.length === 1) {
      next = this.sort[0].desc ? [] : [{ column, desc: true }];
    } else {
      next = [{ column, desc: false }];
    }
    this.setSort(next);
    this.events.sortChanged(next);
  }

  private updateHeader(): void {
    this.headerCells.forEach((cell, i) => {
      const at = this.sort.findIndex((k) => k.column === i);
      const key = this.sort[at];
      const mark = cell.querySelector('.ip-sortmark')!;
      mark.textContent = key ? `${key.desc ? '▼' : '▲'}${this.sort.length > 1 ? at + 1 : ''}` : '';
      cell.classList.toggle('ip-sorted', !!key);
      // aria-sort belongs on one header at a time: the primary key.
      if (at === 0) cell.setAttribute('aria-sort', key.desc ? 'descending' : 'ascending');
      else cell.removeAttribute('aria-sort');
    });
  }

  private startResize(e: PointerEvent, col: number, handle: HTMLElement): void {
    e.preventDefault();
    e.stopPropagation();
    handle.setPointerCapture(e.pointerId);
    this.resizing = true;
    const startX = e.clientX;
    const startW = this.widths[col];
    const move = (ev: PointerEvent) => {
      this.widths[col] = Math.max(MIN_COL_WIDTH, Math.round(startW + ev.clientX - startX));
      this.applyWidths();
    };
    const end = () => {
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', end);
      handle.removeEventListener('pointercancel', end);
      this.userSized[col] = true; // the user chose this width: never auto-size over it
      this.events.widthsChanged();
      // The click that follows pointerup must not sort.
      setTimeout(() => (this.resizing = false), 0);
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', end);
    handle.addEventListener('pointercancel', end);
  }

  private onDoubleClick(e: MouseEvent): void {
    const handle = (e.target as Element).closest('.ip-resizer');
    if (!handle) return;
    const col = this.headerCells.findIndex((c) => c.contains(handle));
    if (col >= 0) {
      this.widths[col] = this.measureColumn(col);
      this.userSized[col] = true;
      this.applyWidths();
      this.events.widthsChanged();
    }
  }

  private applyWidths(): void {
    let x = 0;
    this.lefts = this.widths.map((w) => {
      const at = x;
      x += w;
      return at;
    });
    this.element.style.setProperty('--ip-cols', this.widths.map((w) => `${w}px`).join(' '));
    this.element.style.setProperty('--ip-width', `${this.widths.reduce((a, b) => a + b, 0)}px`);
  }

  private initialWidths(): number[] {
    return this.columns.map((c) => {
      const byType = c.type === 'string' ? 140 : c.type === 'datetime' ? 170 : 90;
      return Math.max(byType, this.measureText(c.name, true));
    });
  }

  /**
   * Widens a column (never narrows it) when a drawn value does not fit, so columns fit what the
   * user has seen, wherever in 10M rows that is, without measuring rows nobody looked at.
   */
  private growToFit(col: number, text: string): void {
    // Cheap test first: at UI font sizes no character is wider than ~10px, so short text fits.
    if (text.length * 10 + 18 <= this.widths[col]) return;
    const w = Math.min(MAX_AUTO_WIDTH, Math.ceil(this.measureText(text, false) / 8) * 8);
    if (w > this.widths[col]) {
      this.widths[col] = w;
      this.widthsDirty = true;
    }
  }

  private measureColumn(col: number): number {
    let w = this.measureText(this.columns[col].name, true);
    const { first } = this.position();
    for (let i = first; i < Math.min(this.rowCount, first + 200); i++) {
      const row = this.cache.row(i);
      if (row) w = Math.max(w, this.measureText(cellText(row.values[col] ?? null), false));
    }
    return Math.min(MAX_AUTO_WIDTH, w);
  }

  private measureCanvas?: CanvasRenderingContext2D | null;

  private measureText(text: string, header: boolean): number {
    this.measureCanvas ??= document.createElement('canvas').getContext('2d');
    const ctx = this.measureCanvas;
    // Cell padding and border; headers also keep room for a sort mark ("▼2") and the resize handle.
    const padding = header ? 48 : 18;
    if (!ctx) return Math.max(MIN_COL_WIDTH, text.length * 7 + padding);
    if (!this.fonts) {
      const style = getComputedStyle(this.element);
      this.fonts = { cell: `${style.fontSize} ${style.fontFamily}`, header: `600 ${style.fontSize} ${style.fontFamily}` };
    }
    ctx.font = header ? this.fonts.header : this.fonts.cell;
    const w = ctx.measureText(text).width;
    return Math.max(MIN_COL_WIDTH, Math.ceil(w + padding));
  }

  // ---- focus, keyboard, mouse ----

  private onPointerDown(e: PointerEvent): void {
    const cell = (e.target as Element).closest('.ip-cell');
    if (!cell || e.button !== 0) return;
    const row = this.pool.find((r) => r.el === cell.parentElement);
    if (!row || row.index < 0) return;
    this.element.focus({ preventScroll: true });
    this.moveTo(row.index, row.cells.indexOf(cell as HTMLDivElement), e.shiftKey);
  }

  private onKeyDown(e: KeyboardEvent): void {
    // Keys typed into the filter row belong to its inputs, not to grid navigation.
    if ((e.target as Element).closest('input, button')) return;
    const mod = e.ctrlKey || e.metaKey;
    const page = Math.max(1, Math.floor(this.geometry().viewportH / ROW_HEIGHT) - 1);
    const lastRow = this.rowCount - 1;
    const lastCol = this.columns.length - 1;
    let row = this.focusRow;
    let col = this.focusCol;
    switch (e.key) {
      case 'ArrowDown':
        row = Math.min(lastRow, row + 1);
        break;
      case 'ArrowUp':
        row = Math.max(-1, row - 1); // -1: onto the header, where Enter sorts
        break;
      case 'ArrowLeft':
        col = Math.max(0, col - 1);
        break;
      case 'ArrowRight':
        col = Math.min(lastCol, col + 1);
        break;
      case 'PageDown':
        row = Math.min(lastRow, Math.max(0, row) + page);
        break;
      case 'PageUp':
        row = Math.max(0, row - page);
        break;
      case 'Home':
        if (mod) row = Math.min(0, lastRow);
        col = 0;
        break;
      case 'End':
        if (mod) row = lastRow;
        col = lastCol;
        break;
      case 'Enter':
      case ' ':
        if (this.focusRow !== -1) return;
        this.toggleSort(this.focusCol, e.shiftKey);
        e.preventDefault();
        return;
      case 'Escape':
        this.rowSelection = false;
        this.anchorRow = this.focusRow;
        this.scheduleRender();
        this.events.moved();
        return;
      default:
        if (mod && !e.shiftKey && !e.altKey && e.key.toLowerCase() === 'c') {
          e.preventDefault();
          this.copySelection();
        } else if (mod && !e.altKey && e.key.toLowerCase() === 'a' && this.rowCount > 0) {
          e.preventDefault();
          this.anchorRow = 0;
          this.rowSelection = true;
          this.moveTo(lastRow, this.focusCol, true);
        }
        return;
    }
    e.preventDefault();
    if (this.columns.length === 0) return;
    // Shift extends the row range vertically; sideways it keeps the range and moves the focused column.
    const sideways = e.key === 'ArrowLeft' || e.key === 'ArrowRight';
    const extend = e.shiftKey && row >= 0 && (!sideways || this.rowSelection);
    this.moveTo(row, col, extend);
  }

  private moveTo(row: number, col: number, extend: boolean): void {
    if (extend && this.focusRow >= 0) {
      if (!this.rowSelection) this.anchorRow = this.focusRow;
      this.rowSelection = true;
    } else if (!extend) {
      this.rowSelection = false;
      this.anchorRow = Math.max(0, row);
    }
    this.focusRow = row;
    this.focusCol = col;
    this.ensureVisible(row, col);
    this.scheduleRender();
    this.events.moved();
  }

  private ensureVisible(row: number, col: number): void {
    if (row >= 0) {
      const g = this.geometry();
      const top = row * ROW_HEIGHT;
      if (top < g.logicalTop) this.logicalScrollTop = top;
      else if (top + ROW_HEIGHT > g.logicalTop + g.viewportH) this.logicalScrollTop = top + ROW_HEIGHT - g.viewportH;
    }
    const left = this.widths.slice(0, col).reduce((a, b) => a + b, 0);
    const right = left + (this.widths[col] ?? 0);
    const sl = this.element.scrollLeft;
    if (left < sl) this.element.scrollLeft = left;
    else if (right > sl + this.element.clientWidth) this.element.scrollLeft = right - this.element.clientWidth;
  }

  private copySelection(): void {
    if (this.rowSelection) {
      this.events.copy({
        kind: 'rows',
        first: Math.min(this.anchorRow, this.focusRow),
        last: Math.max(this.anchorRow, this.focusRow),
      });
    } else if (this.focusRow >= 0) {
      this.events.copy({ kind: 'cell', row: this.focusRow, col: this.focusCol });
    }
  }
}
