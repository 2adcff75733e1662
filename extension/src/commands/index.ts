// Registers every command (each made on its first run). A failure reaches the user as one notification with
// the actions that help (see util/notify) and the command returns undefined; details go to the "Orchion" log.
import * as vscode from 'vscode';
import type { Services } from '../services';
import { notifyError } from '../util/notify';
import { cancelJobCommand } from './cancel-job';
import { connectCommand } from './connect';
import { copyJobIdCommand } from './copy-job-id';
import { createPipelineCommand } from './create-pipeline';
import { filterJobsCommand } from './filter-jobs';
import { openDashboardCommand } from './open-dashboard';
import { refreshCommand } from './refresh';
import { rerunJobCommand } from './rerun-job';
import { revealStepCommand } from './reveal-step';
import { runFromStepCommand } from './run-from-step';
import { runPipelineCommand } from './run-pipeline';
import { showJobLogsCommand } from './show-job-logs';
import { startLocalClusterCommand } from './start-local-cluster';
import { submitPipelineCommand } from './submit-pipeline';

type Handler = (...args: unknown[]) => unknown;

const COMMANDS: [id: string, doing: string, make: (s: Services) => Handler][] = [
  ['orchion.connect', 'connect to the orchestrator', connectCommand],
  ['orchion.startLocalCluster', 'start a local cluster', startLocalClusterCommand],
  ['orchion.submitPipeline', 'submit the pipeline', submitPipelineCommand],
  ['orchion.runPipeline', 'run the pipeline', runPipelineCommand],
  ['orchion.runFromStep', 'run the pipeline from the step', runFromStepCommand],
  ['orchion.cancelJob', 'cancel the job', cancelJobCommand],
  ['orchion.rerunJob', 'rerun the job', rerunJobCommand],
  ['orchion.showJobLogs', 'show the job logs', showJobLogsCommand],
  ['orchion.openDashboard', 'open the dashboard', openDashboardCommand],
  ['orchion.revealStep', 'reveal the step', revealStepCommand],
  ['orchion.copyJobId', 'copy the job ID', copyJobIdCommand],
  ['orchion.refresh', 'refresh', refreshCommand],
  ['orchion.filterJobs', 'filter the jobs', filterJobsCommand],
  ['orchion.createPipeline', 'create the pipeline', createPipelineCommand],
];

export function registerCommands(s: Services): void {
  for (const [id, doing, make] of COMMANDS) {
    let handler: Handler | undefined;
    s.context.subscriptions.push(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        handler ??= make(s);
        try {
          return await handler(...args);
        } catch (err) {
          void notifyError(s.log, doing, err, () => vscode.commands.executeCommand(id, ...args));
          return undefined;
        }
      }),
    );
  }
}
