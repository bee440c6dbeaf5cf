/**
 * Deterministic data set for the PostHog fake: the saved insights of an imaginary learning
 * platform. Everything comes from a seeded generator and a fixed reference date, so every run,
 * every test and every sandbox session sees byte-identical insights (no Math.random, no clock).
 *
 * Shapes follow PostHog's own API fixtures: trends/lifecycle/stickiness series, funnel steps,
 * retention cohorts, path edges, and HogQL rows + columns for SQL insights.
 */

import { type Rng, mulberry32 } from './random';

export interface FakeUser {
  id: number;
  uuid: string;
  distinct_id: string;
  first_name: string;
  last_name: string;
  email: string;
  is_email_verified: boolean | null;
}

export interface FakeInsight {
  id: number;
  short_id: string;
  name: string | null;
  derived_name: string | null;
  description: string;
  query: Record<string, unknown>;
  filters: Record<string, unknown>;
  result: unknown;
  columns: string[] | null;
  last_refresh: string | null;
  is_cached: boolean;
  query_status: Record<string, unknown> | null;
  cache_target_age: string | null;
  next_allowed_client_refresh: string | null;
  tags: string[];
  favorited: boolean;
  saved: boolean;
  dashboards: number[];
  created_at: string;
  created_by: FakeUser;
  updated_at: string;
  last_modified_at: string;
  last_modified_by: FakeUser;
  last_viewed_at: string | null;
  timezone: string;
  resolved_date_range: { date_from: string; date_to: string } | null;
  alerts: unknown[];
  /** Soft delete (the trash): PATCH `deleted: true`; GET answers 404 until restored. */
  deleted: boolean;
}

export const SLOW_SHORT_ID = 'SLOWQURY';
export const SLOW_INSIGHT_NAME = 'Slow: all learner events (async)';
export const INSIGHT_COUNT = 140;

