import * as vscode from 'vscode';
import * as coreL10n from '@vscode/l10n';
import { counts } from './counts';
import * as path from 'node:path';
import { Logger, Redactor, redactingLogger } from '../core/log';
import { registerSourceCommands } from './commands/sourceCommands';
import { registerWelcomeCommands } from './commands/welcomeCommands';
import { recentCommandFailures, type CommandFailure } from './commands/register';
import { RESULT_SCHEME, ResultStore } from './documents/resultStore';
import { registerPostHogCommands } from './posthog/posthogCommands';
import { HogQLWorkbench } from './posthog/hogqlWorkbench';
import { PostHogAdapter } from './posthog/posthogTree';
import { InsightOpener } from './posthog/openInsight';
import { CanvasAdapter } from './canvas/canvasOpen';
import { registerCanvasCommands } from './canvas/canvasCommands';
import { CanvasOpener } from './canvas/canvasOpen';
import type { StudioAdapter } from './studio/studioOpen';
import { registerStudioCommands } from './studio/studioCommands';
import { StudioOpener } from './studio/studioOpen';
import { Echo360Adapter } from './echo360/echo360Tree';
import { registerEcho360Commands } from './echo360/echo360Commands';
import { Echo360Runs } from './echo360/echo360Runs';
import { PreviewPanelManager } from './preview/previewPanelManager';
import { ResultPreviews } from './preview/resultPreviews';
import { registerPreviewRestore, restorePreviewPanel, type PanelRestorers } from './preview/restore';
import { registerLocalFiles, restoreFilePanel } from './localFiles/localFiles';
import { seedSandbox } from '../core/sandbox';
import { Services, SourceKindAdapter } from './services';
import { SourceKind, SourceStore } from './sources/sourceStore';
import { ClientCache, PlatformAdapter } from './sources/platformAdapter';
import { vscodeInput } from './prompts';
import type { UserInput } from '../core/userInput';
import { ResultOpener } from './documents/resultOpener';
import { registerItemCommands } from './commands/itemCommands';
import { secretPartsOf } from '../core/platform';
import { PLATFORMS, platformOf } from '../core/platforms';
import { InsightTreeProvider } from './tree/treeProvider';
import { TreeNode } from './tree/nodes';

/**
 * What activate() returns when VS Code runs the extension's tests (ExtensionMode.Test), so the
 * integration tests can observe the real extension. In every other mode activate() returns
 * nothing: `vscode.extensions.getExtension(...).exports` would otherwise hand any installed
 * extension the source store and, through it, every stored secret.
 */
export interface InsightExplorerApi {
  services: Services;
  tree: InsightTreeProvider;
  view: vscode.TreeView<TreeNode>;
  previews: PreviewPanelManager;
  results: ResultStore;
  posthog: { adapter: PostHogAdapter; opener: InsightOpener };
  canvas: { adapter: CanvasAdapter; opener: CanvasOpener };
  studio: { adapter: StudioAdapter; opener: StudioOpener };
  echo360: { adapter: Echo360Adapter; runs: Echo360Runs };
  /** What the preview panel serializer does with a panel VS Code restores with this saved state. */
  restorePreview(panel: vscode.WebviewPanel, state: unknown): Promise<vscode.Uri | undefined>;
  /** Prompts go to `input` (a scripted one in tests) until called again without one. */
  setUserInput(input?: UserInput): void;
  /** The last failures of commands (a failed command shows its error and resolves to undefined). */
  commandFailures(): CommandFailure[];
}

