/**
 * One progress report per image out of Docker's per-layer pull events: bytes downloaded over the layer sizes known
 * so far (a layer's size is known from its first 'Downloading' event; 'Download complete' counts it in full), the
 * latest status as the status, done at Docker's final 'Status: …' line. Pure.
 */
import type { PullProgress } from '../runtimes/docker/image';

export interface ProgressReport {
  subject: string;
  status: string;
  completed: number;
  total: number;
  done: boolean;
}

interface Layer {
  total: number;
  downloaded: number;
}

export class ImagePullProgress {
  private readonly layers = new Map<string, Layer>();
  private finished = false;

  constructor(readonly image: string) {}

  get done(): boolean {
    return this.finished;
  }

  update(p: PullProgress): ProgressReport {
    if (p.layer !== undefined && !p.status.startsWith('Status:')) {
      const layer = this.layers.get(p.layer) ?? { total: 0, downloaded: 0 };
      this.layers.set(p.layer, layer);
      if (p.status === 'Downloading' && p.total !== undefined) {
        layer.total = p.total;
        layer.downloaded = Math.min(p.current ?? 0, p.total);
      } else if (
        p.status === 'Download complete' ||
        p.status === 'Extracting' ||
        p.status === 'Pull complete' ||
        p.status === 'Already exists'
      ) {
        layer.downloaded = layer.total;
      }
    }
    if (p.status.startsWith('Status:')) this.finished = true;
    return this.report(p.layer && !p.status.startsWith('Status:') ? `${p.status} ${p.layer}` : p.status);
  }

  /** The final report after a failed pull. */
  failed(why: string): ProgressReport {
    this.finished = true;
    return { ...this.report(`failed: ${why}`), done: true };
  }

  private report(status: string): ProgressReport {
    let completed = 0;
    let total = 0;
    for (const l of this.layers.values()) {
      completed += l.downloaded;
      total += l.total;
    }
    if (this.finished) completed = total;
    return { subject: this.image, status, completed, total, done: this.finished };
  }
}
