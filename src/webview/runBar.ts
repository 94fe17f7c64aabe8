// The notebook-style run bar of the locator editor: what to run, how, and Run / Cancel.
// Every change is reported (settingsChanged); the extension remembers and echoes settings back.
import { ERROR_POLICIES, MODES, RESULT_TYPES, type ErrorPolicy, type Mode, type ResultType } from '../core/types';
import type { ApplyChoice, RunSettingsView, SourcedSetting } from '../shared/protocol';
import { button, debounce, h, icon } from './dom';
import { basename } from './format';

export interface RunBarHooks {
  run(settings: RunSettingsView): void;
  cancel(): void;
  pickApplyFile(): void;
  settingsChanged(settings: RunSettingsView, seq: number): void;
}

export const TRUST_MESSAGE =
  "Running apply files needs a trusted workspace (Workspace Trust). Use 'Manage Workspace Trust' to trust this folder.";

const NO_FILE = '';

const MODE_LABELS: Record<Mode, string> = { sequential: 'Sequential', async: 'Async', process: 'Process', slurm: 'Slurm' };
const RESULT_LABELS: Record<ResultType, string> = { series: 'Series (rows)', value: 'Value (column)', none: 'None (side effects)' };
const ERROR_POLICY_LABELS: Record<ErrorPolicy, string> = { continue: 'Continue', stop: 'Stop' };

/** What each setting does; its tooltip adds where the value came from. */
const HELP: Record<SourcedSetting, string> = {
  mode: 'Sequential: one row at a time here. Async: many rows in flight (I/O). Process: worker processes (CPU).',
  workers: 'Rows in flight (async) or worker processes (process)',
  resultType: 'Series: each result is a row of a new locator. Value: one value per row (a column). None: side effects only.',
  isPatch: 'Keep skipped rows: series keep the original row, values keep an empty entry',
  onError: 'On a row error: carry on with the other rows, or stop the run',
};
/** The keys that run, as this platform writes them (handled in main.ts). */
const RUN_KEYS = /Mac/.test(navigator.platform) ? '⌘Enter' : 'Ctrl+Enter';
const RUN_TITLE = `Run the apply file over every row (${RUN_KEYS})`;

export class RunBar {
  readonly el: HTMLElement;
  readonly trustEl: HTMLElement;
  readonly runBtn: HTMLButtonElement;
  readonly cancelBtn: HTMLButtonElement;
  private readonly apply: HTMLSelectElement;
  private readonly browse: HTMLButtonElement;
  private readonly mode: HTMLSelectElement;
  private readonly workers: HTMLInputElement;
  private readonly resultType: HTMLSelectElement;
  private readonly patch: HTMLInputElement;
  private readonly onError: HTMLSelectElement;
  private readonly column: HTMLInputElement;
  private readonly columnField: HTMLElement;
  private settings: RunSettingsView = { mode: 'sequential', workers: 1, resultType: 'value', isPatch: false, onError: 'continue', column: 'result' };
  private trusted = true;
  /** Apply files found in the workspace; undefined until the first search answered. */
  private choices: ApplyChoice[] | undefined;
  /** Why running is impossible right now (e.g. the locator does not parse). */
  private blocked: string | undefined;
  private lastReported = '';
  /** Changes reported so far: an answer to an older one is dropped (the user has moved on). */
  private reportedSeq = 0;
  private running = false;
  private cancelling = false;
  /** Run was clicked and no runStarted came yet: keep Run disabled for a moment. */
  private starting: ReturnType<typeof setTimeout> | undefined;
  private readonly postSoon: ReturnType<typeof debounce<[]>>;

