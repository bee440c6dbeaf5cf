/**
 * The Canvas part of the Sources tree:
 *
 *   Source
 *   ├─ Account self ─┬─ Current term ─┬─ Activity · Grades · Statistics · Statistics by sub-account
 *   │                ├─ Completed     ┘
 *   │                ├─ Term 7 · Fall 2024 (terms the user picked)
 *   │                └─ Term…           (action: pick or enter a term)
 *   └─ Courses ─ BIO 101 ─┬─ Activity · Assignments · Student summaries
 *                         └─ Students ─ Amara Abara ─ Activity · Assignments · Communication
 *
 * Only the Students list needs a request to expand (student summaries, plus roster names when the
 * token may read them); everything else is built from the source's options, so the tree opens
 * instantly and a failing endpoint fails only when it is opened. Ids are paths of Canvas ids.
 */
import * as vscode from 'vscode';
import { counts } from '../counts';
import {
  CanvasClient,
  CanvasEndpointId,
  CanvasEndpointInfo,
  CanvasEndpointRef,
  DepartmentScope,
  StudentSummary,
  endpointsAt,
} from '../../core/sources/canvas';
import { Services } from '../services';
import { SourceConfig } from '../sources/sourceStore';
import { ErrorNode, MessageNode, TreeNode } from '../tree/nodes';
import {
  CanvasAccountRef,
  CanvasCourseRef,
  CanvasTermRef,
  accountLabel,
  courseLabel,
  readCanvasOptions,
  sortLabel,
  termLabel,
} from '../../core/sources/canvas/options';
import { type CanvasSourceOptions, canvasOptionsPatch } from '../../core/sources/canvas/options';
import { canvasPlatform } from '../../core/sources/canvas/platform';
import { PlatformAdapter } from '../sources/platformAdapter';

/** Short labels for the tree (the catalogue titles become descriptions and tab titles). */
const SHORT_LABEL: Partial<Record<CanvasEndpointId, string>> = {
  'department.activity': 'Activity',
  'department.grades': 'Grades',
  'department.statistics': 'Statistics',
  'department.statisticsBySubaccount': 'Statistics by sub-account',
  'course.activity': 'Activity',
  'course.assignments': 'Assignments',
  'course.studentSummaries': 'Student summaries',
  'student.activity': 'Activity',
  'student.assignments': 'Assignments',
  'student.communication': 'Communication',
};

const ICON: Partial<Record<CanvasEndpointId, string>> = {
  'department.activity': 'pulse',
  'department.grades': 'graph',
  'department.statistics': 'symbol-number',
  'department.statisticsBySubaccount': 'list-tree',
  'course.activity': 'pulse',
  'course.assignments': 'checklist',
  'course.studentSummaries': 'table',
  'student.activity': 'pulse',
  'student.assignments': 'checklist',
  'student.communication': 'comment-discussion',
};

export interface CanvasStudent {
  id: number;
  name?: string;
  summary: StudentSummary;
}

/** Per-source cache: the students of each course, loaded when Students is expanded. */
class CanvasSourceState {
  readonly students = new Map<string, CanvasStudent[]>();
  readonly loading = new Map<string, Promise<CanvasStudent[]>>();
}

export class CanvasTreeModel {
  private readonly states = new Map<string, CanvasSourceState>();

  constructor(
    readonly services: Services,
    readonly clientFor: (source: SourceConfig) => Promise<CanvasClient>,
  ) {}

  state(sourceId: string): CanvasSourceState {
    let s = this.states.get(sourceId);
    if (!s) this.states.set(sourceId, (s = new CanvasSourceState()));
    return s;
  }

  forget(sourceId: string): void {
    this.states.delete(sourceId);
  }

  children(parent: TreeNode, source: SourceConfig): TreeNode[] {
    const o = readCanvasOptions(source);
    return [...o.accounts.map((a) => new CanvasAccountNode(parent, source, a)), new CanvasCoursesNode(this, parent, source)];
  }

  /**
   * Students of a course from its student summaries (every student with analytics, paged), named
   * from the roster when readable. One load per course at a time; failures are not cached.
   */
  students(source: SourceConfig, courseId: string): Promise<CanvasStudent[]> {
    const st = this.state(source.id);
    const cached = st.students.get(courseId);
    if (cached) return Promise.resolve(cached);
    let p = st.loading.get(courseId);
    if (!p) {
      p = (async () => {
        const client = await this.clientFor(source);
        const { data, names } = await client.fetch({ id: 'course.studentSummaries', courseId, sortColumn: 'name' });
        const list = (Array.isArray(data) ? (data as StudentSummary[]) : []).filter((s) => typeof s?.id === 'number');
        const students = list.map((s) => ({ id: s.id, name: names?.get(s.id), summary: s }));
        // Canvas sorts by sortable name; without the roster keep its order (by id).
        st.students.set(courseId, students);
        return students;
      })().finally(() => st.loading.delete(courseId));
      st.loading.set(courseId, p);
    }
    return p;
  }
}

