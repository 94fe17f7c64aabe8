// The ids the extension contributes in package.json, in a module of their own: the activation entry
// (extension.ts) registers them without loading the rest of the extension.

/** The command palette's commands. */
export const COMMANDS = {
  runBatch: 'locatorBatch.runBatch',
  cancelRun: 'locatorBatch.cancelRun',
  rerunFailed: 'locatorBatch.rerunFailed',
  resumeLastRun: 'locatorBatch.resumeLastRun',
  exportResults: 'locatorBatch.exportResults',
  newApplyFile: 'locatorBatch.newApplyFile',
  showResults: 'locatorBatch.showResults',
  openEditor: 'locatorBatch.openEditor',
  writeBack: 'locatorBatch.writeBack',
} as const;

/** Default editor for `*.locator.csv`. */
export const LOCATOR_EDITOR_VIEW_TYPE = 'locatorBatch.locatorEditor';
/** The same editor, offered for every `*.csv` (a second view type: priority is per contribution). */
export const CSV_EDITOR_VIEW_TYPE = 'locatorBatch.csvEditor';
