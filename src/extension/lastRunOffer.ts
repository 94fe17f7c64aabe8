// Runs that outlive the window: when a locator opens and its last run did not end (the window closed
// mid-run, so its journal stops short), the editor shows what that run finished and offers Resume
// (run only the rows without a result, strictly for the same locator, apply file and settings) or
// Dismiss (remembered per journal). A run still going in another window is shown, not offered.
//
// A Slurm run nobody followed to its end (its window closed; a CLI run with --detach) is not
// offered but re-attached: its job went on without us, so following it is all there is to do.
import * as vscode from 'vscode';
import type { RunFolderEntry } from '../core/slurm';
import type { UnfinishedRunView } from '../shared/protocol';
import { slurmRunToAttach } from '../session/reattach';
import { RunRefusal } from '../session/refusal';
import { describeUnfinishedRun, findUnfinishedRun, type UnfinishedRun } from '../session/unfinishedRun';
import { choiceOf, showRefusals, type RunResult } from './actions';
import type { LocatorSession } from './locatorSession';
import { toResultView } from './resultStream';
import type { Sessions } from './sessions';

const DISMISSED_KEY = 'locatorBatch.dismissedJournals';
/** Dismissed journals remembered (the newest): older ones are superseded by later runs anyway. */
const DISMISSED_KEPT = 200;
/** Context key of `Locator Batch: Resume Last Run` (enabled when a locator has one to resume). */
export const HAS_UNFINISHED_RUN = 'locatorBatch.hasUnfinishedRun';

/**
 * Looks for the locator's unfinished last run (when this window has no run of it to show) and offers
 * it in the session's views. Cheap: it reads the journals' first lines and the newest journal of the locator.
 */
export async function checkUnfinishedRun(sessions: Sessions, session: LocatorSession): Promise<void> {
  if (session.active || session.last) return;
  const dir = session.journalsDir();
  const found = dir ? await findUnfinishedRun(dir, session.uri.fsPath) : undefined;
  // A Slurm run nobody followed to its end is re-attached: its job went on without the window. So is
  // one whose journal stops short because its follower died (it may have ended since): following it
  // again completes that journal; resuming it here would run its rows a second time.
  const slurm = vscode.workspace.isTrusted
    ? await slurmRunToAttach(session.runsDir(), session.uri.fsPath, found?.header.mode === 'slurm' ? found.journalFile : undefined)
    : undefined;
  if (session.active || session.last) return;
  if (slurm) {
    void reattach(sessions, session, slurm);
    return;
  }
  const dismissed = found && sessions.workspaceState.get<string[]>(DISMISSED_KEY, []).includes(found.journalFile);
  const offered = found && !dismissed ? found : undefined;
  // The view (every finished row's text) is built only for a new offer: a tab shown again reads no value.
  if (!sameOffer(session.unfinished?.run, offered)) session.showUnfinished(offered && { run: offered, view: viewOf(offered, session.name) });
  updateContextKey(sessions);
}

async function reattach(sessions: Sessions, session: LocatorSession, entry: RunFolderEntry): Promise<void> {
  const bar = await session.runBar.view();
  sessions.lastRun = session;
  try {
    await session.attach(entry, bar.column);
  } catch {
    // Told in the views and the log by the session (a run folder that cannot be read, an I/O failure).
  }
  updateContextKey(sessions);
}

/** Resume: the rows the unfinished run left without a result, with its apply file and result settings. */
export async function resumeUnfinishedRun(sessions: Sessions, session: LocatorSession, shownIn?: () => boolean): Promise<RunResult> {
  const result = await showRefusals(sessions, async () => {
    const unfinished = session.unfinished?.run;
    if (!unfinished) throw new RunRefusal('no-run', `${session.name} has no unfinished run to resume.`);
    if (unfinished.runningElsewhere) {
      throw new RunRefusal('busy', `the last run of ${session.name} is still going in another window or process (process ${unfinished.runningElsewhere.pid}).`);
    }
    const { header } = unfinished;
    const bar = await session.runBar.view();
    sessions.lastRun = session;
    return session.run({
      applyFile: header.apply,
      // How rows run may differ (the run bar's mode and workers); what results mean may not (the journal's).
      choice: { ...choiceOf(bar), resultType: header.resultType, isPatch: header.isPatch },
      column: bar.column,
      resumeJournal: unfinished.journalFile,
      shownIn,
    });
  });
  updateContextKey(sessions);
  return result;
}

/** Dismiss: not offered again for this journal. */
export async function dismissUnfinishedRun(sessions: Sessions, session: LocatorSession): Promise<void> {
  const state = sessions.workspaceState;
  const unfinished = session.unfinished?.run;
  if (!unfinished) return;
  const dismissed = state.get<string[]>(DISMISSED_KEY, []).filter((f) => f !== unfinished.journalFile);
  await state.update(DISMISSED_KEY, [...dismissed, unfinished.journalFile].slice(-DISMISSED_KEPT));
  session.showUnfinished(undefined);
  updateContextKey(sessions);
}

/** The sessions with a run to resume (for the palette). */
export function resumable(sessions: Sessions): LocatorSession[] {
  return sessions.all().filter((s) => s.unfinished && !s.unfinished.run.runningElsewhere && !s.active);
}

export function updateContextKey(sessions: Sessions): void {
  void vscode.commands.executeCommand('setContext', HAS_UNFINISHED_RUN, resumable(sessions).length > 0);
}

function viewOf(run: UnfinishedRun, name: string): UnfinishedRunView {
  return {
    kind: run.kind,
    text: describeUnfinishedRun(run, name),
    canResume: !run.runningElsewhere,
    results: run.records.map(toResultView),
  };
}

function sameOffer(a: UnfinishedRun | undefined, b: UnfinishedRun | undefined): boolean {
  if (!a || !b) return a === b;
  return a.journalFile === b.journalFile && a.finished === b.finished && Boolean(a.runningElsewhere) === Boolean(b.runningElsewhere);
}
