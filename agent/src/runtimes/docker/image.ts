/**
 * Makes an image available: a local image is used as it is; otherwise it is pulled with progress. Pull failures
 * are read from the progress stream too: Docker reports some there, and Podman reports them only there (with
 * HTTP 200), which followProgress does not raise.
 */
import type Docker from 'dockerode';
import { ContainerError, dockerMessage, statusCode } from './errors.js';

export interface PullProgress {
  /** Docker's status line: 'Pulling fs layer', 'Downloading', 'Pull complete', 'Status: Downloaded newer image…'. */
  status: string;
  /** The layer, when the event is about one. */
  layer?: string;
  current?: number;
  total?: number;
}

export type PullProgressSink = (progress: PullProgress) => void;

interface RawProgress {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { message?: string };
}

export async function ensureImage(
  docker: Docker,
  ref: string,
  onProgress?: PullProgressSink,
): Promise<{ pulled: boolean }> {
  if (await hasImage(docker, ref)) return { pulled: false };
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.pull(ref);
  } catch (err) {
    throw new ContainerError('image-unavailable', `cannot pull ${ref}: ${dockerMessage(err)}`, {
      cause: err,
    });
  }
  await new Promise<void>((resolve, reject) => {
    let failure: string | undefined;
    docker.modem.followProgress(
      stream,
      (err: unknown) => {
        if (err || failure) {
          reject(
            new ContainerError('image-unavailable', `cannot pull ${ref}: ${failure ?? dockerMessage(err)}`),
          );
        } else resolve();
      },
      (event: RawProgress) => {
        if (event.error || event.errorDetail) {
          failure ??= event.error ?? event.errorDetail?.message ?? 'unknown error';
          return;
        }
        if (!onProgress || !event.status) return;
        const p: PullProgress = { status: event.status };
        if (event.id) p.layer = event.id;
        if (event.progressDetail?.total) {
          p.current = event.progressDetail.current ?? 0;
          p.total = event.progressDetail.total;
        }
        onProgress(p);
      },
    );
  });
  // An engine that reports success without the image (seen with Podman on odd refs) must not pass.
  if (!(await hasImage(docker, ref))) {
    throw new ContainerError('image-unavailable', `pulled ${ref} but the engine does not list it`);
  }
  return { pulled: true };
}

async function hasImage(docker: Docker, ref: string): Promise<boolean> {
  try {
    await docker.getImage(ref).inspect();
    return true;
  } catch (err) {
    if (statusCode(err) === 404) return false;
    throw new ContainerError('engine-unavailable', `cannot inspect image ${ref}: ${dockerMessage(err)}`, {
      cause: err,
    });
  }
}