/** A clickable leaf that runs a command (Term…, Add Course…). */
export class CanvasActionNode extends TreeNode {
  constructor(
    id: string,
    parent: TreeNode,
    private readonly label: string,
    private readonly icon: string,
    private readonly command: vscode.Command,
    private readonly description?: string,
  ) {
    super(id, parent);
  }

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.label, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon(this.icon);
    item.description = this.description;
    item.contextValue = 'canvas:action';
    item.command = this.command;
    return item;
  }
}

export class CanvasAccountNode extends TreeNode {
  constructor(
    parent: TreeNode,
    readonly source: SourceConfig,
    readonly account: CanvasAccountRef,
  ) {
    super(`${parent.id}/account/${account.id}`, parent);
  }

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(accountLabel(this.account), vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('organization');
    item.description = this.account.name ? `account ${this.account.id}` : 'department analytics';
    item.tooltip = new vscode.MarkdownString().appendText(
      `Department analytics of Canvas account ${this.account.id}. Needs the view_analytics permission on the account.`,
    );
    item.contextValue = 'canvas:account';
    return item;
  }

  override async children(): Promise<TreeNode[]> {
    const scopes: TreeNode[] = [
      new CanvasScopeNode(this, 'current', 'Current term', "Courses of the account's default term that are in progress"),
      new CanvasScopeNode(this, 'completed', 'Completed', "Concluded courses of the account's default term"),
      ...this.account.terms.map((t) => new CanvasScopeNode(this, { termId: t.id }, termLabel(t), `Courses of term ${t.id}`, t)),
    ];
    scopes.push(
      new CanvasActionNode(
        `${this.id}/pickTerm`,
        this,
        'Term…',
        'calendar',
        { title: 'Add Term', command: 'insightExplorer.canvas.addTerm', arguments: [this] },
        'pick or enter a term',
      ),
    );
    return scopes;
  }
}

export class CanvasScopeNode extends TreeNode {
  constructor(
    readonly accountNode: CanvasAccountNode,
    readonly scope: DepartmentScope,
    private readonly label: string,
    private readonly tooltip: string,
    readonly term?: CanvasTermRef,
  ) {
    super(`${accountNode.id}/scope/${typeof scope === 'string' ? scope : `term/${scope.termId}`}`, accountNode);
  }

  get source(): SourceConfig {
    return this.accountNode.source;
  }

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.label, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon(this.term ? 'calendar' : this.scope === 'current' ? 'play-circle' : 'pass');
    item.tooltip = new vscode.MarkdownString().appendText(this.tooltip);
    item.contextValue = this.term ? 'canvas:scope:term' : 'canvas:scope';
    return item;
  }

  override async children(): Promise<TreeNode[]> {
    const accountId = this.accountNode.account.id;
    const where = `${accountLabel(this.accountNode.account)} · ${this.label}`;
    return endpointsAt('account')
      .filter((e) => e.id !== 'account.terms')
      .map((e) => new CanvasEndpointNode(this, this.source, e, { id: e.id, accountId, scope: this.scope } as CanvasEndpointRef, where));
  }
}

export class CanvasCoursesNode extends TreeNode {
  constructor(
    readonly model: CanvasTreeModel,
    parent: TreeNode,
    readonly source: SourceConfig,
  ) {
    super(`${parent.id}/courses`, parent);
  }

  treeItem(): vscode.TreeItem {
    const n = readCanvasOptions(this.source).courses.length;
    const item = new vscode.TreeItem(
      'Courses',
      n > 0 ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed,
    );
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('book');
    item.description = n === 0 ? 'none added yet' : String(n);
    item.contextValue = 'canvas:courses';
    return item;
  }

  override async children(): Promise<TreeNode[]> {
    const courses = readCanvasOptions(this.source).courses;
    if (courses.length === 0) {
      return [
        new CanvasActionNode(
          `${this.id}/add`,
          this,
          'Add Course…',
          'add',
          { title: 'Add Course', command: 'insightExplorer.canvas.addCourse', arguments: [{ sourceId: this.source.id }] },
          'by id or from your courses',
        ),
      ];
    }
    return courses.map((c) => new CanvasCourseNode(this.model, this, this.source, c));
  }
}

export class CanvasCourseNode extends TreeNode {
  constructor(
    readonly model: CanvasTreeModel,
    parent: TreeNode,
    readonly source: SourceConfig,
    readonly course: CanvasCourseRef,
  ) {
    super(`${parent.id}/course/${course.id}`, parent);
  }

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(courseLabel(this.course), vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('mortar-board');
    item.description = `course ${this.course.id}`;
    item.contextValue = 'canvas:course';
    return item;
  }

  override async children(): Promise<TreeNode[]> {
    const where = courseLabel(this.course);
    const nodes: TreeNode[] = endpointsAt('course')
      .filter((e) => e.id !== 'course.students')
      .map((e) => {
        const ref: CanvasEndpointRef =
          e.id === 'course.studentSummaries'
            ? { id: e.id, courseId: this.course.id, sortColumn: this.course.sort ?? 'name' }
            : ({ id: e.id, courseId: this.course.id } as CanvasEndpointRef);
        return new CanvasEndpointNode(
          this,
          this.source,
          e,
          ref,
          where,
          e.id === 'course.studentSummaries' ? `sorted by ${sortLabel(this.course.sort)}` : undefined,
        );
      });
    nodes.push(new CanvasStudentsNode(this));
    return nodes;
  }
}

