/**
 * Per-document state: whether it is a pipeline, and its analyses. One analysis per version, computed on demand
 * and shared by every request; the previous one is kept for completion, which must not wait for a parse.
 */
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze, type Analysis } from '../service/analysis.js';
import { isPipelineDocument } from '../service/association.js';
import { PiecewiseParser } from '../service/piecewise-yaml.js';

interface Entry {
  version: number;
  pipeline: boolean;
  analysis: Analysis | undefined;
  /** The newest analysis of any version. */
  latest: Analysis | undefined;
  /** Parsed steps kept across versions. */
  pieces: PiecewiseParser;
}

export class DocumentCache {
  private readonly entries = new Map<string, Entry>();

  private entry(doc: TextDocument): Entry {
    let e = this.entries.get(doc.uri);
    if (e === undefined || e.version !== doc.version) {
      e = {
        version: doc.version,
        pipeline: isPipelineDocument(doc.uri, doc.getText()),
        analysis: undefined,
        latest: e?.latest,
        pieces: e?.pieces ?? new PiecewiseParser(),
      };
      this.entries.set(doc.uri, e);
    }
    return e;
  }

  isPipeline(doc: TextDocument): boolean {
    return this.entry(doc).pipeline;
  }

  /** The analysis of this version (parsing now if needed); undefined for documents that are not pipelines. */
  analysis(doc: TextDocument): Analysis | undefined {
    const e = this.entry(doc);
    if (!e.pipeline) return undefined;
    if (e.analysis === undefined) {
      e.analysis = analyze(doc.getText(), e.pieces);
      e.latest = e.analysis;
    }
    return e.analysis;
  }

  /** The newest analysis available without parsing (possibly of an earlier version). */
  latest(doc: TextDocument): Analysis | undefined {
    const e = this.entry(doc);
    return e.pipeline ? (e.analysis ?? e.latest) : undefined;
  }

  delete(uri: string): void {
    this.entries.delete(uri);
  }

  uris(): string[] {
    return [...this.entries.keys()];
  }
}
