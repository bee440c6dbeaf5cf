import * as vscode from 'vscode';
import { IngestLimits, limitsFrom } from '../core/ingestLimits';

/** `insightExplorer.limits.*` (package.json) as the core's limits; defaults in core/limits.ts. */
export function ingestLimits(): IngestLimits {
  const c = vscode.workspace.getConfiguration('insightExplorer.limits');
  return limitsFrom({
    maxFieldMB: c.get<number>('maxFieldMB'),
    maxRecordMB: c.get<number>('maxRecordMB'),
    maxColumns: c.get<number>('maxColumns'),
    maxDecompressedMB: c.get<number>('maxDecompressedMB'),
    maxCompressionRatio: c.get<number>('maxCompressionRatio'),
  });
}
