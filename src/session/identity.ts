// What a journal belongs to: the locator's content, the bundled apply file and the settings that
// decide what its results mean. A resume checks all three, so a journal is never silently reused
// for another locator, another version of the apply file or another result type.
import { createHash } from 'crypto';
import type { JournalIdentity } from '../core/journal';
import type { Locator } from '../core/locator';
import type { RunSettings } from '../core/run';

/**
 * The identity of a run. The locator is hashed by its parsed content (columns and cells), so the
 * same rows saved with CRLF or a BOM are the same locator. Of the settings, only those that decide
 * what a row's result means count (result type, patch): mode, workers, error policy and time limit
 * say how rows ran, and a run may be resumed in another mode (or on another machine).
 */
export function runIdentity(locator: Pick<Locator, 'columns' | 'rows'>, applyCode: string, settings: Pick<RunSettings, 'resultType' | 'isPatch'>): JournalIdentity {
  const h = createHash('sha256');
  h.update(JSON.stringify(locator.columns));
  const { columns } = locator;
  for (const row of locator.rows) {
    let line = '\u0001';
    for (let c = 0; c < columns.length; c++) line += (row[columns[c]] ?? '') + '\u0000';
    h.update(line);
  }
  return {
    locator: h.digest('hex'),
    apply: createHash('sha256').update(applyCode).digest('hex'),
    settings: JSON.stringify({ resultType: settings.resultType, isPatch: settings.isPatch }),
  };
}

/** Why a journal does not belong to this run, or undefined when it does. */
export function identityMismatch(journal: JournalIdentity | undefined, run: JournalIdentity): string | undefined {
  if (!journal) return 'it records no identity (written by an older version), so it cannot be checked against this run';
  if (journal.locator !== run.locator) return 'it was written for another locator (or this one has changed since)';
  if (journal.apply !== run.apply) return 'it was written by another apply file (or this one has changed since)';
  if (journal.settings !== run.settings) {
    return `it was written with other settings (${describe(journal.settings)}; this run: ${describe(run.settings)})`;
  }
  return undefined;
}

function describe(settings: string): string {
  try {
    const s = JSON.parse(settings) as Pick<RunSettings, 'resultType' | 'isPatch'>;
    return `result ${s.resultType}${s.isPatch ? ', patch' : ''}`;
  } catch {
    return settings;
  }
}
