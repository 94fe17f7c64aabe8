// The messages between the extension and its webviews, typed once: both sides import this module.
// The extension owns the model; the webview draws what it is sent and asks for actions.
// Handshake: the webview posts `ready`; the extension answers with `init` (the full state), then
// streams `rows`, `runStarted`, `results`, `progress` and `runEnded`.
import type { ErrorPolicy, Mode, ResultType, RowStatus, RunEndedBy } from '../core/types';
import type { ColumnSlice } from './rowSlices';
import type { CopyCell } from './tsv';

/** Row statuses as the table shows them: the engine's, plus the two a row has before it finishes. */
export type CellStatus = 'pending' | 'running' | RowStatus;

export type ViewKind = 'editor' | 'results';

/** The run bar's settings that have a source (see src/session/settings.ts). */
export type SourcedSetting = 'mode' | 'workers' | 'resultType' | 'isPatch' | 'onError';

export interface RunSettingsView {
  applyFile?: string;
  mode: Mode;
  workers: number;
  resultType: ResultType;
  isPatch: boolean;
  onError: ErrorPolicy;
  /** Column that value results are written to. */
  column: string;
  /** Where each value came from, in words ("from apply/mean-std.ts", "from your settings"). Sent by the extension. */
  sources?: Partial<Record<SourcedSetting, string>>;
}

export interface ApplyChoice {
  /** Absolute path: what the extension runs. */
  path: string;
  /** Workspace-relative: what the user reads. */
  label: string;
}

/**
 * A result's text beyond this many characters is not posted to the views: a cell shows the start
 * and its size, and opens the whole value on demand (100k rows of 21 KB results would otherwise be
 * 2 GB of messages, and held twice).
 */
export const RESULT_TEXT_LIMIT = 1000;

/** One finished row as the table shows it: the value or error already as text. */
export interface ResultView {
  index: number;
  status: CellStatus;
  /** Cell text of the value (strings as they are, other values as JSON); its first RESULT_TEXT_LIMIT characters when `fullLength` is set. */
  text?: string;
  /** The whole value's text has this many characters, more than `text` holds: a view shows the prefix and opens the whole on demand (`openValue`). */
  fullLength?: number;
  error?: { name: string; message: string; stack?: string; location?: { file: string; line: number; column: number } };
  durationMs?: number;
}

export interface ProgressView {
  total: number;
  finished: number;
  done: number;
  skipped: number;
  error: number;
  timeout: number;
  cancelled: number;
  rowsPerSecond: number;
  elapsedMs: number;
  /** What the backend says beside the counts, e.g. "Slurm job 42: 1 pending, 2 running, 1 ended". */
  detail?: string;
}

/** The progress of a run of `total` rows before any row finished. */
export function emptyProgress(total: number): ProgressView {
  return { total, finished: 0, done: 0, skipped: 0, error: 0, timeout: 0, cancelled: 0, rowsPerSecond: 0, elapsedMs: 0 };
}

export interface RunSummaryView extends ProgressView {
  endedBy: RunEndedBy;
  effectiveMode: RunSettingsView['mode'];
  resultType: RunSettingsView['resultType'];
  warning?: string;
}

// ---- extension -> webview ----

export interface InitMessage {
  type: 'init';
  kind: ViewKind;
  title: string;
  columns: string[];
  rowCount: number;
  /** The locator could not be parsed: show this instead of the table. */
  parseError?: { message: string; line: number };
  settings: RunSettingsView;
  /** The apply files found so far; undefined until the workspace was first searched (an
   * `applyChoices` message follows, so the table never waits for that search). */
  applyChoices?: ApplyChoice[];
  /** Running is refused in an untrusted workspace; the run bar says why. */
  trusted: boolean;
  /** The modes this machine runs: `slurm` only where Slurm's sbatch is on PATH. */
  modes: Mode[];
  /** Results of the current or last run, so a re-shown tab draws them at once. */
  run?: { runId: number; running: boolean; progress: ProgressView; results: ResultView[]; summary?: RunSummaryView };
  /** The last run did not end (found in its journal when the locator opened): shown until resumed or dismissed. */
  unfinishedRun?: UnfinishedRunView;
}

/**
 * A run of this locator that did not end: one whose window closed mid-run (`local`: its journal
 * stops short), or one still going in another process. (`slurm`: a cluster run, re-attached.)
 */
export interface UnfinishedRunView {
  kind: 'local' | 'slurm';
  /** What the run bar's notice says, e.g. "The last run of x.csv stopped at 412 of 1000 rows (...)". */
  text: string;
  /** False while it is still going elsewhere: there is nothing to resume. */
  canResume: boolean;
  /** The rows it finished, drawn as results while no run of this window is shown. */
  results: ResultView[];
}

