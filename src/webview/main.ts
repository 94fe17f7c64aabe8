// Entry of the Locator Batch webview (locator editor and results panel). The extension owns the
// model: we post `ready`, draw what `init` / `rows` / `runStarted` / `results` / `progress` /
// `runEnded` / `settings` / `notice` say, and turn user actions into requests. View state (scroll,
// sort, filter, widths, selection) lives in the webview state so a re-shown tab restores it, and so
// do the rows it showed (viewSnapshot.ts): a re-shown tab draws them before the extension answers.
import type { InitMessage, ToWebview, ViewKind } from '../shared/protocol';
import { debounce, h, icon, setText } from './dom';
import { count } from './format';
import { Model } from './model';
import { FilterBox } from './filterBox';
import { Notice } from './notice';
import { ParseErrorView } from './parseErrorView';
import { ProgressStrip } from './progress';
import { RunBar } from './runBar';
import { Table, type TableState } from './table/table';
import { UnfinishedRunNotice } from './unfinishedRun';
import { type ViewSnapshot, readSnapshot } from '../shared/viewSnapshot';
import { type ViewContext, readFirstScreen, takeSnapshot } from './viewSnapshot';
import { loadState, post, saveState } from './vscodeApi';

interface PersistedState extends TableState {
  filter?: string;
  /** The rows in view and their results (in file order only). */
  view?: ViewSnapshot;
}

const app = document.getElementById('app') ?? document.body.appendChild(h('div', undefined, { id: 'app' }));
const model = new Model();
const saved = loadState<PersistedState>();
let filterText = typeof saved.filter === 'string' ? saved.filter : '';
let shownRows = 0;
/** What `init` and later messages said besides the model (a snapshot repeats it). */
let context: ViewContext | undefined;
/** Bumped whenever `context` changes (the snapshot's key). */
let contextVersion = 0;
/** The view state when a restore was abandoned (the table was taken off the page): kept until the next init. */
let keptState: TableState | undefined;
let snapshot: ViewSnapshot | undefined;
/** Drawn from the snapshot; the extension's `init` has not come yet. */
let restoring = false;

// ---- the page ------------------------------------------------------------------------------

const notice = new Notice();
const unfinishedRun = new UnfinishedRunNotice({
  resume: () => post({ type: 'resumeRun' }),
  dismiss: () => post({ type: 'dismissUnfinishedRun' }),
});
const table = new Table(model, {
  openLocation: (loc) => post({ type: 'openLocation', ...loc }),
  // While restoring, the snapshot's results may not be the run the extension has now.
  openValue: (index) => {
    if (!restoring) post({ type: 'openValue', index });
  },
  copyCells: (cells) => {
    if (!restoring) post({ type: 'copyCells', cells });
  },
  stateChanged: () => {
    persist();
    snapshotSoon();
  },
  viewChanged: (shown) => {
    shownRows = shown;
    scheduleChrome();
    snapshotSoon();
  },
});

const filterBox = new FilterBox({
  changed: (text) => {
    filterText = text;
    table.setFilter(filterText);
    persist();
    scheduleChrome();
  },
  leave: () => table.focusDrawn(),
});
const filterInput = filterBox.input;
const rowsInfo = h('span', 'rows-info', { id: 'rows-info', 'aria-live': 'polite' });
const loadInfo = h('span', 'rows-info', { id: 'load-info' });
const titleEl = h('span', 'view-title', { id: 'view-title' });
const toolbar = h(
  'div',
  'table-toolbar',
  undefined,
  h('div', 'tt-left', undefined, titleEl, rowsInfo, loadInfo),
  filterBox.el,
);
const parseErrorView = new ParseErrorView((line) => post({ type: 'openText', line }));
const loadingEl = h('div', 'loading', { role: 'status' }, icon('loading~spin'), h('span', undefined, { text: 'Loading locator…' }));
const tableArea = h('div', 'table-area', undefined, table.el, parseErrorView.el);

let kind: ViewKind = document.body.dataset.kind === 'results' ? 'results' : 'editor';
let runBar: RunBar | undefined;
let strip: ProgressStrip;
let built: ViewKind | undefined;
let parseError = false;
let firstInit = true;

