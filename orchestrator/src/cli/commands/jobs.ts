// `orchion submit`, `jobs`, `job`, `logs`, `cancel`: run pipelines and follow them through the HTTP API.
import { Command, Option } from 'commander';
import { readFile } from 'node:fs/promises';
import {
  ApiClientError,
  JOB_STATES,
  type JobState,
  type JobView,
  type LogEntry,
  type OrchionClient,
} from '@orchion/api';
import { formatDiagnostic, parseInputAssignments, type Diagnostic } from '@orchion/schemas';
import { ago, table } from '../format';
import { clientFrom, type ClientFlags } from '../options';
import { addClientOptions } from './nodes';

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** API errors of `--from`: printed as the command's error. */
const RUN_FROM_ERRORS = new Set(['unknown_step', 'unknown_job', 'no_reusable_job']);

/** Writes a job's log stream for a terminal: tokens to stdout as they come, everything else to stderr. */
function logPrinter(): (e: LogEntry) => void {
  let step: string | null = null;
  let midLine = false;
  return (e) => {
    if (e.kind === 'token') {
      if (e.stepId !== step) {
        if (midLine) process.stdout.write('\n');
        process.stderr.write(`── ${e.stepId} ──\n`);
        step = e.stepId;
      }
      process.stdout.write(e.text);
      midLine = !e.text.endsWith('\n');
      return;
    }
    if (midLine) {
      process.stdout.write('\n');
      midLine = false;
    }
    const where = e.stepId ? `[${e.stepId}] ` : '';
    const level = e.level && e.level !== 'info' ? `${e.level}: ` : '';
    process.stderr.write(`${where}${level}${e.text}\n`);
  };
}

async function findJob(client: OrchionClient, id: string): Promise<JobView> {
  try {
    return await client.getJob(id);
  } catch (err) {
    if (!(err instanceof ApiClientError) || err.status !== 404) throw err;
  }
  const { jobs } = await client.listJobs({ limit: 500 });
  const matches = jobs.filter((j) => j.id.startsWith(id));
  if (matches.length === 1) return client.getJob(matches[0]!.id);
  if (matches.length > 1) throw new Error(`"${id}" matches ${matches.length} jobs; give more of the id`);
  throw new Error(`no job with id "${id}"`);
}

function printOutputs(job: JobView): void {
  if (job.outputs && Object.keys(job.outputs).length > 0) {
    console.log('\nOutputs:');
    for (const [k, v] of Object.entries(job.outputs)) console.log(`  ${k}: ${v}`);
  }
}