export async function activate(context: vscode.ExtensionContext): Promise<InsightExplorerApi | undefined> {
  // src/core cannot import vscode: its prompt flows, connection tests and descriptions translate
  // through @vscode/l10n, which gets the bundle VS Code loaded for the display language before
  // anything prompts. In English there is no bundle: it stays unconfigured and returns the English
  // with the placeholders filled, as it does in the CLI.
  if (vscode.l10n.bundle) coreL10n.config({ contents: vscode.l10n.bundle });
  const channel = vscode.window.createOutputChannel('Insight Explorer', { log: true });
  context.subscriptions.push(channel);
  const redactor = new Redactor();
  const log: Logger = redactingLogger(
    {
      trace: (m) => channel.trace(m),
      debug: (m) => channel.debug(m),
      info: (m) => channel.info(m),
      warn: (m) => channel.warn(m),
      error: (m) => channel.error(m),
    },
    redactor,
  );

  const store = new SourceStore(context.globalState, context.secrets);
  const tree = new InsightTreeProvider();
  const kinds = new Map<SourceKind, SourceKindAdapter>();
  const clients = new ClientCache({ store, log, redactor });
  const services: Services = { context, store, log, channel, redactor, kinds, clients, input: vscodeInput, refreshTree: (node) => tree.refresh(node) };
  tree.bind(services);

  // Register known secrets with the redactor so they are masked even if echoed by a server:
  // the whole stored value and each part of a JSON bundle (tokens, client secrets) on its own.
  for (const s of store.list()) for (const part of secretPartsOf(platformOf(s.kind), await store.getSecret(s.id))) redactor.add(part);

  const results = new ResultStore(path.join(context.globalStorageUri.fsPath, 'results'));
  const previews = new PreviewPanelManager(context.extensionUri, channel, context.workspaceState);
  const resultPreviews = new ResultPreviews(results, previews, channel);
  const restorers: PanelRestorers = {
    file: (panel, record, id) => restoreFilePanel(previews, panel, vscode.Uri.parse(record.uri), id, channel),
    result: (panel, record, id) => resultPreviews.restore(panel, record, id),
  };
  const posthog = new PostHogAdapter(services);
  kinds.set('posthog', posthog);
  const canvas = new CanvasAdapter(services);
  kinds.set('canvas', canvas);
  const echo360 = new Echo360Adapter(services, results);
  kinds.set('echo360', echo360);
  // Every other platform of the registry runs on the generic tree, Open and result pipeline.
  for (const p of PLATFORMS) if (!kinds.has(p.kind)) kinds.set(p.kind, new PlatformAdapter(services, p));
  const studio = kinds.get('studio') as StudioAdapter;

  const view = vscode.window.createTreeView('insightExplorer.sources', { treeDataProvider: tree, showCollapseAll: true });
  context.subscriptions.push(
    store,
    clients,
    tree,
    view,
    results,
    previews,
    vscode.workspace.registerFileSystemProvider(RESULT_SCHEME, results, { isReadonly: true, isCaseSensitive: true }),
    registerPreviewRestore(previews, restorers, channel),
    store.onDidChange(() => tree.refresh()),
  );

  registerSourceCommands(services, results);
  registerWelcomeCommands(services);
  const resultOpener = new ResultOpener(services, results, resultPreviews);
  const opener = registerPostHogCommands(services, posthog, resultOpener, results);
  new HogQLWorkbench(services, posthog, resultOpener).register();
  const canvasOpener = registerCanvasCommands(services, canvas, resultOpener);
  registerItemCommands(services, resultOpener);
  const studioOpener = registerStudioCommands(services, studio, resultOpener);
  registerLocalFiles(context, previews, channel);
  const echo360Runs = echo360.runs;
  context.subscriptions.push(
    echo360Runs,
    echo360Runs.onDidChange(() => tree.refresh()),
  );
  registerEcho360Commands(services, echo360, echo360Runs, resultPreviews);

  await seedSandbox(store, log);
  // After the sandbox: its sources' queues resume too. Polling continues where the last window stopped.
  echo360Runs.start();
  log.info(`Insight Explorer activated with ${counts.sources(store.list().length)}.`);
  if (context.extensionMode !== vscode.ExtensionMode.Test) return undefined;
  return {
    services,
    tree,
    view,
    previews,
    results,
    posthog: { adapter: posthog, opener },
    canvas: { adapter: canvas, opener: canvasOpener },
    studio: { adapter: studio, opener: studioOpener },
    echo360: { adapter: echo360, runs: echo360Runs },
    restorePreview: (panel, state) => restorePreviewPanel(previews, restorers, panel, state, channel),
    commandFailures: recentCommandFailures,
    setUserInput: (input) => void (services.input = input ?? vscodeInput),
  };
}

export function deactivate(): void {
  /* everything is disposed through context.subscriptions */
}
