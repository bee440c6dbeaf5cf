/**
 * Canvas Studio in the Sources tree: plain items from the platform (src/core/sources/studio/platform.ts
 * `children`), drawn by the generic ItemNode and opened by the generic Open.
 *
 *   Source ─ BIO 101 · Lecture recordings (a perspective) ─┬─ Overview   all roles
 *                                                          └─ Viewers    role: student
 */
import type { StudioClient } from '../../core/sources/studio';
import { type StudioItemData, perspectiveOf, studioPlatform } from '../../core/sources/studio/platform';
import type { StudioPerspectiveRef } from '../../core/sources/studio/options';
import type { StudioInsight } from '../../core/sources/studio';
import type { SourceConfig } from '../../core/platform';
import { Services } from '../services';
import { PlatformAdapter } from '../sources/platformAdapter';
import { ItemNode } from '../tree/itemNode';

/** Canvas Studio in VS Code: the platform on the generic tree, nothing of its own. */
export type StudioAdapter = PlatformAdapter<StudioClient>;

export function studioAdapter(services: Services): StudioAdapter {
  return new PlatformAdapter(services, studioPlatform);
}

/** What a Studio item node stands for, with the source and perspective as stored now. */
export interface StudioTarget {
  node: ItemNode;
  source: SourceConfig;
  perspective: StudioPerspectiveRef;
  /** Set for an insight (Overview, Viewers). */
  insight?: StudioInsight;
}

export function studioTarget(services: Services, arg: unknown): StudioTarget | undefined {
  if (!(arg instanceof ItemNode) || arg.source.kind !== 'studio') return undefined;
  const data = arg.item.data as StudioItemData | undefined;
  if (!data?.uuid) return undefined;
  const source = services.store.get(arg.source.id) ?? arg.source;
  return { node: arg, source, perspective: perspectiveOf(source, data.uuid), insight: data.insight };
}
