// The Slurm backend: job arrays over row shards, followed through their journals. No vscode here.
//   runBatch({ mode: 'slurm', slurm: { runsDir, ... } })  submit and follow (see ./slurmRows.ts)
//   submitSlurmRun                                         submit only (the CLI's --detach)
//   attachSlurmRun(folder)                                 follow an existing run folder to its end
//   inspectSlurmRun(folder)                                one look (the CLI's status)
//   readRunFolder / listRunFolders                         the run folders of a locator, newest first
//   slurmAvailable()                                       sbatch on PATH
export { attachSlurmRun, inspectSlurmRun, type AttachHooks, type AttachedRun, type SlurmRunStatus } from './attach';
export { summarizeStates, type SlurmStateSummary } from './follow';
export { defaultShardCount, listRunFolders, readRunFolder, type RunFolderEntry, type RunManifest } from './runFolder';
export { cancelJob, slurmAvailable, type TaskStatus } from './scheduler';
export { cliScriptPath, nodeForTasks, submitSlurmRun, type SlurmOptions } from './slurmRows';