function build(k: ViewKind): void {
  if (built === k) return;
  built = kind = k;
  document.body.dataset.kind = k;
  runBar =
    k === 'editor'
      ? new RunBar({
          run: (settings) => post({ type: 'run', settings }),
          cancel: () => {
            if (model.run) model.run.cancelling = true;
            post({ type: 'cancel' });
          },
          pickApplyFile: () => post({ type: 'pickApplyFile' }),
          settingsChanged: (settings, seq) => {
            post({ type: 'settingsChanged', settings, seq });
            scheduleChrome();
          },
        })
      : undefined;
  strip = new ProgressStrip(k, {
    cancel: () => post({ type: 'cancel' }),
    rerunFailed: () => post({ type: 'rerunFailed' }),
    export: () => post({ type: 'export' }),
    writeBack: (t) => post({ type: 'writeBack', ...t }),
    writeColumn: () => runBar?.current().column ?? model.run?.settings?.column,
  });
  app.replaceChildren(
    ...(runBar ? [runBar.el, runBar.trustEl, unfinishedRun.el] : []),
    notice.el,
    strip.el,
    toolbar,
    tableArea,
  );
}

app.replaceChildren(loadingEl); // until init arrives: a spinner where the table goes

// ---- chrome updates (coalesced to one per frame) -----------------------------------------

let chromeFrame = 0;
function scheduleChrome(): void {
  if (chromeFrame || !built) return;
  chromeFrame = requestAnimationFrame(() => {
    chromeFrame = 0;
    updateChrome();
  });
}

function updateChrome(): void {
  snapshotSoon();
  strip.update(model);
  const total = model.rowCount;
  let info = `${count(total)} ${total === 1 ? 'row' : 'rows'}`;
  if (parseError) info = '';
  else if (filterText.trim()) info = `${count(shownRows)} of ${count(total)} rows`;
  setText(rowsInfo, info);
  setText(loadInfo, !model.rowsComplete && !parseError ? `loading ${Math.floor((model.loaded / Math.max(1, total)) * 100)}%…` : '');
  filterBox.syncClear();
}

// ---- view state ---------------------------------------------------------------------------

// Saved at once (coalesced per task): a hidden tab's webview is destroyed without warning.
let persistQueued = false;
function persist(): void {
  if (persistQueued) return;
  persistQueued = true;
  queueMicrotask(() => {
    persistQueued = false;
    const state: PersistedState = { ...(built ? table.getState() : (keptState ?? saved)), filter: filterText, view: snapshot };
    saveState(state);
  });
}

// The snapshot follows what is shown (scrolls, rows, results), at most every SNAPSHOT_MS. While
// results stream it waits (the page shares its thread with drawing them): leaving the tab (blur)
// or the run's end takes it.
const SNAPSHOT_MS = 300;
let snapshotTimer: ReturnType<typeof setTimeout> | undefined;
/** What the last snapshot showed: a new one is taken only when this changed. */
let snapshotKey = '';
function snapshotSoon(): void {
  if (snapshotTimer !== undefined || restoring || !built || model.run?.running) return;
  snapshotTimer = setTimeout(takeViewSnapshot, SNAPSHOT_MS);
}
function takeViewSnapshot(): void {
  if (snapshotTimer !== undefined) clearTimeout(snapshotTimer);
  snapshotTimer = undefined;
  if (restoring || !built) return;
  const top = table.getState().topRow;
  const pageRows = table.pageRows();
  // The run bar as it shows now; where each value came from is what the extension said last.
  const settings = runBar && context ? { ...runBar.current(), sources: context.settings.sources } : context?.settings;
  const r = model.run;
  const key = JSON.stringify([top, pageRows, model.rowCount, model.rowsVersion, model.resultsVersion, r?.runId, r?.running, r?.summary?.endedBy, parseError, contextVersion, settings]);
  if (key === snapshotKey) return;
  const next = context && settings && !parseError && top !== undefined ? takeSnapshot(model, top, pageRows, { ...context, settings }) : undefined;
  // Rows not confirmed yet (just after an init): the saved ones stay until there is something to keep.
  if (next && snapshot && next.rows.every((row) => row === null) && snapshot.rows.some((row) => row !== null)) return;
  snapshotKey = key;
  if (!next && !snapshot) return;
  snapshot = next;
  persist();
}
// Leaving the tab (VS Code then drops a hidden editor's page): the snapshot is taken now.
window.addEventListener('blur', () => takeViewSnapshot());

