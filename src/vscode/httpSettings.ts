import * as vscode from 'vscode';
import { HttpLimits, limitsFromUser } from '../core/limits';

/**
 * The HTTP limits every platform client gets, from the settings `insightExplorer.http.maxBodyMb`
 * (largest JSON/text answer, default 256) and `insightExplorer.http.timeoutSeconds` (the most one
 * request may take, default 300). Read when a client is made, so a change applies to the next one.
 */
export function httpLimitsFromSettings(): HttpLimits {
  const cfg = vscode.workspace.getConfiguration('insightExplorer.http');
  return limitsFromUser({ maxBodyMb: cfg.get<number>('maxBodyMb'), timeoutSeconds: cfg.get<number>('timeoutSeconds') });
}

/** A key that changes when the limits do (adapters that cache clients compare it). */
export function httpLimitsKey(limits: HttpLimits): string {
  return `${limits.maxBodyBytes ?? ''}/${limits.deadlineMs ?? ''}`;
}
