// The job engine's changes as events on the bus: `job.created`/`job.updated` with the job's summary and
// `step.updated` with the step's view, grouped per engine change. The orchestrator wires them, and so does
// bench:pipeline's in-process engine, so that it measures the same work.
import type { EngineSinks } from '../jobs/engine';
import { stepViewFromRecord, summaryFromRecord } from '../jobs/views';
import type { EventBus } from './event-bus';

export function engineEventSinks(
  bus: EventBus,
  waitingReason: (attemptId: string) => string | null,
): Pick<EngineSinks, 'batch' | 'jobChanged' | 'stepChanged'> {
  return {
    batch: (fn) => bus.batch(fn),
    jobChanged: (job, created) =>
      bus.publish(created ? 'job.created' : 'job.updated', summaryFromRecord(job)),
    stepChanged: (job, step) =>
      bus.publish('step.updated', {
        jobId: job.id,
        step: stepViewFromRecord(
          step,
          step.current?.state === 'queued' ? waitingReason(step.current.id) : null,
        ),
      }),
  };
}