/**
 * Locator rows, sent in slices after `init` so a 100k-row locator starts drawing at once: the slice
 * the restored view shows first (see `ready`), then the others in order. Rows `start` to
 * `start + count - 1`, column by column (repeated values coded: see rowSlices.ts).
 */
export interface RowsMessage {
  type: 'rows';
  start: number;
  count: number;
  columns: ColumnSlice[];
  /** On the last slice sent: how many rows the locator has (the table ends there). */
  total?: number;
}

export interface RunStartedMessage {
  type: 'runStarted';
  runId: number;
  total: number;
  settings: RunSettingsView;
  /** Rows that will be run (others keep their results), e.g. for a re-run of failed rows. */
  indices?: number[];
}

/** Finished rows, batched (at most every ~50 ms) so a 100k-row run does not flood the channel. */
export interface ResultsMessage {
  type: 'results';
  runId: number;
  results: ResultView[];
  progress: ProgressView;
}

/**
 * Progress without new results (optional: `results` carries progress too), e.g. a once-a-second
 * tick while slow rows run so rows/s and time left stay current.
 */
export interface ProgressMessage {
  type: 'progress';
  runId: number;
  progress: ProgressView;
}

export interface RunEndedMessage {
  type: 'runEnded';
  runId: number;
  summary: RunSummaryView;
}

export interface SettingsMessage {
  type: 'settings';
  settings: RunSettingsView;
  /** The `settingsChanged` this answers: the webview drops an answer older than its latest change. */
  replyTo?: number;
  /** As in `init`: undefined while the workspace has not been searched yet. */
  applyChoices?: ApplyChoice[];
  trusted: boolean;
}

/** The apply files the workspace holds, once it has been searched. */
export interface ApplyChoicesMessage {
  type: 'applyChoices';
  applyChoices: ApplyChoice[];
}

export interface NoticeMessage {
  type: 'notice';
  level: 'info' | 'error';
  text: string;
  /** The view's state could not be sent (after `ready`): a view drawn from its saved rows drops them. */
  noState?: boolean;
}

/** The unfinished last run was found, or is gone (`run` undefined: resumed, dismissed or replaced by a run). */
export interface UnfinishedRunMessage {
  type: 'unfinishedRun';
  run?: UnfinishedRunView;
}

export type ToWebview =
  | InitMessage
  | RowsMessage
  | RunStartedMessage
  | ResultsMessage
  | ProgressMessage
  | RunEndedMessage
  | SettingsMessage
  | ApplyChoicesMessage
  | NoticeMessage
  | UnfinishedRunMessage;

// ---- webview -> extension ----

export interface ReadyMessage {
  type: 'ready';
  /** The first row a restored view shows (its saved scroll position, unsorted), to be sent first. */
  showsRow?: number;
}
export interface RunRequest {
  type: 'run';
  settings: RunSettingsView;
}
export interface CancelRequest {
  type: 'cancel';
}
export interface RerunFailedRequest {
  type: 'rerunFailed';
}
/** Run the rows the unfinished last run left without a result (strict: the same locator, apply file and settings). */
export interface ResumeRunRequest {
  type: 'resumeRun';
}
/** Do not offer the unfinished last run again. */
export interface DismissUnfinishedRunRequest {
  type: 'dismissUnfinishedRun';
}
export interface ExportRequest {
  type: 'export';
}
export interface WriteBackRequest {
  type: 'writeBack';
  /** Value results: the column to write. Series results: 'replace' this locator or open a 'new' one. */
  column?: string;
  target?: 'replace' | 'new';
}
export interface OpenLocationRequest {
  type: 'openLocation';
  file: string;
  line: number;
  column: number;
}
/** Opens the whole value of row `index`'s result (its cell shows only the start). */
export interface OpenValueRequest {
  type: 'openValue';
  index: number;
}
/** Copies the selected cells as TSV with the whole values of the results the view holds the start of. */
export interface CopyCellsRequest {
  type: 'copyCells';
  cells: CopyCell[][];
}
export interface PickApplyFileRequest {
  type: 'pickApplyFile';
}
export interface OpenTextRequest {
  type: 'openText';
  line?: number;
}
export interface SettingsChanged {
  type: 'settingsChanged';
  settings: RunSettingsView;
  /** Counts the webview's changes (see SettingsMessage.replyTo). */
  seq: number;
}

export type FromWebview =
  | ReadyMessage
  | RunRequest
  | CancelRequest
  | RerunFailedRequest
  | ResumeRunRequest
  | DismissUnfinishedRunRequest
  | ExportRequest
  | WriteBackRequest
  | OpenLocationRequest
  | OpenValueRequest
  | CopyCellsRequest
  | PickApplyFileRequest
  | OpenTextRequest
  | SettingsChanged;