  constructor(private readonly hooks: RunBarHooks) {
    this.runBtn = button('run', 'Run', { icon: 'play', title: RUN_TITLE, ariaLabel: 'Run' });
    this.cancelBtn = button('cancel', 'Cancel', { icon: 'debug-stop', secondary: true, title: 'Cancel the run', ariaLabel: 'Cancel' });
    this.apply = select('apply', 'Apply file', []);
    this.browse = button('browse', 'Browse…', { secondary: true, title: 'Choose an apply file (.js, .mjs, .ts)', ariaLabel: 'Browse for an apply file' });
    this.mode = select('mode', 'Mode', []);
    this.offerModes(MODES.filter((m) => m !== 'slurm'));
    this.workers = h('input', 'input num-input', { id: 'workers', type: 'number', min: '1', max: '1024', step: '1', 'aria-label': 'Workers' });
    this.resultType = select('result-type', 'Result type', RESULT_TYPES.map((t): [string, string] => [t, RESULT_LABELS[t]]));
    this.patch = h('input', 'checkbox', { id: 'patch', type: 'checkbox', 'aria-label': 'Patch' });
    this.onError = select('on-error', 'On error', ERROR_POLICIES.map((p): [string, string] => [p, ERROR_POLICY_LABELS[p]]));
    this.column = h('input', 'input', { id: 'column', type: 'text', placeholder: 'result', spellcheck: false, 'aria-label': 'Column to write' });

    this.column.title = 'Column that value results are written to';
    this.showSources(undefined);

    const runGroup = h('div', 'rb-group rb-actions', undefined, this.runBtn, this.cancelBtn);
    const applyGroup = h('div', 'rb-group rb-apply', undefined, field('apply', 'Apply', h('div', 'rb-apply-pick', undefined, wrapSelect(this.apply), this.browse)));
    this.columnField = field('column', 'Column', this.column);
    const opts = h(
      'div',
      'rb-group rb-options',
      undefined,
      field('mode', 'Mode', this.mode),
      field('workers', 'Workers', this.workers),
      field('result-type', 'Result', this.resultType),
      this.columnField,
      field('on-error', 'On error', this.onError),
      h('label', 'rb-check', { for: 'patch' }, h('span', 'checkbox-box', undefined, this.patch, icon('check')), h('span', 'rb-label', { text: 'Patch' })),
    );
    this.el = h('div', 'runbar', { role: 'toolbar', 'aria-label': 'Run settings' }, runGroup, applyGroup, opts);
    this.trustEl = h(
      'div',
      'banner warning trust',
      { id: 'trust-message', role: 'alert', hidden: true },
      icon('shield'),
      h('span', undefined, { text: TRUST_MESSAGE }),
    );

    this.postSoon = debounce(() => this.report(this.read()), 250);
    const changed = (immediate: boolean) => {
      this.settings = this.read();
      this.sync();
      if (immediate) {
        this.postSoon.cancel();
        this.report(this.settings);
      } else {
        this.postSoon();
      }
    };
    for (const s of [this.apply, this.mode, this.resultType, this.onError]) s.addEventListener('change', () => changed(true));
    this.patch.addEventListener('change', () => changed(true));
    for (const i of [this.workers, this.column]) {
      i.addEventListener('input', () => changed(false));
      i.addEventListener('change', () => {
        if (i === this.workers) this.workers.value = String(this.readWorkers());
        changed(true);
      });
    }
    this.runBtn.addEventListener('click', () => {
      if (this.runBtn.disabled) return;
      this.postSoon.cancel();
      this.settings = this.read();
      this.starting = setTimeout(() => {
        this.starting = undefined;
        this.sync();
      }, 3000);
      this.sync();
      this.hooks.run(this.settings);
    });
    this.cancelBtn.addEventListener('click', () => {
      if (this.cancelBtn.disabled) return;
      this.cancelling = true;
      this.sync();
      this.hooks.cancel();
    });
    this.browse.addEventListener('click', () => this.hooks.pickApplyFile());
    this.sync();
  }

  /**
   * Settings from the extension (init, settings): fields being edited keep what the user typed.
   * `choices` undefined: the workspace is still being searched (the list keeps what it had).
   */
  setSettings(s: RunSettingsView, choices: ApplyChoice[] | undefined, trusted: boolean, replyTo?: number): void {
    if (replyTo !== undefined && replyTo < this.reportedSeq) return;
    this.settings = { ...s };
    this.lastReported = settingsKey(s);
    this.trusted = trusted;
    if (choices) this.choices = choices;
    this.fillApply(s.applyFile);
    const editing = document.activeElement;
    // A mode this machine does not offer (slurm without sbatch) still shows when chosen: Run then says why.
    if (!Array.from(this.mode.options).some((o) => o.value === s.mode)) this.mode.append(h('option', undefined, { value: s.mode, text: MODE_LABELS[s.mode] }));
    this.mode.value = s.mode;
    if (editing !== this.workers) this.workers.value = String(s.workers);
    this.resultType.value = s.resultType;
    this.patch.checked = s.isPatch;
    this.onError.value = s.onError;
    if (editing !== this.column) this.column.value = s.column;
    this.showSources(s.sources);
    this.sync();
  }

  /** Each value's tooltip says what it does and where it came from ("from apply/mean-std.ts"). */
  private showSources(sources: RunSettingsView['sources']): void {
    const controls: Record<SourcedSetting, HTMLElement> = { mode: this.mode, workers: this.workers, resultType: this.resultType, isPatch: this.patch, onError: this.onError };
    for (const key of Object.keys(controls) as SourcedSetting[]) {
      const source = sources?.[key];
      controls[key].title = source ? `${HELP[key]}\n(${source})` : HELP[key];
      if (source) controls[key].dataset.source = source;
      else delete controls[key].dataset.source;
    }
  }

