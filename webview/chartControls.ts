/**
 * The bar above the chart: which chart (when a result comes with several), how to chart the view
 * (type, x, y, aggregation, split, time bucket — for tables the host charts itself), the chart's
 * data as a table, and saving the chart as PNG or SVG.
 *
 * Native <select> elements, themed with VS Code's dropdown colours: they are keyboard- and
 * screen-reader-accessible as they are, and a choice is one `change` event. Changing a control
 * sends the whole query; the host answers with the chart and the query it resolved, which the
 * controls then show (so "Automatic" turns into the concrete choice the host made).
 */
import { isIdLikeName, pickMeasure, type ChartAgg, type ChartBucket, type ChartQuery, type ColumnInfo } from '../src/protocol';
import { custom, el } from './dom';

export interface ChartBarHandlers {
  /** The picker chose the i-th of the result's charts. */
  pick(index: number): void;
  query(q: ChartQuery): void;
  showData(on: boolean): void;
  save(format: 'png' | 'svg'): void | Promise<void>;
}

const KINDS: [ChartQuery['kind'], string][] = [
  ['auto', 'Automatic'],
  ['line', 'Line'],
  ['area', 'Area'],
  ['bar', 'Bar'],
  ['stackedBar', 'Stacked bar'],
  ['histogram', 'Histogram'],
  ['scatter', 'Scatter'],
  ['box', 'Box plot'],
];
const AGGS: [ChartAgg, string][] = [
  ['count', 'Count'],
  ['sum', 'Sum'],
  ['mean', 'Mean'],
  ['min', 'Min'],
  ['max', 'Max'],
  ['distinct', 'Distinct count'],
  ['none', 'Each row'],
];
const BUCKETS: [ChartBucket, string][] = [
  ['auto', 'Auto'],
  ['hour', 'Hour'],
  ['day', 'Day'],
  ['week', 'Week'],
  ['month', 'Month'],
];

type Field = 'kind' | 'x' | 'y' | 'agg' | 'split' | 'bucket';

function select(label: string, field: string): HTMLSelectElement {
  return el('select', { className: 'ip-select', attrs: { 'aria-label': label, 'data-field': field } });
}

function fill(sel: HTMLSelectElement, options: [string, string][]): void {
  sel.replaceChildren(...options.map(([value, text]) => el('option', { text, attrs: { value } })));
}

export class ChartBar {
  readonly element: HTMLDivElement;
  private readonly picker = select('Chart', 'pick');
  private readonly fields: Record<Field, HTMLSelectElement> = {
    kind: select('Chart type', 'kind'),
    x: select('X axis', 'x'),
    y: select('Y axis', 'y'),
    agg: select('Aggregation', 'agg'),
    split: select('Split by', 'split'),
    bucket: select('Time bucket', 'bucket'),
  };
  private readonly wrappers = new Map<Field | 'pick', HTMLElement>();
  private readonly controls: HTMLElement;
  private readonly dataButton = custom(
    'vscode-toolbar-button',
    { toggleable: '', icon: 'table', label: 'Show the chart data as a table', title: 'Chart data as a table' },
    'Data',
  ) as HTMLElement & {
    checked: boolean;
  };
  private readonly pngButton = custom(
    'vscode-toolbar-button',
    { icon: 'file-media', label: 'Save the chart as PNG', title: 'Save the chart as a PNG image' },
    'PNG',
  );
  private readonly svgButton = custom(
    'vscode-toolbar-button',
    { icon: 'file-code', label: 'Save the chart as SVG', title: 'Save the chart as an SVG image' },
    'SVG',
  );
  private columns: ColumnInfo[] = [];
  private dataOn = false;

  constructor(private readonly handlers: ChartBarHandlers) {
    const labelled = (text: string, sel: HTMLSelectElement, key: Field | 'pick') => {
      const w = el('label', { className: 'ip-field' }, [el('span', { text }), sel]);
      this.wrappers.set(key, w);
      return w;
    };
    fill(this.fields.kind, KINDS);
    fill(this.fields.agg, AGGS);
    fill(this.fields.bucket, BUCKETS);
    this.picker.addEventListener('change', () => this.handlers.pick(Number(this.picker.value)));
    for (const f of Object.keys(this.fields) as Field[]) {
      this.fields[f].addEventListener('change', () => {
        const q = this.read(f);
        // Shown at once (columns the type swapped in, controls it hides); the host's answer confirms it.
        this.setQuery(this.columns, q, true);
        this.handlers.query(q);
      });
    }
    this.controls = el('div', { className: 'ip-chart-controls' }, [
      labelled('Type', this.fields.kind, 'kind'),
      labelled('X', this.fields.x, 'x'),
      labelled('Y', this.fields.y, 'y'),
      labelled('of', this.fields.agg, 'agg'),
      labelled('Bucket', this.fields.bucket, 'bucket'),
      labelled('Split by', this.fields.split, 'split'),
    ]);
    // The component toggles itself; the bar keeps its own state so a re-init restores it.
    this.dataButton.addEventListener('click', () => this.setData(!this.dataOn, true));
    this.pngButton.addEventListener('click', () => void this.handlers.save('png'));
    this.svgButton.addEventListener('click', () => void this.handlers.save('svg'));
    this.element = el('div', { className: 'ip-chart-bar', attrs: { role: 'toolbar', 'aria-label': 'Chart' } }, [
      labelled('Chart', this.picker, 'pick'),
      this.controls,
      el('span', { className: 'ip-spring' }),
      this.dataButton,
      this.pngButton,
      this.svgButton,
    ]);
  }

