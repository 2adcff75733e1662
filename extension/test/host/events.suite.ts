// The shared event stream resumes after an outage from the last event id: a job that was created and finished
// while the stream was down appears in the Jobs view from the replayed events (nothing reloads the list).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, connected, waitFor, workspaceFile } from './helpers';

interface Job {
  id: string;
  state: string;
}

export function registerEventsSuite(): void {
  suite('event stream', () => {
    test('resumes after an outage without losing events', async () => {
      const ext = await connected();
      const pipeline = new TextDecoder().decode(
        await vscode.workspace.fs.readFile(workspaceFile('hello.orchion.yaml')),
      );
      const resume = ext.pauseEventStream();
      let job: Job;
      try {
        job = await api<Job>('/api/v1/jobs', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ pipeline }),
        });
        await waitFor(
          'the job to finish while the stream is down',
          async () => {
            const j = await api<Job>(`/api/v1/jobs/${job.id}`);
            return j.state !== 'queued' && j.state !== 'running';
          },
          120_000,
        );
        const rows = await ext.rows('orchion.jobs');
        assert.ok(
          !rows.some((r) => r.id === `job:${job.id}`),
          'the view cannot know the job while the stream is down',
        );
      } finally {
        resume();
      }
      await waitFor('the job in the Jobs view, from the replayed events', async () =>
        (await ext.rows('orchion.jobs')).some(
          (r) => r.id === `job:${job.id}` && r.contextValue === 'job.succeeded',
        ),
      );
    });
  });
}

export function registerVisibilitySuite(): void {
  suite('view visibility', () => {
    test('a hidden view does not redraw on events; it redraws once shown', async () => {
      const ext = await connected();
      await vscode.commands.executeCommand('workbench.view.explorer');
      await waitFor('the Jobs view hidden', () => !ext.redraws('orchion.jobs').visible);
      const before = ext.redraws('orchion.jobs').count;
      const pipeline = new TextDecoder().decode(
        await vscode.workspace.fs.readFile(workspaceFile('hello.orchion.yaml')),
      );
      const job = await api<Job>('/api/v1/jobs', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ pipeline }),
      });
      await waitFor('the model to learn of the job', async () =>
        (await ext.rows('orchion.jobs', { expand: false })).some((r) => r.id === `job:${job.id}`),
      );
      await new Promise((r) => setTimeout(r, 300)); // longer than the redraw batching
      assert.equal(ext.redraws('orchion.jobs').count, before, 'no redraw while hidden');
      await vscode.commands.executeCommand('orchion.jobs.focus');
      await waitFor('a redraw once visible', () => ext.redraws('orchion.jobs').count > before);
      assert.ok(ext.redraws('orchion.jobs').visible);
    });
  });
}