  /** The modes this machine runs (slurm only where sbatch is found), in MODES order. */
  offerModes(modes: readonly Mode[]): void {
    const current = this.mode.value;
    this.mode.replaceChildren(...MODES.filter((m) => modes.includes(m) || m === current).map((m) => h('option', undefined, { value: m, text: MODE_LABELS[m] })));
    if (current) this.mode.value = current;
  }

  setApplyChoices(choices: ApplyChoice[]): void {
    this.choices = choices;
    this.fillApply(this.settings.applyFile);
    this.sync();
  }

  setRunning(running: boolean): void {
    this.running = running;
    if (!running) this.cancelling = false;
    if (this.starting !== undefined) {
      clearTimeout(this.starting);
      this.starting = undefined;
    }
    this.sync();
  }

  setBlocked(reason: string | undefined): void {
    this.blocked = reason;
    this.sync();
  }

  /** A notice came back: a refused run request should not keep Run disabled. */
  requestSettled(): void {
    if (this.starting === undefined) return;
    clearTimeout(this.starting);
    this.starting = undefined;
    this.sync();
  }

  /** Posts settingsChanged, once per distinct value. */
  private report(s: RunSettingsView): void {
    const key = settingsKey(s);
    if (key === this.lastReported) return;
    this.lastReported = key;
    this.hooks.settingsChanged(s, ++this.reportedSeq);
  }

  current(): RunSettingsView {
    return this.read();
  }

  private fillApply(chosen: string | undefined): void {
    const choices = this.choices;
    const opts: HTMLOptionElement[] = [];
    const prompt = !choices ? 'Looking for apply files…' : choices.length ? 'Choose an apply file…' : 'No apply files found — Browse…';
    if (!chosen) opts.push(h('option', undefined, { value: NO_FILE, text: prompt, disabled: true }));
    for (const c of choices ?? []) opts.push(h('option', undefined, { value: c.path, text: c.label, title: c.path }));
    if (chosen && !choices?.some((c) => c.path === chosen)) opts.unshift(h('option', undefined, { value: chosen, text: basename(chosen), title: chosen }));
    this.apply.replaceChildren(...opts);
    this.apply.value = chosen ?? NO_FILE;
    this.apply.title = chosen ?? 'Choose the apply file to run';
  }

  private readWorkers(): number {
    const n = Math.floor(Number(this.workers.value));
    return Number.isFinite(n) && n >= 1 ? Math.min(n, 1024) : this.settings.workers || 1;
  }

  private read(): RunSettingsView {
    const apply = this.apply.value;
    return {
      applyFile: apply && apply !== NO_FILE ? apply : undefined,
      mode: this.mode.value as RunSettingsView['mode'],
      workers: this.readWorkers(),
      resultType: this.resultType.value as RunSettingsView['resultType'],
      isPatch: this.patch.checked,
      onError: this.onError.value as RunSettingsView['onError'],
      column: this.column.value.trim() || this.column.placeholder,
    };
  }

  private sync(): void {
    const busy = this.running || this.starting !== undefined;
    this.runBtn.disabled = busy || !this.trusted || !!this.blocked;
    this.runBtn.title = !this.trusted
      ? TRUST_MESSAGE
      : this.blocked
        ? this.blocked
        : this.running
        ? 'A run is in progress'
        : RUN_TITLE;
    this.cancelBtn.disabled = !this.running || this.cancelling;
    const label = this.cancelBtn.querySelector('.btn-label');
    if (label) label.textContent = this.cancelling ? 'Cancelling…' : 'Cancel';
    this.trustEl.hidden = this.trusted;
    this.el.classList.toggle('running', this.running);
    // Options that do not apply stay usable but read as secondary.
    this.workers.closest('.field')?.classList.toggle('muted', this.mode.value === 'sequential');
    this.columnField.classList.toggle('muted', this.resultType.value !== 'value');
  }
}

function select(id: string, label: string, options: [string, string][]): HTMLSelectElement {
  const s = h('select', 'select', { id, 'aria-label': label });
  for (const [value, text] of options) s.append(h('option', undefined, { value, text }));
  return s;
}

function settingsKey(s: RunSettingsView): string {
  return JSON.stringify([s.applyFile ?? null, s.mode, s.workers, s.resultType, s.isPatch, s.onError, s.column]);
}

function wrapSelect(s: HTMLSelectElement): HTMLElement {
  return h('span', 'select-wrap', undefined, s);
}

function field(id: string, label: string, control: HTMLElement): HTMLElement {
  const c = control instanceof HTMLSelectElement ? wrapSelect(control) : control;
  return h('div', 'field', undefined, h('label', 'rb-label', { for: id, text: label }), c);
}
