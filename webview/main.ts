/**
 * Entry of the preview webview: header, toolbar, chart, virtual grid, footer, and the glue
 * between them and the host. The host owns the data; this page holds a screenful of rows, the
 * user's view choices (kept with setState so a hidden panel comes back as it was) and nothing else.
 */
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-toolbar-button/index.js';
import {
  MAX_SEARCH_CHARS,
  sameView,
  type CellValue,
  type ChartQuery,
  type ChartSpec,
  type ColumnFilter,
  type ColumnInfo,
  type ColumnStatsPayload,
  type HostMessage,
  type HostToWebview,
  type PreviewMode,
  type RenderReport,
  type ViewQuery,
} from '../src/protocol';
import { ChartView } from './chart';
import { ChartBar } from './chartControls';
import { custom, el } from './dom';
import { FILTER_HELP, filterText, parseFilter } from './filters';
import { cellText, formatCount, plural, singleCellText, toTsv } from './format';
import { VirtualGrid, type CopyRange } from './grid';
import { HostBridge, type SavedState } from './hostBridge';
import css from './preview.css';
import { RowCache } from './rowCache';

/** Larger copies would freeze the page building the text; the footer says when we cut. */
const MAX_COPY_ROWS = 50_000;
/** The plot area never gets smaller than this (CSS pixels): a squashed chart reads nothing. */
const MIN_PLOT_PX = 240;
/** The chart controls' automatic choice, asked for when the user picks "Chart the rows". */
const AUTO_CHART: ChartQuery = { kind: 'auto', x: null, y: null, agg: 'count', split: null, bucket: 'auto' };
const SEARCH_DEBOUNCE_MS = 250;
const MODES: [PreviewMode, string][] = [
  ['table', 'Table'],
  ['chart', 'Chart'],
  ['both', 'Both'],
];

function themeName(): string {
  const c = document.body.classList;
  if (c.contains('vscode-high-contrast-light')) return 'high-contrast-light';
  if (c.contains('vscode-high-contrast')) return 'high-contrast';
  if (c.contains('vscode-dark')) return 'dark';
  if (c.contains('vscode-light')) return 'light';
  return 'unknown';
}

class PreviewApp {
  private readonly bridge = new HostBridge();
  private readonly cache: RowCache;
  private readonly grid: VirtualGrid;
  private readonly chart: ChartView;
  private readonly titleEl = el('h1', { className: 'ip-title' });
  private readonly subtitleEl = el('p', { className: 'ip-subtitle' });
  private readonly search = custom('vscode-textfield', {
    type: 'search',
    placeholder: 'Search all columns',
    'aria-label': 'Search rows',
    maxlength: String(MAX_SEARCH_CHARS),
    class: 'ip-search',
  }) as HTMLElement & { value: string };
  private readonly modeButtons = new Map<PreviewMode, HTMLElement & { checked: boolean }>();
  private readonly progressBar = custom('vscode-progress-bar', { indeterminate: '', 'aria-label': 'Loading rows' });
  private readonly errorEl = el('div', { className: 'ip-error', attrs: { role: 'alert' } });
  private readonly countsEl = el('span', { className: 'ip-counts', attrs: { 'aria-live': 'polite' } });
  private readonly positionEl = el('span', { className: 'ip-position' });
  private readonly toastEl = el('span', { className: 'ip-toast', attrs: { role: 'status' } });
  private readonly exportButton = custom('vscode-toolbar-button', { icon: 'save', label: 'Export the view…', title: 'Export all rows of this view (CSV, TSV or JSON)' }, 'Export…');
  private readonly statsEl = el('div', { className: 'ip-stats', attrs: { role: 'dialog', 'aria-label': 'Column statistics' } });
  private filterInputs: HTMLInputElement[] = [];
  private source: { panel: string } | undefined;
  /** Copy as TSV guards formula-like text cells (from the host's init; on until told otherwise). */
  private formulaGuard = true;
  private readonly root: HTMLElement;
  private readonly splitter = el('div', {
    className: 'ip-splitter',
    attrs: { role: 'separator', 'aria-orientation': 'horizontal', 'aria-label': 'Chart height', 'aria-valuemin': String(MIN_PLOT_PX), tabindex: '0', title: 'Drag to resize the chart (double-click: default height)' },
  });
  /** The plot height the user chose with the splitter (undefined: the default). */
  private chartHeight: number | undefined;

