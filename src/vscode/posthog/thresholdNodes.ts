import * as vscode from 'vscode';
import { counts } from '../counts';
import {
  PostHogAlert,
  PostHogThreshold,
  alertInWords,
  alertStateInWords,
  alertSubscribers,
  boundsInWords,
} from '../../core/sources/posthog/alerts';
import { ItemSpec, LoadedGroupNode, TreeNode, itemOf, relativeTime } from '../tree/nodes';

const STATE_ICON: Record<string, [string, string | undefined]> = {
  firing: ['bell-dot', 'problemsWarningIcon.foreground'],
  errored: ['error', 'errorForeground'],
  snoozed: ['bell-slash', undefined],
  disabled: ['circle-slash', 'disabledForeground'],
};

/**
 * "Thresholds" under an insight: loaded when expanded (one request per insight, only when asked),
 * each threshold with its alerts in plain words ("alerts when daily value < 100").
 */
export class ThresholdsNode extends LoadedGroupNode {
  constructor(
    parent: TreeNode,
    sourceId: string,
    private readonly thresholds: () => Promise<PostHogThreshold[]>,
  ) {
    super(parent, 'thresholds', sourceId);
  }

  protected look(): Omit<ItemSpec, 'state'> {
    return {
      label: vscode.l10n.t('Thresholds'),
      icon: 'bell',
      tooltip: vscode.l10n.t('Alert thresholds set on this insight in PostHog'),
      contextValue: 'group:posthog:thresholds',
    };
  }

  protected async load(): Promise<TreeNode[]> {
    return (await this.thresholds()).map((t, i) => new ThresholdNode(this, t, i));
  }

  protected emptyMessage(): string {
    return vscode.l10n.t('No thresholds or alerts');
  }
}

export class ThresholdNode extends TreeNode {
  constructor(
    parent: TreeNode,
    readonly threshold: PostHogThreshold,
    private readonly index: number,
  ) {
    super(`${parent.id}/threshold/${threshold.id}`, parent);
  }

  treeItem(): vscode.TreeItem {
    const t = this.threshold;
    const alerts = t.alerts ?? [];
    const bounds = boundsInWords(t.configuration);
    return itemOf(this, {
      label: t.name || vscode.l10n.t('Threshold {0}', this.index + 1),
      state: alerts.length ? 'expanded' : undefined,
      icon: 'dashboard',
      description: `${bounds}${t.configuration?.type === 'percentage' ? vscode.l10n.t(' (change)') : ''} · ${alerts.length ? counts.alerts(alerts.length) : vscode.l10n.t('no alerts')}`,
      tooltip: new vscode.MarkdownString().appendText(
        alerts.length
          ? vscode.l10n.t('Threshold {0}: values {1} trigger its alerts.', t.name ?? '', bounds)
          : vscode.l10n.t('Threshold {0}: values {1} trigger nothing (no alert uses it).', t.name ?? '', bounds),
      ),
      contextValue: 'threshold:posthog',
    });
  }

  override async children(): Promise<TreeNode[]> {
    return (this.threshold.alerts ?? []).map((a) => new AlertNode(this, a, this.threshold));
  }
}

export class AlertNode extends TreeNode {
  constructor(
    parent: TreeNode,
    readonly alert: PostHogAlert,
    private readonly threshold: PostHogThreshold,
  ) {
    super(`${parent.id}/alert/${alert.id}`, parent);
  }

  treeItem(): vscode.TreeItem {
    const a = this.alert;
    const state = alertStateInWords(a);
    const words = alertInWords(a, this.threshold.configuration);
    const item = new vscode.TreeItem(a.name || vscode.l10n.t('Alert'), vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    const [icon, color] = STATE_ICON[state] ?? ['bell', undefined];
    item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    item.description = `${words} · ${state}`;
    const md = new vscode.MarkdownString();
    md.appendText(`${vscode.l10n.t('{0}: {1}.', a.name || vscode.l10n.t('Alert'), words)}\n`);
    md.appendText(
      `${a.last_checked_at ? vscode.l10n.t('State: {0}, last checked {1}.', state, relativeTime(a.last_checked_at)) : vscode.l10n.t('State: {0}.', state)}\n`,
    );
    md.appendText(vscode.l10n.t('Notifies: {0}.', alertSubscribers(a)));
    item.tooltip = md;
    item.contextValue = `alert:posthog:${state.replace(/\s+/g, '-')}`;
    return item;
  }
}