const DAY = 86_400_000;
/** Last day covered by every result; ranges end here. */
const DATA_END = Date.UTC(2024, 5, 30);
/** The data set's "now": last refreshes and modifications happen before it. */
const NOW = Date.UTC(2024, 6, 1, 9, 30);
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const int = (r: Rng, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

function dayLabel(t: number): string {
  const d = new Date(t);
  return `${d.getUTCDate()}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()}`;
}
const isoDay = (t: number): string => new Date(t).toISOString().slice(0, 10);

/** PostHog timestamps carry microseconds; clients must parse them, so the fake sends them too. */
function isoMicro(t: number, r: Rng): string {
  return `${new Date(t).toISOString().slice(0, 23)}${String(int(r, 0, 999)).padStart(3, '0')}Z`;
}

function dateRange(days: number): { date_from: string; date_to: string } {
  return {
    date_from: `${isoDay(DATA_END - (days - 1) * DAY)}T00:00:00Z`,
    date_to: `${isoDay(DATA_END)}T23:59:59.999999Z`,
  };
}

function pretty(event: string): string {
  const s = event.replace(/^\$/, '').replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The project's members; the first one owns the fake's API key (`/api/users/@me/`). */
export const USERS: FakeUser[] = [
  ['Dana', 'Okafor', 'dana.okafor'],
  ['Miguel', 'Reyes', 'miguel.reyes'],
  ['Priya', 'Natarajan', 'priya.natarajan'],
  ['Tom', 'Lindqvist', 'tom.lindqvist'],
  ['Aisha', 'Bello', 'aisha.bello'],
].map(([first, last, handle], i) => ({
  id: i + 1,
  uuid: `0190a6c2-5b1e-7000-8a1f-3c2d4e5f6a0${i + 1}`,
  distinct_id: `u${(i + 1) * 7919}x${handle.replace('.', '')}`,
  first_name: first,
  last_name: last,
  email: `${handle}@example.edu`,
  is_email_verified: true,
}));

const COURSES = ['BIO 101', 'CHEM 110', 'PSYC 201', 'HIST 150', 'MATH 221', 'ENGL 105', 'CS 161', 'ECON 102'];
// prettier-ignore
const PROGRAMS = ['Nursing', 'Engineering', 'Online programs', 'Summer session', 'Business school', 'Arts & Sciences', 'Graduate school', 'Continuing education'];
// prettier-ignore
const DEPARTMENTS = ['Biology', 'Chemistry', 'Psychology', 'History', 'Mathematics', 'English', 'Computer Science', 'Economics', 'Nursing'];

// ---------------------------------------------------------------------------------------------
// Result builders

/** One day's value: busy on weekdays, quiet at weekends, slowly growing, with noise. */
function dailySeries(r: Rng, days: number, scale: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < days; i++) {
    const dow = new Date(DATA_END - (days - 1 - i) * DAY).getUTCDay();
    const weekday = dow === 0 || dow === 6 ? 0.3 + 0.2 * r() : dow === 5 ? 0.8 : 1;
    const growth = 1 + (0.15 * i) / days;
    const noise = 0.85 + 0.3 * r();
    out.push(r() < 0.02 ? 0 : Math.round(scale * weekday * growth * noise));
  }
  return out;
}

function axis(days: number): { labels: string[]; days: string[] } {
  const ts = Array.from({ length: days }, (_, i) => DATA_END - (days - 1 - i) * DAY);
  return { labels: ts.map(dayLabel), days: ts.map(isoDay) };
}

function action(event: string, order: number, math: string | null): Record<string, unknown> {
  return {
    id: event,
    name: event,
    type: 'events',
    order,
    math,
    custom_name: null,
    math_property: null,
    math_group_type_index: null,
    properties: {},
  };
}

function trendsResult(
  r: Rng,
  events: string[],
  math: string,
  days: number,
  scale: number,
  breakdownValues?: string[],
): unknown[] {
  const ax = axis(days);
  const out: unknown[] = [];
  events.forEach((event, order) => {
    const eventScale = scale * (order === 0 ? 1 : 0.35 + 0.4 * r());
    if (!breakdownValues) {
      const data = dailySeries(r, days, eventScale);
      out.push({
        action: action(event, order, math),
        label: event,
        count: sum(data),
        data,
        labels: ax.labels,
        days: ax.days,
      });
      return;
    }
    // Breakdown values get a falling share, as real breakdowns are sorted by volume.
    breakdownValues.forEach((value, k) => {
      const data = dailySeries(r, days, Math.max(1, (eventScale * (1 - k * 0.09)) / breakdownValues.length));
      out.push({
        action: action(event, order, math),
        label: value,
        count: sum(data),
        data,
        labels: ax.labels,
        days: ax.days,
        breakdown_value: value,
      });
    });
  });
  return out;
}

/**
 * Trends displays that show one number per series (TrendsDisplay.is_total_value in PostHog's
 * posthog/hogql_queries/insights/trends/display.py). For them TrendsQueryRunner.build_series_response
 * (trends_query_runner.py) answers each series with `data: []`, `count: 0`, `aggregated_value` (the
 * sum over the range for totals) and `days` listing the range's dates (the outer query's `date`
 * column; `[]` without it), `breakdown_value` when broken down; no `labels`.
 */
export const AGGREGATED_DISPLAYS = ['ActionsPie', 'ActionsTable', 'BoldNumber', 'ActionsBarValue', 'WorldMap'];

function aggregate(entries: unknown[]): unknown[] {
  return (entries as Record<string, unknown>[])
    .map(({ data, labels: _labels, days, count: _count, ...rest }) => ({
      ...rest,
      data: [],
      days,
      count: 0,
      aggregated_value: sum(data as number[]),
    }))
    .sort((a, b) => b.aggregated_value - a.aggregated_value);
}

function funnelResult(r: Rng, steps: string[], top: number): unknown[] {
  let count = top;
  return steps.map((event, order) => {
    if (order > 0) count = Math.round(count * (0.45 + 0.45 * r()));
    const q = `funnel_window_interval=14&funnel_window_interval_unit=day&insight=FUNNELS&interval=day`;
    return {
      action_id: event,
      name: event,
      custom_name: null,
      order,
      count,
      type: 'events',
      average_conversion_time: order === 0 ? null : Math.round((600 + r() * 86_400) * 1000) / 1000,
      median_conversion_time: order === 0 ? null : Math.round(300 + r() * 40_000),
      people: [],
      converted_people_url: `/api/person/funnel/?${q}&funnel_step=${order + 1}`,
      dropped_people_url: order === 0 ? null : `/api/person/funnel/?${q}&funnel_step=${-(order + 1)}`,
    };
  });
}

function retentionResult(r: Rng, period: 'Day' | 'Week', intervals: number, size: number): unknown[] {
  const step = period === 'Day' ? DAY : 7 * DAY;
  const start = DATA_END - (intervals - 1) * step;
  const cohorts: unknown[] = [];
  for (let c = 0; c < intervals; c++) {
    const cohortSize = Math.round(
      size *
        (0.75 + 0.5 * r()) *
        (period === 'Day' && new Date(start + c * step).getUTCDay() % 6 === 0 ? 0.4 : 1),
    );
    const values: { count: number; label: string }[] = [];
    let keep = 1;
    for (let k = 0; k < intervals - c; k++) {
      if (k > 0) keep *= k === 1 ? 0.35 + 0.2 * r() : 0.75 + 0.15 * r();
      values.push({ count: Math.round(cohortSize * keep), label: `${period} ${k}` });
    }
    cohorts.push({ values, label: `${period} ${c}`, date: `${isoDay(start + c * step)}T00:00:00Z` });
  }
  return cohorts;
}

function lifecycleResult(r: Rng, event: string, days: number, scale: number): unknown[] {
  const ax = axis(days);
  const shares: [string, number][] = [
    ['new', 0.18],
    ['returning', 0.62],
    ['resurrecting', 0.08],
    ['dormant', -0.22],
  ];
  return shares.map(([status, share]) => {
    const data = dailySeries(r, days, scale * Math.abs(share)).map((v) => (share < 0 ? -v : v));
    return {
      action: action(event, 0, 'total'),
      label: `${event} - ${status}`,
      count: sum(data),
      data,
      labels: ax.labels,
      days: ax.days,
      status,
    };
  });
}

function stickinessResult(r: Rng, event: string, scale: number): unknown[] {
  let v = scale;
  const data = Array.from({ length: 7 }, (_, i) => {
    if (i > 0) v = v * (0.45 + 0.25 * r());
    return Math.round(v);
  });
  return [
    {
      action: action(event, 0, null),
      label: event,
      count: sum(data),
      data,
      labels: data.map((_, i) => (i === 0 ? '1 day' : `${i + 1} days`)),
      days: data.map((_, i) => i + 1),
    },
  ];
}

// prettier-ignore
const PAGES = ['/dashboard', '/courses', '/courses/bio-101', '/courses/bio-101/modules', '/assignments', '/grades', '/calendar', '/inbox', '/media/lecture-07', '/quizzes/week-3', '/discussions'];

function pathsResult(r: Rng, start: string, top: number): unknown[] {
  const edges: { source: string; target: string; value: number; average_conversion_time: number }[] = [];
  let frontier: { page: string; value: number }[] = [{ page: start, value: top }];
  for (let step = 1; step <= 4; step++) {
    const next = new Map<string, number>();
    for (const node of frontier) {
      const targets = PAGES.filter((p) => p !== node.page);
      const offset = int(r, 0, targets.length - 1);
      let left = node.value * (0.6 + 0.25 * r());
      for (let k = 0; k < 3; k++) {
        const target = targets[(offset + k * 4) % targets.length];
        const value = Math.round(left * (k === 2 ? 1 : 0.5 + 0.2 * r()));
        left -= value;
        if (value < 1) continue;
        edges.push({
          source: `${step}_${node.page}`,
          target: `${step + 1}_${target}`,
          value,
          average_conversion_time: Math.round(r() * 180_000) / 1000,
        });
        next.set(target, (next.get(target) ?? 0) + value);
      }
    }
    frontier = [...next]
      .map(([page, value]) => ({ page, value }))
      .sort((a, b) => b.value - a.value)
      .slice(0, 3);
  }
  return edges.sort((a, b) => b.value - a.value);
}

// ---------------------------------------------------------------------------------------------
// Templates: the hand-named insights. Numbered variants of the named ones fill the list.

interface Base {
  name: string | null;
  description: string;
  tags: string[];
  favorited?: boolean;
}
type Template = Base &
  (
    | {
        kind: 'trends';
        events: string[];
        math?: string;
        days: number;
        scale: number;
        breakdown?: [string, string[]];
        display?: string;
      }
    | { kind: 'funnel'; steps: string[]; top: number }
    | {
        kind: 'retention';
        target: string;
        returning: string;
        period: 'Day' | 'Week';
        intervals: number;
        size: number;
      }
    | { kind: 'lifecycle'; event: string; days: number; scale: number }
    | { kind: 'stickiness'; event: string; scale: number }
    | { kind: 'paths'; start: string; top: number }
    | { kind: 'sql'; sql: string; columns: string[]; rows: (r: Rng) => unknown[][] }
  );

// One template per line reads as a table; automatic formatting would spread it over hundreds of lines.
// prettier-ignore
const TEMPLATES: Template[] = [
  { kind: 'trends', name: 'Weekly active learners', description: 'Distinct learners with any page view, rolling 7 days.', tags: ['learning', 'weekly', 'kpi'], favorited: true, events: ['$pageview'], math: 'weekly_active', days: 30, scale: 4200 },
  { kind: 'trends', name: 'Daily active learners', description: '', tags: ['learning', 'kpi'], events: ['$pageview'], math: 'dau', days: 30, scale: 1800 },
  { kind: 'trends', name: 'Video plays by course', description: 'Lecture video starts, split by course.', tags: ['video', 'learning'], favorited: true, events: ['video_started'], days: 14, scale: 2400, breakdown: ['course_name', COURSES.slice(0, 6)] },
  { kind: 'trends', name: 'Assignment submissions by weekday', description: 'Spot the Sunday-night rush.', tags: ['assessment', 'weekly'], events: ['assignment_submitted'], days: 28, scale: 350, display: 'ActionsBar' },
  { kind: 'trends', name: 'Logins per day', description: '', tags: ['engagement'], events: ['user_logged_in'], days: 30, scale: 2500 },
  { kind: 'trends', name: 'Discussion posts per day', description: 'Posts and replies in course discussions.', tags: ['engagement', 'discussions'], events: ['discussion_posted'], days: 21, scale: 140 },
  { kind: 'trends', name: 'Lecture capture views', description: '', tags: ['video'], events: ['lecture_capture_viewed'], days: 30, scale: 900 },
  { kind: 'trends', name: 'Quiz attempts by quiz type', description: 'Practice vs graded vs survey attempts.', tags: ['assessment'], events: ['quiz_started'], days: 14, scale: 700, breakdown: ['quiz_type', ['practice', 'graded', 'survey']] },
  { kind: 'trends', name: 'Content downloads by file type', description: '', tags: ['content'], events: ['file_downloaded'], days: 14, scale: 500, breakdown: ['file_type', ['pdf', 'pptx', 'docx', 'mp4', 'zip']], display: 'ActionsBarValue' },
  { kind: 'trends', name: 'Sessions by device type', description: 'Unique sessions split by device.', tags: ['engagement', 'mobile'], events: ['$pageview'], math: 'unique_session', days: 14, scale: 3000, breakdown: ['$device_type', ['Desktop', 'Mobile', 'Tablet']] },
  { kind: 'trends', name: 'Page views by browser', description: '', tags: ['engagement'], events: ['$pageview'], days: 7, scale: 9000, breakdown: ['$browser', ['Chrome', 'Safari', 'Microsoft Edge', 'Firefox']], display: 'ActionsPie' },
  { kind: 'trends', name: 'Live session joins', description: 'Joins to live virtual classes.', tags: ['video', 'live'], events: ['live_session_joined'], days: 14, scale: 220 },
  { kind: 'trends', name: 'Gradebook views', description: '', tags: ['instructors'], events: ['gradebook_viewed'], days: 30, scale: 480 },
  { kind: 'trends', name: 'Video starts vs completions', description: 'Two series: how many started videos are finished.', tags: ['video', 'learning'], events: ['video_started', 'video_completed'], days: 14, scale: 2400 },
  { kind: 'trends', name: 'Course search queries', description: '', tags: ['discovery'], events: ['course_search_performed'], days: 30, scale: 310, display: 'ActionsTable' },
  { kind: 'trends', name: 'Caption toggles on lecture videos', description: 'Accessibility: captions switched on or off.', tags: ['video', 'accessibility'], events: ['captions_toggled'], days: 30, scale: 45 },
  { kind: 'trends', name: 'Help center article views', description: 'Article views this week, as one number.', tags: ['support'], events: ['help_article_viewed'], days: 7, scale: 90, display: 'BoldNumber' },
  { kind: 'trends', name: '', description: '', tags: [], events: ['$pageview'], math: 'total', days: 7, scale: 9000 },
  { kind: 'funnel', name: 'Course enrollment funnel', description: 'Catalog to confirmed enrollment, 14-day window.', tags: ['enrollment', 'kpi'], favorited: true, steps: ['catalog_viewed', 'course_page_viewed', 'enroll_clicked', 'enrollment_completed'], top: 5200 },
  { kind: 'funnel', name: 'Assignment submission funnel', description: '', tags: ['assessment'], steps: ['assignment_opened', 'draft_saved', 'assignment_submitted'], top: 2400 },
  { kind: 'funnel', name: 'New learner onboarding', description: 'Sign-up to first quiz.', tags: ['onboarding'], steps: ['user_signed_up', 'profile_completed', 'first_course_opened', 'video_started', 'quiz_submitted'], top: 900 },
  { kind: 'funnel', name: 'Video completion funnel', description: '', tags: ['video'], steps: ['video_started', 'video_25_percent', 'video_50_percent', 'video_completed'], top: 8000 },
  { kind: 'funnel', name: '', description: '', tags: [], steps: ['quiz_started', 'quiz_question_answered', 'quiz_submitted'], top: 1500 },
  { kind: 'retention', name: 'Quiz completion retention', description: 'Learners who submit a quiz and come back to submit another.', tags: ['assessment', 'retention', 'weekly'], target: 'quiz_submitted', returning: 'quiz_submitted', period: 'Week', intervals: 8, size: 600 },
  { kind: 'retention', name: 'Weekly learner retention', description: '', tags: ['retention', 'weekly', 'kpi'], favorited: true, target: 'user_logged_in', returning: '$pageview', period: 'Week', intervals: 10, size: 1400 },
  { kind: 'retention', name: 'Video watcher retention', description: '', tags: ['video', 'retention'], target: 'video_started', returning: 'video_started', period: 'Day', intervals: 11, size: 800 },
  { kind: 'retention', name: '', description: '', tags: [], target: 'assignment_submitted', returning: 'assignment_submitted', period: 'Day', intervals: 8, size: 300 },
  { kind: 'lifecycle', name: 'Learner lifecycle', description: 'New, returning, resurrecting and dormant learners.', tags: ['learning', 'retention'], event: '$pageview', days: 14, scale: 1600 },
  { kind: 'lifecycle', name: 'Instructor lifecycle', description: '', tags: ['instructors'], event: 'gradebook_viewed', days: 14, scale: 120 },
  { kind: 'stickiness', name: 'Learner stickiness', description: 'Days per week a learner is active.', tags: ['engagement', 'weekly'], event: '$pageview', scale: 2600 },
  { kind: 'stickiness', name: 'Discussion stickiness', description: '', tags: ['discussions'], event: 'discussion_posted', scale: 240 },
  { kind: 'paths', name: 'Paths from course home', description: 'Where learners go after opening BIO 101.', tags: ['navigation'], start: '/courses/bio-101', top: 1800 },
  { kind: 'paths', name: 'Navigation after login', description: '', tags: ['navigation', 'onboarding'], start: '/dashboard', top: 4200 },
  {
    kind: 'sql', name: 'Top courses by watch time (SQL)', description: 'Hours of lecture video watched per course, last 30 days.', tags: ['video', 'sql'],
    sql: "select properties.course_name as course,\n       round(sum(properties.watch_seconds) / 3600, 1) as hours_watched,\n       count(distinct person_id) as viewers\n  from events\n where event = 'video_heartbeat'\n   and timestamp > now() - interval 30 day\n group by course\n order by hours_watched desc\n limit 20",
    columns: ['course', 'hours_watched', 'viewers'],
    rows: (r) => COURSES.map((c) => [c, Math.round((200 + r() * 1800) * 10) / 10, int(r, 80, 900)]).sort((a, b) => (b[1] as number) - (a[1] as number)),
  },
  {
    kind: 'sql', name: 'Late submissions by department (SQL)', description: '', tags: ['assessment', 'sql'],
    sql: "select properties.department as department,\n       count() as submissions,\n       countIf(properties.is_late) as late,\n       round(late / submissions, 3) as late_rate\n  from events\n where event = 'assignment_submitted'\n group by department\n order by late_rate desc",
    columns: ['department', 'submissions', 'late', 'late_rate'],
    rows: (r) =>
      [...DEPARTMENTS.map((d) => [d, int(r, 400, 5000)]), [null, int(r, 5, 40)]]
        .map(([d, n]) => {
          const late = Math.round((n as number) * (0.04 + 0.18 * r()));
          return [d, n, late, Math.round((late / (n as number)) * 1000) / 1000];
        })
        .sort((a, b) => (b[3] as number) - (a[3] as number)),
  },
  {
    kind: 'sql', name: 'Active learners per cohort (SQL)', description: 'Learners active this month by entry term.', tags: ['learning', 'sql'],
    sql: "select person.properties.entry_term as cohort,\n       count(distinct person_id) as learners,\n       round(count() / learners, 1) as avg_events\n  from events\n where timestamp > now() - interval 30 day\n group by cohort\n order by cohort",
    columns: ['cohort', 'learners', 'avg_events'],
    rows: (r) => ['Fall 2021', 'Fall 2022', 'Spring 2023', 'Fall 2023', 'Spring 2024', 'Summer 2024'].map((c) => [c, int(r, 150, 2600), Math.round((20 + r() * 90) * 10) / 10]),
  },
  {
    kind: 'sql', name: null, description: '', tags: [],
    sql: 'select event, count() as events\n  from events\n where timestamp > now() - interval 7 day\n group by event\n order by events desc\n limit 10',
    columns: ['event', 'events'],
    rows: (r) => ['$pageview', 'video_heartbeat', '$autocapture', 'video_started', 'quiz_question_answered', 'user_logged_in', 'file_downloaded', 'assignment_submitted', 'discussion_posted', 'quiz_submitted'].map((e, i) => [e, Math.round(90_000 / (i + 1) * (0.8 + 0.4 * r()))]),
  },
];

const SLOW_TEMPLATE: Template = {
  kind: 'trends',
  name: SLOW_INSIGHT_NAME,
  description: 'Every learner-facing event for 30 days. Heavy enough that PostHog runs it asynchronously.',
  tags: ['learning', 'heavy'],
  events: ['$pageview', 'video_started', 'quiz_submitted', 'assignment_submitted', 'discussion_posted'],
  math: 'total',
  days: 30,
  scale: 60_000,
};

interface Built {
  query: Record<string, unknown>;
  result: unknown;
  columns: string[] | null;
  derivedName: string;
  range: { date_from: string; date_to: string } | null;
}

const series = (events: string[], math?: string): unknown[] =>
  events.map((event) => ({ kind: 'EventsNode', event, name: event, ...(math ? { math } : {}) }));
const viz = (source: Record<string, unknown>): Record<string, unknown> => ({
  kind: 'InsightVizNode',
  source,
  full: true,
});

function build(t: Template, r: Rng): Built {
  switch (t.kind) {
    case 'trends': {
      const math = t.math ?? 'total';
      const source: Record<string, unknown> = {
        kind: 'TrendsQuery',
        series: series(t.events, math),
        interval: 'day',
        dateRange: { date_from: `-${t.days}d`, date_to: null },
        trendsFilter: { display: t.display ?? 'ActionsLineGraph' },
        filterTestAccounts: true,
        properties: [],
      };
      if (t.breakdown) source.breakdownFilter = { breakdown: t.breakdown[0], breakdown_type: 'event' };
      const what = t.events.map(pretty).join(' & ');
      const base = math === 'dau' || math === 'weekly_active' ? `${what} unique users` : `${what} count`;
      const result = trendsResult(r, t.events, math, t.days, t.scale, t.breakdown?.[1]);
      return {
        query: viz(source),
        result: t.display && AGGREGATED_DISPLAYS.includes(t.display) ? aggregate(result) : result,
        columns: null,
        derivedName: t.breakdown ? `${base} by ${t.breakdown[0]}` : base,
        range: dateRange(t.days),
      };
    }
    case 'funnel':
      return {
        query: viz({
          kind: 'FunnelsQuery',
          series: series(t.steps),
          dateRange: { date_from: '-30d', date_to: null },
          funnelsFilter: {
            funnelVizType: 'steps',
            funnelOrderType: 'ordered',
            funnelWindowInterval: 14,
            funnelWindowIntervalUnit: 'day',
            exclusions: [],
          },
          filterTestAccounts: true,
        }),
        result: funnelResult(r, t.steps, t.top),
        columns: null,
        derivedName: `${t.steps.map(pretty).join(' → ')} user conversion rate`,
        range: dateRange(30),
      };
    case 'retention': {
      const entity = (id: string) => ({ id, name: id, type: 'events' });
      const days = t.period === 'Day' ? t.intervals : t.intervals * 7;
      return {
        query: viz({
          kind: 'RetentionQuery',
          dateRange: {
            date_from: t.period === 'Day' ? `-${t.intervals}d` : `-${t.intervals}w`,
            date_to: null,
          },
          retentionFilter: {
            period: t.period,
            totalIntervals: t.intervals,
            retentionType: 'retention_first_time',
            targetEntity: entity(t.target),
            returningEntity: entity(t.returning),
          },
        }),
        result: retentionResult(r, t.period, t.intervals, t.size),
        columns: null,
        derivedName: `Retention of users based on doing ${pretty(t.target)} for the first time and returning with ${t.target === t.returning ? 'the same event' : pretty(t.returning)}`,
        range: dateRange(days),
      };
    }
    case 'lifecycle':
      return {
        query: viz({
          kind: 'LifecycleQuery',
          series: series([t.event], 'total'),
          interval: 'day',
          dateRange: { date_from: `-${t.days}d`, date_to: null },
          lifecycleFilter: {},
        }),
        result: lifecycleResult(r, t.event, t.days, t.scale),
        columns: null,
        derivedName: `User lifecycle based on ${pretty(t.event)}`,
        range: dateRange(t.days),
      };
    case 'stickiness':
      return {
        query: viz({
          kind: 'StickinessQuery',
          series: series([t.event]),
          interval: 'day',
          dateRange: { date_from: '-7d', date_to: null },
          stickinessFilter: {},
        }),
        result: stickinessResult(r, t.event, t.scale),
        columns: null,
        derivedName: `User stickiness based on ${pretty(t.event)}`,
        range: dateRange(7),
      };
    case 'paths':
      return {
        query: viz({
          kind: 'PathsQuery',
          dateRange: { date_from: '-7d', date_to: null },
          pathsFilter: {
            includeEventTypes: ['$pageview'],
            startPoint: t.start,
            stepLimit: 5,
            excludeEvents: [],
            pathGroupings: [],
          },
        }),
        result: pathsResult(r, t.start, t.top),
        columns: null,
        derivedName: `User paths based on page views starting at ${t.start}`,
        range: dateRange(7),
      };
    case 'sql':
      return {
        query: {
          kind: 'DataVisualizationNode',
          source: { kind: 'HogQLQuery', query: t.sql },
          display: 'ActionsTable',
        },
        result: t.rows(r),
        columns: t.columns,
        derivedName: 'SQL query',
        range: null,
      };
  }
}

/** Scales a template's volume for a variant so copies of the same insight do not look identical. */
function variantOf(t: Template, k: number, namedCount: number, r: Rng): Template {
  const program = PROGRAMS[k % PROGRAMS.length];
  const n = 2 + Math.floor(k / namedCount);
  const f = 0.15 + 0.6 * r();
  const named: Template = {
    ...t,
    name: `${t.name} — ${program} #${n}`,
    description: r() < 0.45 ? '' : `${t.description || t.name} Filtered to ${program}.`,
    favorited: r() < 0.1,
  };
  switch (named.kind) {
    case 'trends':
    case 'lifecycle':
      return { ...named, scale: Math.max(5, Math.round(named.scale * f)), days: pick(r, [7, 14, 21, 30]) };
    case 'funnel':
    case 'paths':
      return { ...named, top: Math.max(20, Math.round(named.top * f)) };
    case 'retention':
      return { ...named, size: Math.max(10, Math.round(named.size * f)) };
    case 'stickiness':
      return { ...named, scale: Math.max(10, Math.round(named.scale * f)) };
    case 'sql':
      return named;
  }
}

const SHORT_ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export interface PostHogData {
  insights: FakeInsight[];
  /** What the slow insight's query produces once it completes. */
  slowResult: unknown;
  /** Insight ids viewed before the server started, most recent first. */
  seedViewed: number[];
}

export function generatePostHogData(): PostHogData {
  const r = mulberry32(20240630);
  const templates: Template[] = [...TEMPLATES];
  const named = TEMPLATES.filter((t) => t.name);
  for (let k = 0; templates.length < INSIGHT_COUNT - 1; k++)
    templates.push(variantOf(named[k % named.length], k, named.length, r));
  // The slow insight sits in the middle of creation order but was modified recently, so it shows
  // near the top of the first page where newcomers will try it.
  templates.splice(40, 0, SLOW_TEMPLATE);

  const used = new Set<string>([SLOW_SHORT_ID]);
  const shortId = (): string => {
    for (;;) {
      let s = '';
      for (let i = 0; i < 8; i++) s += SHORT_ID_CHARS[int(r, 0, SHORT_ID_CHARS.length - 1)];
      // A short id made only of digits would be read as a numeric id by the insight route.
      if (/[A-Za-z]/.test(s) && !used.has(s)) {
        used.add(s);
        return s;
      }
    }
  };

  // Recency rank (0 = most recently modified): the hand-named insights and the slow one are
  // spread over the first page, variants fill the rest, so list order differs from id order.
  const rank = new Map<Template, number>();
  let nextOdd = 1;
  templates.forEach((t, i) => {
    if (t === SLOW_TEMPLATE) rank.set(t, 2);
    else if (i < TEMPLATES.length) rank.set(t, i === 0 ? 0 : 2 * i + 2);
  });
  const taken = new Set(rank.values());
  for (const t of templates) {
    if (rank.has(t)) continue;
    while (taken.has(nextOdd)) nextOdd += 1;
    rank.set(t, nextOdd);
    taken.add(nextOdd);
  }

  let slowResult: unknown = null;
  const insights = templates.map((t, i): FakeInsight => {
    const isSlow = t === SLOW_TEMPLATE;
    const b = build(t, r);
    const modifiedT = NOW - ((rank.get(t) ?? i) + 1) * 5 * 3_600_000 - int(r, 0, 3 * 3_600_000);
    // Ids grow with creation time, as database ids do; every creation precedes every modification.
    const createdT = NOW - (templates.length - i) * 5 * 3_600_000 - 800 * 3_600_000 + int(r, 0, 3_600_000);
    const refreshT = NOW - int(r, 5, 240) * 60_000;
    const creator = pick(r, USERS);
    const modifier = r() < 0.7 ? creator : pick(r, USERS);
    const viewedT = r() < 0.3 ? null : Math.min(NOW - 60_000, modifiedT + int(r, 0, 400) * 3_600_000);
    if (isSlow) slowResult = b.result;
    const created = isoMicro(createdT, r);
    const modified = isoMicro(modifiedT, r);
    return {
      id: 1001 + i,
      short_id: isSlow ? SLOW_SHORT_ID : shortId(),
      name: t.name,
      derived_name: b.derivedName,
      description: t.description,
      query: b.query,
      filters: {},
      result: isSlow ? null : b.result,
      columns: b.columns,
      last_refresh: isSlow ? null : isoMicro(refreshT, r),
      is_cached: !isSlow,
      query_status: null,
      cache_target_age: isSlow ? null : isoMicro(refreshT + 6 * 3_600_000, r),
      next_allowed_client_refresh: isSlow ? null : isoMicro(refreshT + 15 * 60_000, r),
      tags: t.tags,
      favorited: t.favorited ?? false,
      saved: true,
      dashboards: [],
      created_at: created,
      created_by: creator,
      updated_at: modified,
      last_modified_at: modified,
      last_modified_by: modifier,
      last_viewed_at: viewedT === null ? null : isoMicro(viewedT, r),
      timezone: 'UTC',
      resolved_date_range: b.range,
      alerts: [],
      deleted: false,
    };
  });

  const byName = (n: string): number => insights.find((x) => x.name === n)?.id ?? insights[0].id;
  return {
    insights,
    slowResult,
    seedViewed: [byName('Course enrollment funnel'), byName('Weekly active learners')],
  };
}

/** PostHog's `insight` filter values, derived from the stored query the way the server does. */
export function insightKind(ins: FakeInsight): string {
  const q = ins.query as { kind?: string; source?: { kind?: string } };
  switch (q.source?.kind ?? q.kind) {
    case 'TrendsQuery':
      return 'TRENDS';
    case 'FunnelsQuery':
      return 'FUNNELS';
    case 'RetentionQuery':
      return 'RETENTION';
    case 'PathsQuery':
      return 'PATHS';
    case 'StickinessQuery':
      return 'STICKINESS';
    case 'LifecycleQuery':
      return 'LIFECYCLE';
    case 'HogQLQuery':
      return 'SQL';
    default:
      return 'JSON';
  }
}