window.addEventListener('keydown', (e) => {
  if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey) return;
  // Notebook-style: Ctrl/Cmd+Enter runs, from anywhere in the editor (Run's own checks apply).
  if (e.key === 'Enter' && runBar) {
    e.preventDefault();
    runBar.runBtn.click();
  } else if ((e.key === 'f' || e.key === 'F') && built) {
    e.preventDefault();
    filterInput.focus();
    filterInput.select();
  }
});

// VS Code restyles the page live (theme, editor font): it rewrites <html style> and <body class>.
const themeChanged = debounce(() => table.themeChanged(), 100);
new MutationObserver(() => themeChanged()).observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
new MutationObserver(() => themeChanged()).observe(document.body, { attributes: true, attributeFilter: ['class'] });

// ---- messages -------------------------------------------------------------------------------

function onInit(msg: InitMessage, fromSnapshot?: ViewSnapshot): void {
  build(msg.kind);
  const wasRestoring = restoring;
  setRestoring(!!fromSnapshot);
  contextVersion++;
  model.init(msg, wasRestoring);
  if (fromSnapshot) model.restoreSnapshotRows(fromSnapshot.start, fromSnapshot.rows);
  if (!fromSnapshot && msg.parseError) snapshot = undefined;
  // Saved at once: a page VS Code rebuilds from our HTML must not draw that HTML's first screen again.
  if (!fromSnapshot) persist();
  context = { kind: msg.kind, title: msg.title, settings: msg.settings, applyChoices: msg.applyChoices, trusted: msg.trusted, modes: msg.modes, unfinishedRun: msg.unfinishedRun };
  setText(titleEl, msg.kind === 'results' ? msg.title : '');
  titleEl.hidden = msg.kind !== 'results';
  document.title = msg.title;
  runBar?.offerModes(msg.modes);
  runBar?.setSettings(msg.settings, msg.applyChoices, msg.trusted);
  runBar?.setRunning(!!msg.run?.running);
  unfinishedRun.show(msg.unfinishedRun);
  parseError = !!msg.parseError;
  toolbar.hidden = parseError;
  runBar?.setBlocked(
    parseError
      ? 'The locator could not be read as CSV: fix it (Open as text) and run again.'
      : restoring
        ? 'The view is still loading: Run is ready in a moment.'
        : undefined,
  );
  if (msg.parseError) {
    table.el.hidden = true;
    filterInput.disabled = true;
    parseErrorView.show(msg.parseError);
  } else {
    parseErrorView.hide();
    table.el.hidden = false;
    filterInput.disabled = false;
    filterBox.show(filterText);
    // On the first init the saved state applies; later inits (file reloaded) keep the live view.
    const state = firstInit ? (keptState ?? saved) : { ...table.getState() };
    firstInit = false;
    keptState = undefined;
    table.reset(state);
    table.setFilter(filterText);
    if (msg.run && !msg.run.running) table.fitResults();
  }
  scheduleChrome();
}
/** Drawn from the snapshot: the controls wait for the extension's init (they would act on the snapshot's state). */
function setRestoring(on: boolean): void {
  restoring = on;
  document.body.toggleAttribute('data-restoring', on);
  for (const el of [runBar?.el, strip?.el, unfinishedRun.el]) if (el) el.inert = on;
  if (restoreTimer !== undefined) clearTimeout(restoreTimer);
  restoreTimer = on ? setTimeout(() => restoring && abandonRestore(), RESTORE_PATIENCE_MS) : undefined;
}

