// Jobs: Submit pipeline on a workspace file creates a job that succeeds and shows in the Jobs view with its
// steps; its log channel receives the tokens; a failing pipeline puts a diagnostic on its file at the failed
// step; Cancel works; Reveal step selects the step in the YAML.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, connected, waitFor, workspaceFile } from './helpers';

interface Job {
  id: string;
  name: string;
  state: string;
}
interface LogPage {
  kind: string;
  stepId: string | null;
  text: string;
}

/** The token text of a job, from the API (stored log entries). */
async function tokenText(jobId: string): Promise<string> {
  const env = { url: process.env.ORCHION_TEST_URL!, token: process.env.ORCHION_TEST_TOKEN! };
  const res = await fetch(`${env.url}/api/v1/jobs/${jobId}/logs`, {
    headers: { authorization: `Bearer ${env.token}`, accept: 'text/event-stream' },
  });
  const body = await res.text();
  return body
    .split('\n')
    .filter((l) => l.startsWith('data: '))
    .map((l) => JSON.parse(l.slice(6)) as LogPage)
    .filter((e) => e.kind === 'token')
    .map((e) => e.text)
    .join('');
}

const squash = (s: string): string => s.replace(/\s+/g, '');

export function registerJobsSuite(): void {
  suite('jobs', () => {
    let hello: Job | undefined;
    let failing: Job | undefined;

    test('Submit pipeline creates a job that succeeds and streams its tokens into its log channel', async () => {
      const ext = await connected();
      const uri = workspaceFile('hello.orchion.yaml');
      const job = await vscode.commands.executeCommand<Job | undefined>('orchion.submitPipeline', uri, {
        prompt: false,
      });
      assert.ok(job?.id, 'the command returned the created job');
      hello = job;
      assert.equal(job.name, 'hello');
      const final = await waitFor(
        'the job to finish',
        async () => {
          const j = await api<Job>(`/api/v1/jobs/${job.id}`);
          return j.state === 'queued' || j.state === 'running' ? undefined : j;
        },
        120_000,
      );
      assert.equal(final.state, 'succeeded');
      const channel = ext.channelNames()[job.id];
      assert.equal(channel, `Orchion: hello ${job.id.slice(0, 8)}`);
      const tokens = await tokenText(job.id);
      assert.ok(tokens.length > 0, 'the job produced tokens');
      // Tokens are gathered into lines prefixed with the step id; compare without whitespace and prefixes.
      const text = await waitFor('the channel to end with the job state', () => {
        const t = ext.channelText(job.id) ?? '';
        return /— job succeeded/.test(t) ? t : undefined;
      });
      const written = squash(
        text
          .split('\n')
          .filter((l) => l.startsWith('[greet] '))
          .map((l) => l.slice('[greet] '.length).replace(/^… /, ''))
          .join(''),
      );
      assert.ok(
        written.includes(squash(tokens)),
        `channel text holds the tokens.\nchannel:\n${text}\ntokens:\n${tokens}`,
      );
    });

    test('the Jobs view shows the job as succeeded with its steps', async () => {
      const ext = await connected();
      assert.ok(hello, 'the submit test ran');
      const row = await waitFor('the job row as succeeded', async () =>
        (await ext.rows('orchion.jobs')).find(
          (r) => r.id === `job:${hello!.id}` && r.contextValue === 'job.succeeded',
        ),
      );
      const rows = await ext.rows('orchion.jobs');
      assert.equal(rows[0]!.id, row.id, 'newest job first');
      const step = row.children?.find((c) => c.label === 'greet');
      assert.ok(step, `step greet under the job: ${JSON.stringify(row.children)}`);
      assert.equal(step.contextValue, 'step.succeeded');
      assert.match(step.description ?? '', /succeeded/);
    });

    test('Reveal step selects the step id in the pipeline file', async () => {
      await connected();
      assert.ok(hello, 'the submit test ran');
      await vscode.commands.executeCommand('orchion.revealStep', hello.id, 'greet');
      const editor = vscode.window.activeTextEditor;
      assert.ok(editor, 'an editor is open');
      assert.equal(editor.document.uri.fsPath, workspaceFile('hello.orchion.yaml').fsPath);
      assert.equal(editor.document.getText(editor.selection), 'greet');
    });

    test('a failing pipeline puts a diagnostic on its file at the failed step', async () => {
      const ext = await connected();
      const uri = workspaceFile('failing.orchion.yaml');
      const published = new Promise<void>((resolve) => {
        const sub = ext.onDidPublishDiagnostics((u) => {
          if (u.toString() === uri.toString()) {
            sub.dispose();
            resolve();
          }
        });
      });
      const job = await vscode.commands.executeCommand<Job | undefined>('orchion.submitPipeline', uri, {
        prompt: false,
      });
      assert.ok(job?.id, 'the job was created');
      failing = job;
      await published;
      const diagnostics = await waitFor('a diagnostic on failing.orchion.yaml', () => {
        const d = vscode.languages.getDiagnostics(uri).filter((x) => x.source === 'orchion');
        return d.length > 0 ? d : undefined;
      });
      const doc = await vscode.workspace.openTextDocument(uri);
      const line = doc
        .getText()
        .split('\n')
        .findIndex((l) => /- id: too-slow/.test(l));
      const d = diagnostics[0]!;
      assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
      assert.match(d.message, /too-slow/);
      assert.equal(d.range.start.line, line);
      assert.equal(doc.getText(d.range), 'too-slow');
      console.log(`diagnostic: ${d.message}`);
    });

    test('Run from here (the code lens command) runs a step again, reusing its upstream output', async () => {
      await connected();
      assert.ok(failing, 'the failing pipeline test ran');
      const uri = workspaceFile('failing.orchion.yaml');
      const job = await vscode.commands.executeCommand<Job | undefined>(
        'orchion.runFromStep',
        uri,
        'too-slow',
        {
          prompt: false,
          revealLogs: false,
        },
      );
      assert.ok(job?.id, 'the job was created');
      const view = await api<{ stepDetails: { id: string; reusedFrom?: string | null }[] }>(
        `/api/v1/jobs/${job.id}`,
      );
      const prepare = view.stepDetails.find((st) => st.id === 'prepare');
      assert.equal(prepare?.reusedFrom, failing.id, 'prepare was reused from the earlier job');
    });

    test('Filter, Show job logs, Rerun and Copy job ID work on a job id', async () => {
      const ext = await connected();
      assert.ok(hello && failing, 'the earlier tests ran');
      await vscode.commands.executeCommand('orchion.filterJobs', ['failed']);
      try {
        const rows = await waitFor('only failed jobs listed', async () => {
          const r = await ext.rows('orchion.jobs');
          return r.length > 0 && r.every((x) => x.contextValue === 'job.failed') ? r : undefined;
        });
        assert.ok(rows.some((r) => r.id === `job:${failing!.id}`));
      } finally {
        await vscode.commands.executeCommand('orchion.filterJobs', []);
      }
      assert.ok(
        (await ext.rows('orchion.jobs')).some((r) => r.id === `job:${hello!.id}`),
        'filter cleared',
      );
      const channel = await vscode.commands.executeCommand<string>('orchion.showJobLogs', hello.id, {
        reveal: false,
      });
      assert.equal(channel, `Orchion: hello ${hello.id.slice(0, 8)}`);
      assert.equal(await vscode.commands.executeCommand<string>('orchion.copyJobId', hello.id), hello.id);
      const rerun = await vscode.commands.executeCommand<Job | undefined>('orchion.rerunJob', hello.id);
      assert.ok(rerun?.id && rerun.id !== hello.id, 'a new job');
      assert.equal(rerun.name, 'hello');
      const done = await waitFor(
        'the rerun to finish',
        async () => {
          const j = await api<Job>(`/api/v1/jobs/${rerun.id}`);
          return j.state === 'queued' || j.state === 'running' ? undefined : j;
        },
        120_000,
      );
      assert.equal(done.state, 'succeeded');
    });

    test('Create pipeline from template writes a pipeline that runs', async () => {
      await connected();
      const uri = await vscode.commands.executeCommand<vscode.Uri | undefined>(
        'orchion.createPipeline',
        'structured',
        'from-template',
      );
      assert.ok(uri, 'a file was created');
      assert.equal(uri.fsPath, workspaceFile('from-template.orchion.yaml').fsPath);
      assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, uri.fsPath, 'and opened');
      const job = await vscode.commands.executeCommand<Job | undefined>('orchion.submitPipeline', uri, {
        prompt: false,
        revealLogs: false,
      });
      assert.ok(job?.id, 'it was accepted by the orchestrator');
      const done = await waitFor(
        'the template job to finish',
        async () => {
          const j = await api<Job>(`/api/v1/jobs/${job.id}`);
          return j.state === 'queued' || j.state === 'running' ? undefined : j;
        },
        120_000,
      );
      assert.equal(done.state, 'succeeded');
    });

    test('a pipeline with errors is not submitted', async () => {
      await connected();
      const uri = workspaceFile('broken.orchion.yaml');
      const text =
        'apiVersion: orchion/v1\nkind: Pipeline\nmetadata: { name: broken }\nsteps:\n  - id: a\n    needs: [nope]\n    prompt: hi\n';
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
      const before = await api<{ jobs: Job[] }>('/api/v1/jobs?limit=1');
      const job = await vscode.commands.executeCommand<Job | undefined>('orchion.submitPipeline', uri, {
        prompt: false,
      });
      assert.equal(job, undefined);
      const after = await api<{ jobs: Job[] }>('/api/v1/jobs?limit=1');
      assert.equal(after.jobs[0]?.id, before.jobs[0]?.id, 'no job was created');
    });

    test('Cancel job cancels a running job', async () => {
      const ext = await connected();
      const job = await vscode.commands.executeCommand<Job | undefined>(
        'orchion.submitPipeline',
        workspaceFile('slow.orchion.yaml'),
        { prompt: false, revealLogs: false },
      );
      assert.ok(job?.id, 'the job was created');
      await waitFor(
        'the slow job to run',
        async () => (await api<Job>(`/api/v1/jobs/${job.id}`)).state === 'running',
      );
      const cancelled = await vscode.commands.executeCommand<Job | undefined>('orchion.cancelJob', job.id);
      assert.equal(cancelled?.state, 'cancelled');
      await waitFor('the Jobs view to show the job cancelled', async () =>
        (await ext.rows('orchion.jobs')).some(
          (r) => r.id === `job:${job.id}` && r.contextValue === 'job.cancelled',
        ),
      );
      await waitFor('the log channel to say cancelled', () =>
        /— job cancelled/.test(ext.channelText(job.id) ?? ''),
      );
    });
  });
}
