/**
 * Thresholds and alerts of an insight (`…/insights/:id/thresholds/`, read-only), in plain words.
 * Shapes from PostHog's ThresholdWithAlertSerializer: a threshold's `configuration` is an
 * InsightThreshold `{type: absolute|percentage, bounds: {lower, upper}}`; each alert adds a
 * condition (absolute value, relative increase or decrease) and a calculation interval.
 * Percentage bounds are fractions (0.2 = 20 %), as PostHog stores them.
 */
import { PostHogUser, userLabel } from './types';

export interface ThresholdBounds {
  lower?: number | null;
  upper?: number | null;
}

export interface ThresholdConfiguration {
  type?: 'absolute' | 'percentage' | string;
  bounds?: ThresholdBounds | null;
}

export interface PostHogAlert {
  id: string | number;
  name?: string | null;
  enabled?: boolean;
  state?: string | null;
  condition?: { type?: 'absolute_value' | 'relative_increase' | 'relative_decrease' | string } | null;
  config?: { type?: string; series_index?: number; check_ongoing_interval?: boolean } | null;
  calculation_interval?: 'hourly' | 'daily' | 'weekly' | 'monthly' | string | null;
  threshold?: { configuration?: ThresholdConfiguration | null } | null;
  subscribed_users?: PostHogUser[];
  last_checked_at?: string | null;
  last_notified_at?: string | null;
  snoozed_until?: string | null;
}

export interface PostHogThreshold {
  id: string | number;
  created_at?: string;
  name?: string | null;
  configuration?: ThresholdConfiguration | null;
  alerts?: PostHogAlert[];
}

const INTERVAL_WORD: Record<string, string> = { hourly: 'hourly', daily: 'daily', weekly: 'weekly', monthly: 'monthly' };

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function amount(v: number, percentage: boolean): string {
  if (!percentage) return v.toLocaleString('en-US', { maximumFractionDigits: 6 });
  return `${(v * 100).toLocaleString('en-US', { maximumFractionDigits: 4 })}%`;
}

/** "< 100", "> 500", "< 100 or > 500", "no bounds". */
export function boundsInWords(cfg: ThresholdConfiguration | null | undefined): string {
  const pct = cfg?.type === 'percentage';
  const lower = num(cfg?.bounds?.lower);
  const upper = num(cfg?.bounds?.upper);
  const parts: string[] = [];
  if (lower !== undefined) parts.push(`< ${amount(lower, pct)}`);
  if (upper !== undefined) parts.push(`> ${amount(upper, pct)}`);
  return parts.length ? parts.join(' or ') : 'no bounds';
}

/**
 * One alert as a sentence: "alerts when daily value < 100", "alerts when the weekly increase
 * > 20%", "alerts when the daily decrease > 50". A relative decrease is measured as a positive
 * drop, so its bounds read like an increase's.
 */
export function alertInWords(alert: PostHogAlert, threshold?: ThresholdConfiguration | null): string {
  const cfg = alert.threshold?.configuration ?? threshold ?? null;
  const interval = INTERVAL_WORD[alert.calculation_interval ?? ''] ?? (alert.calculation_interval || 'daily');
  const bounds = boundsInWords(cfg);
  if (bounds === 'no bounds') return 'has no threshold bounds';
  const series =
    typeof alert.config?.series_index === 'number' && alert.config.series_index > 0 ? ` of series ${alert.config.series_index + 1}` : '';
  switch (alert.condition?.type ?? 'absolute_value') {
    case 'relative_increase':
      return `alerts when the ${interval} increase${series} ${bounds}`;
    case 'relative_decrease':
      return `alerts when the ${interval} decrease${series} ${bounds}`;
    default:
      return `alerts when ${interval} value${series} ${bounds}`;
  }
}

/** "firing", "not firing", "snoozed", "errored", "disabled". */
export function alertStateInWords(alert: PostHogAlert): string {
  if (alert.enabled === false) return 'disabled';
  return (alert.state ?? 'not checked yet').toLowerCase();
}

export function alertSubscribers(alert: PostHogAlert): string {
  const users = alert.subscribed_users ?? [];
  return users.length ? users.map(userLabel).join(', ') : 'nobody';
}

/**
 * What moving an insight with alerts to the trash costs, for its confirmation: PostHog deletes
 * the alerts of a soft-deleted insight and restoring it does not bring them back (InsightSerializer
 * .update in PostHog's products/product_analytics/backend/api/insight.py). Undefined without alerts.
 */
export function trashAlertsWarning(name: string, alertCount: number): string | undefined {
  if (!(alertCount > 0)) return undefined;
  const alerts = alertCount === 1 ? 'Its alert' : `Its ${alertCount} alerts`;
  return `Move “${name}” to the trash? ${alerts} will be deleted and not restored by Undo.`;
}