async function follow(client: OrchionClient, job: JobView): Promise<JobState> {
  const print = logPrinter();
  let lastEventId: number | undefined;
  // Reconnect if the stream drops before the job ends (e.g. the orchestrator restarts).
  for (let tries = 0; tries < 30; tries++) {
    try {
      const r = await client.streamJobLogs(job.id, print, { follow: true, lastEventId });
      lastEventId = r.lastEventId ?? lastEventId;
      if (r.state) return r.state;
    } catch (err) {
      if (!(err instanceof ApiClientError) || err.code !== 'unreachable') throw err;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  return (await client.getJob(job.id)).state;
}

export function submitCommand(): Command {
  return addClientOptions(new Command('submit').description('run a pipeline'))
    .argument('<file>', 'pipeline YAML file')
    .option(
      '-i, --input <key=value>',
      'a pipeline input (repeatable); values are converted to the declared type',
      collect,
    )
    .option('-f, --follow', 'stream logs and tokens until the job ends; exit 0 only if it succeeded')
    .option(
      '--from <step>',
      'run only this step and the steps downstream of it; the others reuse the outputs of an earlier job',
    )
    .option(
      '--reuse <job>',
      'with --from: the job whose outputs are reused (default: the newest job of this pipeline that has them)',
    )
    .action(
      async (
        file: string,
        flags: ClientFlags & {
          input?: string[];
          follow?: boolean;
          json?: boolean;
          from?: string;
          reuse?: string;
        },
      ) => {
        const text = await readFile(file, 'utf8');
        const assigned = parseInputAssignments(flags.input ?? []);
        if (assigned.errors.length > 0) throw new Error(assigned.errors.join('; '));
        if (flags.reuse !== undefined && flags.from === undefined)
          throw new Error('--reuse needs --from STEP');
        const client = clientFrom(flags);
        let job: JobView;
        try {
          job = await client.submitJob({
            pipeline: text,
            inputs: assigned.values,
            coerceInputs: true,
            ...(flags.from !== undefined
              ? { from: { step: flags.from, ...(flags.reuse !== undefined ? { job: flags.reuse } : {}) } }
              : {}),
          });
        } catch (err) {
          if (err instanceof ApiClientError && err.code === 'invalid_pipeline') {
            const { diagnostics } = err.details as { diagnostics: Diagnostic[] };
            for (const d of diagnostics) console.error(formatDiagnostic(file, d));
            process.exitCode = 1;
            return;
          }
          if (err instanceof ApiClientError && err.code === 'invalid_inputs')
            throw new Error(`${file}: ${err.message}`);
          if (err instanceof ApiClientError && RUN_FROM_ERRORS.has(err.code))
            throw new Error(`${file}: --from ${flags.from}: ${err.message}`);
          throw err;
        }
        const reused = job.stepDetails.filter((s) => s.reusedFrom).map((s) => s.id);
        if (reused.length > 0 && !flags.json) {
          const source = job.stepDetails.find((s) => s.reusedFrom)!.reusedFrom;
          console.error(`Running from step ${flags.from}; reusing ${reused.join(', ')} from job ${source}.`);
        }
        if (flags.json && !flags.follow) {
          console.log(JSON.stringify(job, null, 2));
          return;
        }
        console.error(`Job ${job.id} (${job.name}) submitted.`);
        if (!flags.follow) {
          console.error(`Follow it with: orchion logs ${job.id} --follow`);
          console.log(job.id);
          return;
        }
        const state = await follow(client, job);
        const final = await client.getJob(job.id);
        if (flags.json) console.log(JSON.stringify(final, null, 2));
        else {
          console.error(
            `\nJob ${job.id} ${state}${final.error && state !== 'succeeded' ? `: ${final.error}` : ''}`,
          );
          printOutputs(final);
        }
        if (state !== 'succeeded') process.exitCode = 1;
      },
    );
}

export function jobsCommand(): Command {
  return addClientOptions(new Command('jobs').description('list jobs, newest first'))
    .addOption(new Option('--state <state>', 'only jobs in this state').choices(JOB_STATES as string[]))
    .option('--limit <n>', 'how many', (v) => Number(v), 20)
    .action(async (flags: ClientFlags & { json?: boolean; state?: JobState; limit: number }) => {
      const res = await clientFrom(flags).listJobs({ state: flags.state, limit: flags.limit });
      if (flags.json) {
        console.log(JSON.stringify(res, null, 2));
        return;
      }
      if (res.jobs.length === 0) {
        console.log('No jobs yet. Submit one with `orchion submit examples/hello.yaml --follow`.');
        return;
      }
      const rows = res.jobs.map((j) => {
        const total = Object.values(j.steps).reduce((a, b) => a + (b ?? 0), 0);
        const ms = j.startedAt
          ? Date.parse(j.finishedAt ?? new Date().toISOString()) - Date.parse(j.startedAt)
          : 0;
        return [
          j.id,
          j.name,
          j.state,
          `${j.steps.succeeded ?? 0}/${total}`,
          ago(j.createdAt),
          j.startedAt ? `${(ms / 1000).toFixed(1)}s` : '-',
        ];
      });
      console.log(table(['ID', 'NAME', 'STATE', 'STEPS OK', 'CREATED', 'DURATION'], rows));
    });
}

function preview(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  const flat = (s ?? '').replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 117)}...` : flat;
}

export function jobCommand(): Command {
  return addClientOptions(
    new Command('job').description('show one job').argument('<id>', 'job id or a unique prefix'),
  ).action(async (id: string, flags: ClientFlags & { json?: boolean }) => {
    const job = await findJob(clientFrom(flags), id);
    if (flags.json) {
      console.log(JSON.stringify(job, null, 2));
      return;
    }
    const lines = [
      `Job      ${job.id} (${job.name})`,
      `State    ${job.state}${job.error ? `: ${job.error}` : ''}`,
      `Created  ${job.createdAt}${job.finishedAt ? `, finished ${ago(job.finishedAt)}` : ''}`,
      `Inputs   ${preview(job.inputs)}`,
      '',
    ];
    for (const s of job.stepDetails) {
      const last = s.attempts[s.attempts.length - 1];
      const where = last?.nodeId ? ` on ${last.nodeId}` : '';
      const runs = s.reusedFrom ? `reused from job ${s.reusedFrom}` : `${s.attempts.length} attempt(s)`;
      lines.push(`  ${s.id.padEnd(16)} ${s.state.padEnd(9)} ${s.kind} ${s.model}${where}, ${runs}`);
      if (s.waitingFor) lines.push(`    waiting: ${s.waitingFor}`);
      if (s.error) lines.push(`    error: ${s.error}`);
      if (s.output !== null) lines.push(`    output: ${preview(s.output)}`);
    }
    console.log(lines.join('\n'));
    printOutputs(job);
  });
}

export function logsCommand(): Command {
  return addClientOptions(
    new Command('logs')
      .description('print a job’s logs and tokens')
      .argument('<id>', 'job id or a unique prefix'),
  )
    .option('-f, --follow', 'keep streaming until the job ends')
    .action(async (id: string, flags: ClientFlags & { follow?: boolean; json?: boolean }) => {
      const client = clientFrom(flags);
      const job = await findJob(client, id);
      if (flags.json) {
        await client.streamJobLogs(job.id, (e) => console.log(JSON.stringify(e)), { follow: flags.follow });
        return;
      }
      if (flags.follow) {
        const state = await follow(client, job);
        if (state !== 'succeeded') process.exitCode = 1;
      } else await client.streamJobLogs(job.id, logPrinter());
    });
}

export function cancelCommand(): Command {
  return addClientOptions(
    new Command('cancel').description('cancel a job').argument('<id>', 'job id or a unique prefix'),
  ).action(async (id: string, flags: ClientFlags & { json?: boolean }) => {
    const client = clientFrom(flags);
    const job = await client.cancelJob((await findJob(client, id)).id);
    if (flags.json) console.log(JSON.stringify(job, null, 2));
    else console.log(`Job ${job.id} ${job.state}.`);
  });
}