export class CanvasStudentsNode extends TreeNode {
  constructor(readonly courseNode: CanvasCourseNode) {
    super(`${courseNode.id}/students`, courseNode);
  }

  treeItem(): vscode.TreeItem {
    const loaded = this.courseNode.model.state(this.courseNode.source.id).students.get(this.courseNode.course.id);
    const item = new vscode.TreeItem('Students', vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('account');
    item.description = loaded ? `${loaded.length}` : undefined;
    item.tooltip = new vscode.MarkdownString().appendText(
      'Every student with analytics in the course (from the student summaries), named from the roster when the token may read it.',
    );
    item.contextValue = 'canvas:students';
    return item;
  }

  override async children(): Promise<TreeNode[]> {
    const { model, source, course } = this.courseNode;
    try {
      const students = await model.students(source, course.id);
      if (students.length === 0) return [new MessageNode(`${this.id}/empty`, this, 'No students with analytics in this course')];
      return students.map((s) => new CanvasStudentNode(this, s));
    } catch (e) {
      model.services.log.warn(`Listing students of course ${course.id}: ${e instanceof Error ? e.message : String(e)}`);
      return [new ErrorNode(this, e, source.id)];
    }
  }
}

export class CanvasStudentNode extends TreeNode {
  constructor(
    readonly studentsNode: CanvasStudentsNode,
    readonly student: CanvasStudent,
  ) {
    super(`${studentsNode.id}/student/${student.id}`, studentsNode);
  }

  get label(): string {
    return this.student.name ?? `Student ${this.student.id}`;
  }

  treeItem(): vscode.TreeItem {
    const s = this.student.summary;
    const item = new vscode.TreeItem(this.label, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('person');
    const activity = [
      typeof s.page_views === 'number' ? counts.views(s.page_views) : '',
      typeof s.participations === 'number' ? counts.participations(s.participations) : '',
    ]
      .filter(Boolean)
      .join(' · ');
    item.description = this.student.name ? `id ${this.student.id}${activity ? ` · ${activity}` : ''}` : activity;
    item.contextValue = 'canvas:student';
    return item;
  }

  override async children(): Promise<TreeNode[]> {
    const { source, course } = this.studentsNode.courseNode;
    const where = `${this.label} · ${courseLabel(course)}`;
    return endpointsAt('student').map(
      (e) =>
        new CanvasEndpointNode(
          this,
          source,
          e,
          { id: e.id, courseId: course.id, studentId: String(this.student.id) } as CanvasEndpointRef,
          where,
        ),
    );
  }
}

/** One Canvas endpoint; clicking it fetches, stores and opens the result. */
export class CanvasEndpointNode extends TreeNode {
  constructor(
    parent: TreeNode,
    readonly source: SourceConfig,
    readonly endpoint: CanvasEndpointInfo,
    readonly ref: CanvasEndpointRef,
    /** "BIO 101", "Account (self) · Current term": for tab titles and the preview subtitle. */
    readonly where: string,
    private readonly description?: string,
  ) {
    super(`${parent.id}/endpoint/${endpoint.id}`, parent);
  }

  treeItem(): vscode.TreeItem {
    const e = this.endpoint;
    const item = new vscode.TreeItem(SHORT_LABEL[e.id] ?? e.title, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon(ICON[e.id] ?? 'graph');
    item.description = this.description ?? (SHORT_LABEL[e.id] && SHORT_LABEL[e.id] !== e.title ? e.title : undefined);
    const perm = e.permission
      .replace('{account}', 'accountId' in this.ref ? String(this.ref.accountId) : '?')
      .replace('{course}', 'courseId' in this.ref ? String(this.ref.courseId) : '?');
    item.tooltip = new vscode.MarkdownString().appendText(`${e.title}\n\n${e.description}\n\nNeeds ${perm}.`);
    item.contextValue = `canvas:endpoint:${e.id}`;
    item.command = { title: 'Open', command: 'insightExplorer.canvas.open', arguments: [this] };
    return item;
  }
}

/** Canvas LMS Analytics in VS Code: the platform, its tree, and writes of the accounts/courses lists. */
export class CanvasAdapter extends PlatformAdapter<CanvasClient> {
  readonly model: CanvasTreeModel;

  constructor(services: Services) {
    super(services, canvasPlatform);
    this.tree = this.model = new CanvasTreeModel(services, (s) => this.client(s));
  }

  options(source: SourceConfig): CanvasSourceOptions {
    return readCanvasOptions(source);
  }

  /** Writes the accounts/courses lists back (the store's change event refreshes the tree). */
  async saveOptions(source: SourceConfig, opts: CanvasSourceOptions): Promise<SourceConfig> {
    return this.services.store.update(source.id, { options: canvasOptionsPatch(opts) });
  }
}