  private saved: Partial<SavedState>;
  private columns: ColumnInfo[] = [];
  private columnsKey = '';
  private view: ViewQuery = { sort: [], search: '' };
  private awaitingView = false;
  private totalRows = 0;
  private rowsInView = 0;
  private loading = false;
  private chartNote: string | null = null;
  /** The result's own charts (the picker chooses among them); empty for host-charted tables. */
  private charts: ChartSpec[] = [];
  private chartIndex = 0;
  /** The host can chart the view from the controls' query. */
  private hostCharts = false;
  /** The result brings its own charts (or a note instead): the picker lists them and "Chart the rows". */
  private ownMode = false;
  /** Why the result has no chart of its own (own mode, no charts). */
  private ownNote: string | null = null;
  /** The host's chart of the rows is what the panel shows (the controls are in force). */
  private showingHost = false;
  /** The picker's choices as shown (empty when it is hidden). */
  private chartChoices: string[] = [];
  private chartQuery: ChartQuery | null = null;
  /** Seq of the last query sent (host charts carry the seq they answer). */
  private chartSeq = 0;
  private readonly chartBar: ChartBar;
  private mode: PreviewMode = 'both';
  private pendingScroll: number | undefined;
  private lastReport = '';
  private timers = new Map<string, ReturnType<typeof setTimeout>>();
  private firstRowsMarked = false;

  constructor(root: HTMLElement) {
    this.root = root;
    this.saved = this.bridge.loadState();
    this.cache = new RowCache(
      (requestId, viewVersion, start, count) => this.bridge.post('requestWindow', { requestId, viewVersion, start, count }),
      () => this.grid.scheduleRender(),
    );
    this.grid = new VirtualGrid(this.cache, {
      sortChanged: (sort) => this.requestView({ ...this.view, sort }),
      painted: () => {
        // For `npm run bench`: when the first data rows reached the DOM (read through Playwright).
        if (!this.firstRowsMarked && this.grid.element.querySelector('.ip-row:not([hidden]):not(.ip-pending)')) {
          this.firstRowsMarked = true;
          performance.mark('insight-first-rows');
        }
        this.later('report', 50, () => this.report());
      },
      copy: (range) => void this.copy(range),
      statsRequested: (column, anchor) => {
        const r = anchor.getBoundingClientRect();
        this.statsEl.style.left = `${Math.max(4, Math.min(r.left, window.innerWidth - 330))}px`;
        this.statsEl.style.top = `${r.bottom + 4}px`;
        this.statsEl.replaceChildren(el('span', { text: 'Computing…' }));
        this.statsEl.hidden = false;
        this.bridge.post('requestStats', { column });
      },
      moved: () => {
        this.updateFooter();
        this.later('state', 200, () => this.saveState());
      },
      widthsChanged: () => this.saveState(),
    });
    this.grid.element.setAttribute('aria-label', 'Result rows');
    this.chartBar = new ChartBar({
      pick: (i) => {
        this.chartIndex = i;
        const custom = this.ownMode && i === this.customIndex();
        this.showingHost = custom;
        this.chartBar.setQuery(this.columns, this.chartQuery, custom);
        if (custom) {
          this.showChart(null, 'Charting the rows…');
          this.bridge.post('setChart', { query: this.chartQuery ?? AUTO_CHART, seq: ++this.chartSeq });
        } else {
          this.showChart(this.charts[i] ?? null, this.ownMode ? this.ownNote : this.chartNote);
        }
        this.saveState();
      },
      // The query in force (reported and saved) is the one the host answers with.
      query: (q) => this.bridge.post('setChart', { query: q, seq: ++this.chartSeq }),
      showData: (on) => {
        this.chart.showData(on);
        this.saveState();
      },
      save: async (format) => {
        const data = format === 'png' ? await this.chart.toPng() : this.chart.toSvg();
        if (!data) return this.toast('Nothing to save: the chart is not drawn.');
        this.bridge.post('saveChart', { format, data, name: this.chart.title });
        this.toast('Choose where to save the chart…');
      },
    });
    this.chart = new ChartView(() => this.later('report', 50, () => this.report()), this.chartBar.element);
    this.build();
    this.setMode(this.saved.mode ?? 'both');
    this.bridge.onMessage((m) => this.onMessage(m));
    // Colours of the chart are baked in at creation; the grid follows CSS variables by itself.
    new MutationObserver(() => {
      this.chart.rebuild();
      this.later('report', 50, () => this.report());
    }).observe(document.body, { attributes: true, attributeFilter: ['class'] });
    this.bridge.post('ready', {});
  }

