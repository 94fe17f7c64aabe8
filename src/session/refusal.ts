// Why a run (or what comes after it) did not happen: one shape for every front end. The editor
// shows it in its run bar and a message, the palette in a message, the CLI on stderr with exit 2.
// Nothing has run and nothing has been written when a refusal is raised.
import { ApplyModuleError } from '../core/applyModule';
import { LocatorParseError } from '../core/locator';
import type { SourceLocation } from '../core/types';

export type RefusalKind =
  /** Running workspace code needs a trusted workspace. */
  | 'untrusted'
  /** A run is already going on this locator. */
  | 'busy'
  | 'no-apply-file'
  /** The locator does not parse (the location names its line). */
  | 'bad-locator'
  /** The apply file does not bundle, throws while loading, or exports no apply (file and line). */
  | 'bad-apply-file'
  | 'bad-settings'
  /** Slurm mode without Slurm's sbatch on PATH. */
  | 'no-slurm'
  /** No Python interpreter that can run apply files (missing, older than 3.8, no pandas). */
  | 'no-python'
  /** A journal to resume from belongs to another locator, apply file or settings. */
  | 'journal-mismatch'
  /** The locator changed since the run, so its results could land on the wrong rows. */
  | 'changed'
  /** There is no finished run (to export, write back or re-run). */
  | 'no-run'
  /** Every row of the last run succeeded: nothing to re-run. */
  | 'nothing-to-rerun'
  /** The result type gives nothing for what was asked (e.g. a CSV of result type none). */
  | 'nothing-to-write'
  /** VS Code hands no document that large to extensions: it cannot be edited. */
  | 'too-large';

/** Kinds that tell the user about a state of things rather than a problem with their input. */
const INFORMATIONAL: ReadonlySet<RefusalKind> = new Set(['no-run', 'nothing-to-rerun', 'nothing-to-write']);

export class RunRefusal extends Error {
  override readonly name = 'RunRefusal';
  constructor(
    readonly kind: RefusalKind,
    message: string,
    /** Where to fix it: the locator's or apply file's line. */
    readonly location?: SourceLocation,
  ) {
    super(message);
  }

  /** Informational refusals are shown as information, the others as warnings or errors. */
  get informational(): boolean {
    return INFORMATIONAL.has(this.kind);
  }
}

/** Running workspace code in an untrusted workspace. */
export function untrustedRefusal(): RunRefusal {
  return new RunRefusal('untrusted', 'running an apply file runs code from this workspace, so it needs a trusted workspace.');
}

/** A locator, apply file or settings error from the engine as a refusal (other errors are rethrown). */
export function asRefusal(err: unknown, locatorPath?: string): RunRefusal {
  if (err instanceof RunRefusal) return err;
  if (err instanceof LocatorParseError) {
    return new RunRefusal('bad-locator', err.message, { file: locatorPath ?? '', line: err.line, column: 1 });
  }
  if (err instanceof ApplyModuleError) {
    return new RunRefusal('bad-apply-file', err.message, err.location ?? { file: err.file, line: 1, column: 1 });
  }
  throw err;
}
