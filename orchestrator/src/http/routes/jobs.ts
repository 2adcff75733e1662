// Jobs API: submit, validate, list, get, cancel.
import {
  JOB_STATES,
  type JobState,
  type ListJobsResponse,
  type RunFrom,
  type SubmitJobRequest,
  type ValidateResponse,
} from '@orchion/api';
import { hasErrors, parsePipeline } from '@orchion/schemas';
import type { FastifyInstance } from 'fastify';
import type { JobEngine } from '../../jobs/engine';
import { planRunFrom, readRunFrom, type RunFromPlan } from '../../jobs/run-from';
import { prepareJob } from '../../jobs/submit';
import { jobView, jobViewFromRecord, summaryFromRecord, summaryFromRow } from '../../jobs/views';
import type { SqliteJobStore } from '../../store/job-store';
import { ApiError, badRequest, notFound } from '../errors';

export interface JobRoutesDeps {
  engine: JobEngine;
  store: SqliteJobStore;
}

/**
 * Accepts a YAML body (`application/yaml`, `text/yaml`, `text/plain`; inputs as `?input.NAME=value`, "run from
 * here" as `?from=STEP&reuse=JOB`) or JSON `{pipeline, inputs, coerceInputs, from}`.
 */
function readSubmission(
  contentType: string | undefined,
  body: unknown,
  query: Record<string, string>,
): SubmitJobRequest {
  if (typeof body === 'string') {
    const inputs: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(query)) if (k.startsWith('input.')) inputs[k.slice(6)] = v;
    const sub: SubmitJobRequest = { pipeline: body, inputs, coerceInputs: true };
    if (query.reuse !== undefined && query.from === undefined) throw badRequest('reuse=JOB needs from=STEP');
    if (query.from !== undefined) sub.from = checkedFrom({ step: query.from, job: query.reuse });
    return sub;
  }
  const b = body as Partial<SubmitJobRequest> | null;
  if (!b || typeof b !== 'object' || typeof b.pipeline !== 'string') {
    throw badRequest(
      `send the pipeline YAML with Content-Type: application/yaml, or JSON {"pipeline": "<yaml text>", "inputs": {...}} (got ${contentType ?? 'no content type'})`,
    );
  }
  if (
    b.inputs !== undefined &&
    (typeof b.inputs !== 'object' || b.inputs === null || Array.isArray(b.inputs))
  ) {
    throw badRequest('inputs must be an object');
  }
  const sub: SubmitJobRequest = {
    pipeline: b.pipeline,
    inputs: b.inputs ?? {},
    coerceInputs: b.coerceInputs === true,
  };
  if (b.from !== undefined) sub.from = checkedFrom(b.from);
  return sub;
}

function checkedFrom(value: unknown): RunFrom {
  const from = readRunFrom(value);
  if (typeof from === 'string') throw badRequest(from);
  return from;
}

export function jobRoutes(app: FastifyInstance, { engine, store }: JobRoutesDeps): void {
  for (const type of ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/plain']) {
    app.addContentTypeParser(type, { parseAs: 'string' }, (_req, body, done) => done(null, body));
  }
  const waiting = (id: string) => engine.waitingReason(id);

  app.post<{ Querystring: Record<string, string> }>('/api/v1/jobs', async (req, reply) => {
    const sub = readSubmission(req.headers['content-type'], req.body, req.query);
    const prepared = prepareJob(sub.pipeline, sub.inputs ?? {}, sub.coerceInputs);
    if (!prepared.ok) {
      if (prepared.diagnostics.length > 0) {
        throw new ApiError(422, 'invalid_pipeline', 'the pipeline has errors', {
          diagnostics: prepared.diagnostics,
        });
      }
      throw new ApiError(422, 'invalid_inputs', prepared.inputProblems.map((p) => p.message).join('; '), {
        inputs: prepared.inputProblems,
      });
    }
    let plan: RunFromPlan | undefined;
    if (sub.from) {
      const planned = planRunFrom(prepared.pipeline, sub.from, store);
      if (!planned.ok) throw new ApiError(planned.status, planned.code, planned.message);
      plan = planned.plan;
    }
    // In the turn's group commit; the 201 goes out once the job is committed.
    const job = await engine.submitDurably(sub.pipeline, prepared.pipeline, prepared.inputs, plan);
    // The engine's records are what the store holds now: no need to read the job back.
    return reply.status(201).send(jobViewFromRecord(job, waiting));
  });

  app.post('/api/v1/pipelines/validate', async (req) => {
    const text =
      typeof req.body === 'string' ? req.body : (req.body as { pipeline?: unknown } | null)?.pipeline;
    if (typeof text !== 'string')
      throw badRequest('send the pipeline YAML as the body, or JSON {"pipeline": "..."}');
    const { diagnostics } = parsePipeline(text);
    const body: ValidateResponse = { valid: !hasErrors(diagnostics), diagnostics };
    return body;
  });

  app.get<{ Querystring: { state?: string; limit?: string; cursor?: string } }>(
    '/api/v1/jobs',
    async (req) => {
      const { state } = req.query;
      if (state !== undefined && !JOB_STATES.includes(state as JobState)) {
        throw badRequest(`state must be one of ${JOB_STATES.join(', ')}`);
      }
      const limit = req.query.limit === undefined ? 50 : Number(req.query.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500)
        throw badRequest('limit must be an integer from 1 to 500');
      const before = req.query.cursor ? Number(req.query.cursor) : Number.MAX_SAFE_INTEGER;
      if (!Number.isInteger(before)) throw badRequest('cursor is not valid');
      const rows = store.jobs({ state: state as JobState | undefined, beforeSeq: before, limit: limit + 1 });
      const page = rows.slice(0, limit);
      const body: ListJobsResponse = {
        jobs: page.map((r) => {
          const live = engine.activeJob(r.id);
          return live ? summaryFromRecord(live) : summaryFromRow(r, store.stepCounts(r.id));
        }),
        nextCursor: rows.length > limit ? String(page[page.length - 1]!.seq) : null,
      };
      return body;
    },
  );

  app.get<{ Params: { id: string } }>('/api/v1/jobs/:id', async (req) => {
    const live = engine.activeJob(req.params.id);
    if (live) return jobViewFromRecord(live, waiting);
    const row = store.job(req.params.id);
    if (!row) throw notFound(`job ${req.params.id}`);
    return jobView(store, row, waiting);
  });

  app.post<{ Params: { id: string } }>('/api/v1/jobs/:id/cancel', async (req) => {
    const row = store.job(req.params.id);
    if (!row) throw notFound(`job ${req.params.id}`);
    if (!engine.cancel(row.id)) {
      throw new ApiError(409, 'conflict', `job ${row.id} already ${row.state}`);
    }
    return jobView(store, store.job(row.id)!, waiting);
  });
}