  /** Titles of the result's own charts (a picker shows for two or more). */
  setCharts(titles: string[], selected: number): void {
    fill(
      this.picker,
      titles.map((t, i) => [String(i), t]),
    );
    this.picker.value = String(selected);
    this.wrappers.get('pick')!.hidden = titles.length < 2;
  }

  /** The host's resolved query, or null when the host does not chart this table (controls hidden). */
  setQuery(columns: ColumnInfo[], q: ChartQuery | null, enabled: boolean): void {
    this.controls.hidden = !enabled;
    if (!enabled) return;
    if (columns !== this.columns) {
      this.columns = columns;
      const cols: [string, string][] = columns.map((c, i) => [String(i), c.name]);
      fill(this.fields.x, [['', '(none)'], ...cols]);
      fill(this.fields.y, [['', 'Rows'], ...cols]);
      fill(this.fields.split, [['', '(no split)'], ...cols]);
    }
    const f = this.fields;
    f.kind.value = q?.kind ?? 'auto';
    f.x.value = q?.x === null || q?.x === undefined ? '' : String(q.x);
    f.y.value = q?.y === null || q?.y === undefined ? '' : String(q.y);
    f.agg.value = q?.agg ?? 'count';
    f.split.value = q?.split === null || q?.split === undefined ? '' : String(q.split);
    f.bucket.value = q?.bucket ?? 'auto';
    const xType = q?.x !== null && q?.x !== undefined ? columns[q.x]?.type : undefined;
    const kind = q?.kind ?? 'auto';
    this.wrappers.get('bucket')!.hidden =
      !(xType === 'date' || xType === 'datetime') || kind === 'scatter' || kind === 'histogram' || q?.agg === 'none';
    this.wrappers.get('agg')!.hidden = kind === 'histogram' || kind === 'scatter' || kind === 'box';
    this.wrappers.get('y')!.hidden = kind === 'histogram';
    this.wrappers.get('split')!.hidden = kind === 'histogram' || kind === 'box';
  }

  /** Whether the chart image buttons and the data toggle apply (there is a chart drawn). */
  setHasChart(has: boolean): void {
    for (const b of [this.dataButton, this.pngButton, this.svgButton]) b.hidden = !has;
  }

  get showsData(): boolean {
    return this.dataOn;
  }

  setData(on: boolean, notify = false): void {
    this.dataOn = on;
    this.dataButton.checked = on;
    this.dataButton.setAttribute('aria-pressed', String(on));
    if (notify) this.handlers.showData(on);
  }

  /**
   * A new chart type keeps the columns that suit it and swaps the others for the first that do
   * (a histogram of a text column, or a scatter of dates, would only draw a note): the host would
   * refuse them, and the user asked for the type, not for the note.
   */
  private fitColumns(q: ChartQuery): void {
    const type = (c: number | null) => (c === null ? undefined : this.columns[c]?.type);
    const isNum = (c: number | null) => type(c) === 'integer' || type(c) === 'number';
    const isDate = (c: number | null) => type(c) === 'date' || type(c) === 'datetime';
    const first = (pred: (c: number) => boolean, except: number | null = null): number | null => {
      const order = this.columns.map((_, i) => i).filter((i) => i !== except && pred(i));
      return order.find((i) => !isIdLikeName(this.columns[i].name)) ?? order[0] ?? null;
    };
    switch (q.kind) {
      case 'histogram':
        if (!isNum(q.x) && !isDate(q.x)) q.x = isNum(q.y) ? q.y : (first(isNum) ?? first(isDate));
        break;
      case 'scatter':
        if (!isNum(q.x)) q.x = first(isNum, q.y);
        if (!isNum(q.y)) q.y = first(isNum, q.x);
        break;
      case 'box':
        if (!isNum(q.y)) q.y = first(isNum, q.x);
        break;
      case 'auto':
        break;
      default:
        if (q.x === null) q.x = first(isDate) ?? first((c) => type(c) === 'string');
        if (q.agg !== 'count' && q.agg !== 'distinct' && !isNum(q.y)) {
          const numeric = this.columns.map((_, i) => i).filter((i) => i !== q.x && isNum(i));
          q.y =
            pickMeasure(
              this.columns.map((c) => c.name),
              numeric,
            ) ?? first(isNum, q.x);
        }
        if (q.agg === 'none' && !isNum(q.x) && !isDate(q.x)) q.agg = q.y === null ? 'count' : 'sum';
    }
  }

  /** The query as the controls show it, after the user changed `changed`. */
  private read(changed: Field): ChartQuery {
    const f = this.fields;
    const col = (s: HTMLSelectElement) => (s.value === '' ? null : Number(s.value));
    const q: ChartQuery = {
      kind: f.kind.value as ChartQuery['kind'],
      x: col(f.x),
      y: col(f.y),
      agg: f.agg.value as ChartAgg,
      split: col(f.split),
      bucket: f.bucket.value as ChartBucket,
    };
    if (changed === 'kind') this.fitColumns(q);
    // Choosing a y column while counting rows means "this column, summed"; choosing "Rows" means count.
    if (changed === 'y') q.agg = q.y === null ? 'count' : q.agg === 'count' ? 'sum' : q.agg;
    if (changed === 'agg' && q.agg !== 'count' && q.agg !== 'none' && q.y === null) {
      const num = this.columns.findIndex((c) => c.type === 'integer' || c.type === 'number');
      if (num >= 0) q.y = num;
    }
    return q;
  }
}