const RESTORE_PATIENCE_MS = 10_000; // the extension answers within moments; else the saved rows (maybe out of date) go
let restoreTimer: ReturnType<typeof setTimeout> | undefined;
function abandonRestore(): void {
  // The place in the table, read while the table is still on the page.
  keptState = table.getState();
  setRestoring(false);
  snapshot = undefined;
  snapshotKey = '';
  if (context) model.init({ type: 'init', ...context, columns: [], rowCount: 0, unfinishedRun: undefined });
  context = undefined;
  unfinishedRun.show(undefined);
  table.reset({});
  built = undefined;
  firstInit = true;
  app.replaceChildren(notice.el, loadingEl);
  persist();
}

function handle(msg: ToWebview): void {
  switch (msg.type) {
    case 'init':
      onInit(msg);
      return;
    // Until the extension's init, a restored view takes no run or row messages: the init brings
    // the state as it is now (these may be of a run the snapshot does not know).
    case 'rows':
      if (!built || restoring) return;
      model.addRows(msg);
      table.refresh();
      scheduleChrome();
      return;
    case 'runStarted':
      if (!built || restoring) return;
      model.startRun(msg);
      runBar?.setRunning(true);
      strip.reset();
      table.refresh();
      scheduleChrome();
      return;
    case 'results':
      if (!built || restoring) return;
      if (model.addResults(msg.runId, msg.results, msg.progress)) {
        runBar?.setRunning(!!model.run?.running);
        table.refresh();
        scheduleChrome();
      }
      return;
    case 'runEnded':
      if (!built || restoring) return;
      model.endRun(msg);
      runBar?.setRunning(false);
      table.refresh();
      table.fitResults();
      scheduleChrome();
      return;
    case 'settings':
      if (context) context = { ...context, settings: msg.settings, applyChoices: msg.applyChoices ?? context.applyChoices, trusted: msg.trusted };
      contextVersion++;
      runBar?.setSettings(msg.settings, msg.applyChoices, msg.trusted, msg.replyTo);
      scheduleChrome();
      return;
    case 'applyChoices':
      if (context) context = { ...context, applyChoices: msg.applyChoices };
      contextVersion++;
      runBar?.setApplyChoices(msg.applyChoices);
      snapshotSoon();
      return;
    case 'notice':
      // The extension could not answer with the state (e.g. the file is gone): the saved rows go.
      if (restoring && msg.noState) abandonRestore();
      // Shown on the page as it is (after an abandoned restore: beside the spinner, until init).
      if (!built && !keptState) build(kind);
      notice.show(msg.level, msg.text);
      runBar?.requestSettled();
      unfinishedRun.settled();
      return;
    case 'unfinishedRun':
      if (!built || restoring) return;
      unfinishedRun.show(msg.run);
      if (context) context = { ...context, unfinishedRun: msg.run };
      contextVersion++;
      if (msg.run) model.showUnfinished(msg.run.results);
      else model.clearUnfinished();
      table.refresh();
      scheduleChrome();
      return;
    case 'progress':
      if (built && !restoring && model.setProgress(msg.runId, msg.progress)) scheduleChrome();
      return;
    default:
      // A message type from a newer extension: ignore it.
  }
}

window.addEventListener('message', (e: MessageEvent) => {
  const msg = e.data as ToWebview | undefined;
  if (!msg || typeof msg !== 'object' || typeof msg.type !== 'string') return;
  try {
    handle(msg);
  } catch (err) {
    console.error('[locator-batch] failed to handle', msg.type, err);
  }
});

// A tab shown again draws the rows it showed last at once (file order only), a first open (nothing
// saved yet) the first rows the extension put into the page; then it asks for the state.
const restored = readSnapshot(saved.view) ?? (Object.keys(saved).length === 0 ? readFirstScreen(document) : undefined);
if (restored && !saved.sort && !filterText.trim()) {
  snapshot = restored;
  try {
    onInit(restored.init, restored);
  } catch (err) {
    console.error('[locator-batch] could not draw the saved view', err);
    abandonRestore();
  }
}
post({ type: 'ready', showsRow: typeof saved.topRow === 'number' && saved.topRow > 0 ? saved.topRow : undefined });