  private build(): void {
    this.search.addEventListener('input', () => this.later('search', SEARCH_DEBOUNCE_MS, () => this.applySearch()));
    this.search.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') this.applySearch();
      if (e.key === 'Escape' && this.search.value !== '') {
        this.search.value = '';
        this.applySearch();
      }
    });
    const modes = el('div', { className: 'ip-modes', attrs: { role: 'group', 'aria-label': 'Show' } });
    for (const [mode, label] of MODES) {
      const b = custom('vscode-toolbar-button', { toggleable: '', label: `Show ${label.toLowerCase()}` }, label) as HTMLElement & {
        checked: boolean;
      };
      // The component toggles itself on click; the mode decides, so a second click keeps it on.
      b.addEventListener('change', () => this.setMode(mode));
      this.modeButtons.set(mode, b);
      modes.appendChild(b);
    }
    this.errorEl.hidden = true;
    this.progressBar.hidden = true;
    this.exportButton.hidden = true;
    this.exportButton.addEventListener('click', () => {
      // The host's save dialog picks the format from the file type chosen there.
      this.bridge.post('export', { format: 'csv' });
      this.toast('Choose where to save the export…');
    });
    this.statsEl.hidden = true;
    document.addEventListener('pointerdown', (e) => {
      if (!this.statsEl.hidden && !this.statsEl.contains(e.target as Node)) this.statsEl.hidden = true;
    });
    const gridWrap = el('div', { className: 'ip-gridwrap' }, [this.grid.element]);
    this.setChartHeight(this.saved.chartHeight);
    this.buildSplitter();
    this.root.replaceChildren(
      // At the top edge, where VS Code's own views show progress.
      el('div', { className: 'ip-progress' }, [this.progressBar]),
      el('header', { className: 'ip-header' }, [this.titleEl, this.subtitleEl]),
      el('div', { className: 'ip-toolbar', attrs: { role: 'toolbar', 'aria-label': 'Preview' } }, [this.search, modes, this.exportButton]),
      this.errorEl,
      this.statsEl,
      el('main', { className: 'ip-main' }, [this.chart.element, this.splitter, gridWrap]),
      el('footer', { className: 'ip-footer' }, [this.countsEl, el('span', { className: 'ip-spring' }), this.toastEl, this.positionEl]),
    );
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') this.statsEl.hidden = true;
      if ((e.ctrlKey || e.metaKey) && !e.shiftKey && e.key.toLowerCase() === 'f') {
        e.preventDefault();
        this.search.focus();
      }
    });
  }

  private onMessage(m: HostMessage): void {
    switch (m.type) {
      case 'init':
        if (!performance.getEntriesByName('insight-init').length) performance.mark('insight-init');
        return this.onInit(m.payload);
      case 'window':
        return this.cache.receive(m.payload);
      case 'viewChanged':
        return this.onViewChanged(m.payload);
      case 'progress':
        this.totalRows = m.payload.totalRows;
        this.loading = m.payload.loading;
        this.progressBar.hidden = !this.loading;
        return this.updateFooter();
      case 'error':
        this.errorEl.textContent = m.payload.message;
        this.errorEl.hidden = false;
        return;
      case 'notice':
        return this.toast(m.payload.message);
      case 'stats':
        return this.showStats(m.payload);
      case 'chart':
        // An answer to an older choice while a newer one is on its way: the newer answer follows.
        if (!this.showingHost || m.payload.seq < this.chartSeq) return;
        this.chartNote = m.payload.note;
        this.chartQuery = m.payload.query;
        this.chartBar.setQuery(this.columns, m.payload.query, true);
        this.showChart(m.payload.chart, m.payload.note);
        return this.saveState();
    }
  }

  private onInit(p: HostToWebview['init']): void {
    // By names only: a file still loading may settle a column's type (integer → number) later.
    const key = JSON.stringify(p.columns.map((c) => c.name));
    // Saved sort, search, scroll and widths only apply to the result they were made on.
    const restore = this.saved.columnsKey === key ? this.saved : {};
    // A file's header may not have arrived at the first init: keep the saved state for the next.
    if (p.columns.length > 0) this.saved = {};
    this.columns = p.columns;
    this.columnsKey = key;
    this.source = p.source;
    this.formulaGuard = p.formulaGuard ?? true;
    this.totalRows = p.totalRows;
    this.loading = p.loading;
    this.chartNote = p.chartNote;
    this.titleEl.textContent = p.title;
    this.subtitleEl.textContent = p.subtitle ?? '';
    this.subtitleEl.hidden = !p.subtitle;
    this.progressBar.hidden = !p.loading;
    this.errorEl.hidden = true;
    this.lastReport = '';
    this.cache.clear();
    this.grid.enableStats(p.features?.stats ?? false);
    this.grid.setColumns(p.columns, restore.widths);
    this.exportButton.hidden = !(p.features?.export ?? false);
    this.statsEl.hidden = true;
    this.buildFilterRow();
    this.hostCharts = p.features?.chartQuery ?? false;
    this.ownMode = this.hostCharts && p.charts !== undefined;
    this.ownNote = p.ownNote ?? null;
    this.charts = p.charts ?? (p.chart && !this.hostCharts ? [p.chart] : []);
    const titles = this.charts.map((c, i) => c.title ?? `Chart ${i + 1}`);
    // A result with a note instead of a chart: the first choice shows the note.
    if (this.ownMode && titles.length === 0) titles.push('No chart');
    const choices = this.ownMode ? [...titles, 'Chart the rows'] : titles;
    const customIndex = this.customIndex();
    this.chartIndex =
      restore.chartIndex !== undefined && restore.chartIndex < Math.max(1, choices.length) ? restore.chartIndex : p.customChart && this.ownMode ? customIndex : 0;
    this.showingHost = this.hostCharts && (!this.ownMode || this.chartIndex === customIndex);
    this.chartQuery = p.chartQuery ?? null;
    this.chartChoices = choices.length > 1 ? choices : [];
    this.chartBar.setCharts(choices, this.chartIndex);
    this.chartBar.setQuery(this.columns, this.chartQuery, this.showingHost);
    this.chartBar.setData(restore.chartData ?? this.chartBar.showsData);
    const hostComputed = p.customChart === true;
    if (!this.showingHost) {
      this.showChart(this.charts[this.chartIndex] ?? null, this.ownMode ? this.ownNote : p.chartNote);
    } else if (!hostComputed) {
      // The saved choice was "Chart the rows" but the host drew the result's own chart: ask for the rows' chart.
      this.showChart(null, 'Charting the rows…');
      const q = restore.chartQuery && this.queryFits(restore.chartQuery, p.columns.length) ? restore.chartQuery : AUTO_CHART;
      this.bridge.post('setChart', { query: q, seq: ++this.chartSeq });
    } else {
      this.showChart(p.chart, p.chartNote);
      if (restore.chartQuery && JSON.stringify(restore.chartQuery) !== JSON.stringify(p.chartQuery) && this.queryFits(restore.chartQuery, p.columns.length)) {
        this.chartQuery = restore.chartQuery;
        this.bridge.post('setChart', { query: restore.chartQuery, seq: ++this.chartSeq });
      }
    }
    const wanted: ViewQuery = {
      // Only what the host accepts: a rejected setView would leave the grid waiting for a view.
      sort: (restore.sort ?? p.view.sort).filter((k) => k.column >= 0 && k.column < p.columns.length).slice(0, p.columns.length),
      search: (restore.search ?? p.view.search).slice(0, MAX_SEARCH_CHARS),
    };
    const filters = this.checkedFilters(restore.filters ?? p.view.filters ?? []);
    if (filters.length > 0) wanted.filters = filters;
    this.view = wanted;
    this.search.value = wanted.search;
    for (const f of filters) {
      this.filterInputs[f.column].value = filterText(f);
      this.filterInputs[f.column].classList.add('ip-active');
    }
    this.grid.setSort(wanted.sort);
    this.pendingScroll = restore.scrollTop;
    if (sameView(wanted, p.view)) {
      this.onViewChanged({ viewVersion: p.viewVersion, rowsInView: p.rowsInView, view: p.view });
    } else {
      this.rowsInView = p.rowsInView;
      this.requestView(wanted);
    }
  }

  private onViewChanged(p: HostToWebview['viewChanged']): void {
    // An older view still landing while a newer one is on its way: the newer one will follow.
    if (!sameView(p.view, this.view)) return;
    this.awaitingView = false;
    this.errorEl.hidden = true;
    this.rowsInView = p.rowsInView;
    this.cache.reset(p.viewVersion, p.rowsInView);
    this.grid.setRowCount(p.rowsInView);
    this.grid.setEmptyText(
      this.view.search || this.view.filters?.length
        ? 'No rows match the search and filters.'
        : this.loading
          ? 'Loading rows…'
          : 'This result has no rows.',
    );
    if (this.pendingScroll !== undefined) {
      this.grid.logicalScrollTop = this.pendingScroll;
      this.pendingScroll = undefined;
    }
    this.updateFooter();
    // Saved now, not only on user actions: a reload must find the file and view to restore.
    this.saveState();
  }

  /** The picker's "Chart the rows" choice (own mode). */
  private customIndex(): number {
    return this.ownMode ? Math.max(1, this.charts.length) : -1;
  }

  /** A saved query still names columns of this result. */
  private queryFits(q: ChartQuery, columnCount: number): boolean {
    return [q.x, q.y, q.split].every((c) => c === null || (c >= 0 && c < columnCount));
  }

  private showChart(spec: ChartSpec | null, note: string | null): void {
    const controls = this.hostCharts || this.charts.length > 1;
    this.chart.set(spec, note, controls);
    this.chart.showData(this.chartBar.showsData);
    this.chartBar.setHasChart(this.chart.hasChart);
    this.chartBar.element.hidden = !controls && !this.chart.hasChart;
    this.root.classList.toggle('ip-has-chart', this.chart.hasChart);
  }

  private applySearch(): void {
    const search = this.search.value.trim().slice(0, MAX_SEARCH_CHARS);
    if (search !== this.view.search) this.requestView({ ...this.view, search });
  }

  /** One input per column under the header; Enter applies at once, typing after a pause. */
  private buildFilterRow(): void {
    this.filterInputs = this.columns.map((c) => {
      const input = el('input', {
        className: 'ip-filter',
        attrs: { type: 'text', placeholder: 'filter', title: FILTER_HELP, 'aria-label': `Filter ${c.name}`, spellcheck: 'false' },
      });
      input.addEventListener('input', () => this.later('filters', SEARCH_DEBOUNCE_MS, () => this.applyFilters()));
      input.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') this.applyFilters();
        if (e.key === 'Escape' && input.value !== '') {
          input.value = '';
          this.applyFilters();
        }
      });
      return input;
    });
    this.grid.setFilterRow(this.filterInputs);
  }

  /** Saved or host filters that still fit these columns (a rejected setView would leave the grid waiting). */
  private checkedFilters(list: ColumnFilter[]): ColumnFilter[] {
    const out: ColumnFilter[] = [];
    for (const f of list) {
      const col = this.columns[f.column];
      if (!col || out.some((o) => o.column === f.column)) continue;
      const again = parseFilter(filterText(f), f.column, col.type);
      if (again && again !== 'invalid') out.push(again);
    }
    return out;
  }

  private applyFilters(): void {
    const filters: ColumnFilter[] = [];
    this.filterInputs.forEach((input, i) => {
      const f = parseFilter(input.value.slice(0, MAX_SEARCH_CHARS), i, this.columns[i].type);
      input.classList.toggle('ip-invalid', f === 'invalid');
      input.classList.toggle('ip-active', f !== null && f !== 'invalid');
      if (f && f !== 'invalid') filters.push(f);
    });
    const next: ViewQuery = { sort: this.view.sort, search: this.view.search };
    if (filters.length > 0) next.filters = filters;
    if (!sameView(next, this.view)) this.requestView(next);
  }

  private showStats(s: ColumnStatsPayload): void {
    const col = this.columns[s.column];
    if (!col) return;
    const rows: [string, string][] = [
      ['Values', formatCount(s.count)],
      ['Empty', formatCount(s.nulls)],
      ['Distinct', formatCount(s.distinct)],
      ['Min', cellText(s.min)],
      ['Max', cellText(s.max)],
    ];
    const table = el(
      'table',
      {},
      rows.map(([k, v]) => el('tr', {}, [el('td', { text: k }), el('td', { text: v })])),
    );
    const top = el(
      'table',
      { className: 'ip-top' },
      s.top.map((t) => el('tr', {}, [el('td', { text: cellText(t.value) || '(empty)' }), el('td', { text: formatCount(t.count) })])),
    );
    const parts: Node[] = [el('h2', { text: col.name }), table];
    if (s.top.length > 0) parts.push(el('h2', { text: 'Most frequent' }), top);
    if (s.histogram) {
      const max = Math.max(1, ...s.histogram.counts);
      parts.push(
        el(
          'div',
          { className: 'ip-hist', attrs: { role: 'img', 'aria-label': `Histogram of ${col.name}` } },
          s.histogram.counts.map((c) => {
            const bar = el('div', { attrs: { title: formatCount(c) } });
            bar.style.height = `${(c / max) * 100}%`;
            return bar;
          }),
        ),
      );
    }
    this.statsEl.replaceChildren(...parts);
    this.statsEl.hidden = false;
  }

  private requestView(view: ViewQuery): void {
    this.view = view;
    this.awaitingView = true;
    this.cache.suspend();
    this.bridge.post('setView', view);
    this.updateFooter();
    this.saveState();
  }

  /**
   * The bar between chart and grid: drag it (or focus it and press ↑/↓, Home resets) to give the
   * chart more or less height; the height is kept in the webview state, per panel.
   */
  private buildSplitter(): void {
    const s = this.splitter;
    let start: { y: number; h: number } | undefined;
    s.addEventListener('pointerdown', (e) => {
      start = { y: e.clientY, h: this.plotHeight() };
      s.setPointerCapture(e.pointerId);
      s.classList.add('ip-dragging');
      e.preventDefault();
    });
    s.addEventListener('pointermove', (e) => {
      if (start) this.setChartHeight(start.h + e.clientY - start.y);
    });
    const end = () => {
      if (!start) return;
      start = undefined;
      s.classList.remove('ip-dragging');
      this.saveState();
    };
    s.addEventListener('pointerup', end);
    s.addEventListener('pointercancel', end);
    s.addEventListener('dblclick', () => {
      this.setChartHeight(undefined);
      this.saveState();
    });
    s.addEventListener('keydown', (e) => {
      const step = e.shiftKey ? 64 : 16;
      if (e.key === 'ArrowUp') this.setChartHeight(this.plotHeight() - step);
      else if (e.key === 'ArrowDown') this.setChartHeight(this.plotHeight() + step);
      else if (e.key === 'Home') this.setChartHeight(undefined);
      else return;
      e.preventDefault();
      this.saveState();
    });
  }

  /** The plot area's height now (CSS pixels). */
  private plotHeight(): number {
    return this.chart.plotElement.getBoundingClientRect().height || MIN_PLOT_PX;
  }

  /** Sets (or with undefined, resets) the plot's height, kept between MIN_PLOT_PX and what leaves the grid its minimum. */
  private setChartHeight(px: number | undefined): void {
    if (px === undefined || !Number.isFinite(px)) {
      this.chartHeight = undefined;
      this.root.style.removeProperty('--ip-plot-h');
    } else {
      // Up to the panel's height less a few grid rows: past the grid's minimum the area scrolls.
      const room = window.innerHeight;
      const max = room > 0 ? Math.max(MIN_PLOT_PX, room - 120) : 2000;
      this.chartHeight = Math.round(Math.min(max, Math.max(MIN_PLOT_PX, px)));
      this.root.style.setProperty('--ip-plot-h', `${this.chartHeight}px`);
    }
    this.splitter.setAttribute('aria-valuenow', String(Math.round(this.chartHeight ?? this.plotHeight())));
  }

  private setMode(mode: PreviewMode): void {
    this.mode = mode;
    for (const [m, b] of this.modeButtons) {
      b.checked = m === mode;
      b.setAttribute('aria-pressed', String(m === mode));
    }
    for (const [m] of MODES) this.root.classList.toggle(`ip-mode-${m}`, m === mode);
    this.grid.scheduleRender();
    this.saveState();
    this.later('report', 50, () => this.report());
  }

  private updateFooter(): void {
    let counts = `${plural(this.totalRows, 'row', 'rows')} · ${plural(this.columns.length, 'column', 'columns')}`;
    if (this.view.filters?.length) counts += ` · filtered to ${formatCount(this.rowsInView)}`;
    else if (this.view.search) counts += ` · ${formatCount(this.rowsInView)} match '${this.view.search}'`;
    if (this.awaitingView) counts += ' · updating…';
    if (this.loading) counts += ' · loading…';
    this.countsEl.textContent = counts;
    const pos = this.grid.position();
    if (this.rowsInView === 0) this.positionEl.textContent = '';
    else if (pos.selected > 1) this.positionEl.textContent = `${formatCount(pos.selected)} rows selected`;
    else if (pos.focusRow >= pos.first && pos.focusRow <= pos.last) {
      this.positionEl.textContent = `Row ${formatCount(pos.focusRow + 1)} of ${formatCount(this.rowsInView)}`;
    } else if (pos.last >= pos.first) {
      // Scrolled away from the focused row (or none yet): say which rows are on screen.
      this.positionEl.textContent = `Rows ${formatCount(pos.first + 1)}–${formatCount(pos.last + 1)} of ${formatCount(this.rowsInView)}`;
    } else this.positionEl.textContent = '';
  }

  private async copy(range: CopyRange): Promise<void> {
    try {
      if (range.kind === 'cell') {
        const [row] = await this.cache.fetch(range.row, 1);
        if (!row) return;
        this.bridge.post('copy', { text: singleCellText(row[range.col] ?? null) });
        this.toast('Copied the cell');
        return;
      }
      const selected = range.last - range.first + 1;
      const count = Math.min(selected, MAX_COPY_ROWS);
      this.toast(`Copying ${plural(count, 'row', 'rows')}…`);
      const rows: CellValue[][] = await this.cache.fetch(range.first, count);
      this.bridge.post('copy', {
        text: toTsv(
          this.columns.map((c) => c.name),
          rows,
          this.formulaGuard,
        ),
      });
      this.toast(
        selected > count
          ? `Copied the first ${formatCount(count)} of ${formatCount(selected)} selected rows`
          : `Copied ${plural(rows.length, 'row', 'rows')}`,
      );
    } catch (e) {
      this.toast(e instanceof Error ? e.message : String(e));
    }
  }

  private toast(text: string): void {
    this.toastEl.textContent = text;
    this.later('toast', 3000, () => (this.toastEl.textContent = ''));
  }

  private saveState(): void {
    if (!this.columnsKey || this.pendingScroll !== undefined) return;
    this.bridge.saveState({
      columnsKey: this.columnsKey,
      sort: this.view.sort,
      search: this.view.search,
      ...(this.view.filters ? { filters: this.view.filters } : {}),
      ...(this.source ? { source: this.source } : {}),
      scrollTop: this.grid.logicalScrollTop,
      mode: this.mode,
      widths: this.grid.getUserWidths(),
      ...(this.hostCharts && this.chartQuery ? { chartQuery: this.chartQuery } : {}),
      chartIndex: this.chartIndex,
      chartData: this.chartBar.showsData,
      ...(this.chartHeight !== undefined ? { chartHeight: this.chartHeight } : {}),
    });
  }

  /** Tells the host what is on screen (after paints settle), read back from the DOM. */
  private report(): void {
    if (!this.columnsKey || this.awaitingView) return;
    const g = this.grid.report();
    if (g.settling) return;
    const showsGrid = this.mode !== 'chart';
    const showsChart = this.mode !== 'table';
    const report: RenderReport = {
      totalRows: this.totalRows,
      rowsInView: this.rowsInView,
      renderedRows: showsGrid ? g.renderedRows : 0,
      firstRowIndex: g.firstRowIndex,
      columns: this.columns.map((c) => c.name),
      firstRowTexts: showsGrid ? g.firstRowTexts : [],
      chart: showsChart ? this.chart.summary() : null,
      ...(showsChart && this.chart.axes() ? { chartAxes: this.chart.axes()! } : {}),
      chartNote: showsChart && !this.chart.hasChart ? this.chartNote : null,
      theme: themeName(),
      mode: this.mode,
      search: this.view.search,
      sort: this.view.sort,
      ...(this.view.filters ? { filters: this.view.filters } : {}),
      ...(this.showingHost && this.chartQuery ? { chartQuery: this.chartQuery } : {}),
      offers: { export: !this.exportButton.hidden, stats: this.grid.hasStatsButtons, chartControls: this.hostCharts && !this.chartBar.element.hidden },
      ...(this.chartChoices.length > 0 ? { chartChoices: this.chartChoices } : {}),
      ...(showsChart && this.chart.canvasHeight() > 0 ? { plotHeight: this.chart.canvasHeight(), plotWidth: this.chart.canvasWidth() } : {}),
      ...(showsChart && this.chart.dataRowCount !== undefined ? { chartDataRows: this.chart.dataRowCount } : {}),
    };
    const json = JSON.stringify(report);
    if (json === this.lastReport) return;
    this.lastReport = json;
    this.bridge.post('rendered', report);
  }

  /** One pending timer per name: debounce by name. */
  private later(name: string, ms: number, fn: () => void): void {
    clearTimeout(this.timers.get(name));
    this.timers.set(
      name,
      setTimeout(() => {
        this.timers.delete(name);
        fn();
      }, ms),
    );
  }
}

function start(): void {
  performance.mark('insight-script');
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(css);
  // A constructed sheet is outside style-src, so the strict CSP needs no 'unsafe-inline' for it.
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  const root = document.getElementById('insight-preview');
  if (root) new PreviewApp(root);
}

start();
