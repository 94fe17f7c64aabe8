// What the run bar (and the palette's questions) offer for one locator: the settings resolved by the
// session from the user's settings, the apply file's `defaults` and what the user chose for this
// locator (remembered in the workspace), each with where it came from.
import * as vscode from 'vscode';
import { isPythonApplyFile } from '../core/python/pythonApply';
import type { RunSettings } from '../core/run';
import type { ApplyDefaults } from '../core/types';
import type { RunSettingsView, SourcedSetting } from '../shared/protocol';
import { readApplyDefaults } from '../session/applyDefaults';
import { pythonInterpreterFor } from './pythonInterpreter';
import { describeSource, resolveSettings, type ResolvedSettings } from '../session/settings';
import { readConfig } from './config';
import { warmWorkersFor } from './warmWorkers';

/** What is remembered per locator: the apply file, the column, and only the values the user chose. */
interface Remembered {
  applyFile?: string;
  column: string;
  choice: Partial<RunSettings>;
}

const CHOSEN_KEYS: readonly SourcedSetting[] = ['mode', 'workers', 'resultType', 'isPatch', 'onError'];

export class RunBarSettings {
  constructor(
    private readonly uri: vscode.Uri,
    private readonly state: vscode.Memento,
  ) {}

  private get key(): string {
    return `locatorBatch.runBar:${this.uri.toString()}`;
  }

  private get remembered(): Remembered {
    return this.state.get<Remembered>(this.key) ?? { column: 'result', choice: {} };
  }

  /** The settings the run bar shows now. */
  async view(): Promise<RunSettingsView> {
    const r = this.remembered;
    return this.warm(this.toView(r, await this.resolve(r.applyFile, r.choice)));
  }

  /**
   * The run bar's settings without waiting: what it showed last, or on a first open what view()
   * will say when that needs no apply file's defaults; undefined when it does.
   */
  viewNow(): RunSettingsView | undefined {
    if (this.lastView) return this.lastView;
    const r = this.remembered;
    if (r.applyFile && vscode.workspace.isTrusted) return undefined;
    try {
      return this.toView(r, resolveSettings({ user: readConfig(this.uri).user, choice: r.choice }));
    } catch {
      return undefined;
    }
  }

  /** What view() or update() returned last: a tab shown again draws with it at once (its settings follow if they changed). */
  lastView?: RunSettingsView;

  /** Settings that say process mode start its workers now, so the run that follows finds them ready. */
  private warm(view: RunSettingsView): RunSettingsView {
    warmWorkersFor(this.uri, view);
    this.lastView = view;
    return view;
  }

  /**
   * The user changed the run bar (or answered the palette's questions): remember what they chose and
   * return what the run bar shows now. A newly picked apply file's `defaults` replace earlier
   * choices of the values they set, as in the palette.
   */
  update(view: RunSettingsView): Promise<RunSettingsView> {
    // One at a time, in the order the user made them (each reads what the one before remembered).
    const next = this.updating.then(() => this.apply(view));
    this.updating = next.catch(() => undefined);
    return next;
  }

  private updating: Promise<unknown> = Promise.resolve();

  private async apply(view: RunSettingsView): Promise<RunSettingsView> {
    const before = this.remembered;
    let choice: Partial<RunSettings>;
    if (view.applyFile !== before.applyFile) {
      const defaults = await this.defaultsOf(view.applyFile);
      choice = { ...before.choice };
      for (const k of CHOSEN_KEYS) if (defaults?.[k as keyof ApplyDefaults] !== undefined) delete choice[k];
    } else {
      // A value is a choice when it differs from what the layers below would give.
      const below = (await this.resolve(view.applyFile, {})).settings;
      choice = {};
      for (const k of CHOSEN_KEYS) if (view[k] !== below[k]) (choice as Record<string, unknown>)[k] = view[k];
    }
    const next: Remembered = { applyFile: view.applyFile, column: view.column || 'result', choice };
    await this.state.update(this.key, next);
    return this.warm(this.toView(next, await this.resolve(next.applyFile, next.choice)));
  }

  /** The settings of a run (layer 2 to 4) for the run bar's settings as they stand. */
  async resolve(applyFile: string | undefined, choice: Partial<RunSettings>): Promise<ResolvedSettings> {
    const defaults = await this.defaultsOf(applyFile);
    const user = readConfig(this.uri).user;
    try {
      return resolveSettings({ user, applyDefaults: applyFile && defaults ? { file: applyFile, defaults } : undefined, choice });
    } catch {
      // Defaults the session refuses (e.g. `mode: 'thread'`): shown without them; Run says why.
      return resolveSettings({ user, choice });
    }
  }

  /** Loading an apply file runs its code: only in a trusted workspace. */
  private async defaultsOf(applyFile: string | undefined): Promise<ApplyDefaults | undefined> {
    if (!applyFile || !vscode.workspace.isTrusted) return undefined;
    const python = isPythonApplyFile(applyFile) ? await pythonInterpreterFor(this.uri) : undefined;
    return readApplyDefaults(applyFile, { python });
  }

  private toView(r: Remembered, resolved: ResolvedSettings): RunSettingsView {
    const { settings, sources } = resolved;
    const described: RunSettingsView['sources'] = {};
    for (const k of CHOSEN_KEYS) described[k] = describeSource(sources[k], (f) => vscode.workspace.asRelativePath(f));
    return {
      applyFile: r.applyFile,
      mode: settings.mode,
      workers: settings.workers,
      resultType: settings.resultType,
      isPatch: settings.isPatch,
      onError: settings.onError,
      column: r.column,
      sources: described,
    };
  }
}
