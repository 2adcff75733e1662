/**
 * The LSP adapter: wires a connection (stdio, IPC or in-process streams) to the language service. Documents sync
 * incrementally; each version is parsed at most once; validation is debounced; no handler can crash the server.
 */
import {
  CodeActionKind,
  SemanticTokensBuilder,
  TextDocumentSyncKind,
  TextDocuments,
  type CodeAction,
  type Connection,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LiveValues, type LiveValuesOptions } from '../cluster/live-values.js';
import { codeActions } from '../service/code-actions.js';
import { complete } from '../service/completion.js';
import { diagnose } from '../service/diagnostics.js';
import { hover } from '../service/hover.js';
import { definition, prepareRename, references, rename } from '../service/navigation.js';
import { codeLenses, documentSymbols } from '../service/outline.js';
import { foldingRanges, selectionRange } from '../service/ranges.js';
import { semanticTokens } from '../service/semantic-tokens.js';
import { TOKEN_TYPES, type SelectionRangeNode } from '../service/types.js';
import { warmUpSteps } from '../service/warm-up.js';
import { toCompletionItem, toDiagnostic, toDocumentSymbol } from './convert.js';
import { DocumentCache } from './documents.js';
import { fromInitialization, withConfiguration, type EffectiveSettings } from './settings.js';

export interface ServerOptions {
  /** Builds the live-values source for the current settings (tests inject a listing function here). */
  liveValues?: (settings: EffectiveSettings) => LiveValues;
  /** Told after each analysis, to collect garbage between messages (`IdleCollector`; the entry point's). */
  idle?: { schedule(): void };
}

const TRIGGERS = ['.', ' ', ':', '[', ',', '-', '{'];

export function startServer(connection: Connection, options: ServerOptions = {}): void {
  const documents = new TextDocuments(TextDocument);
  const cache = new DocumentCache();
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Documents with diagnostics published (to clear them when a document stops being a pipeline). */
  const published = new Set<string>();
  /** The version each document was opened with (its validation is not debounced). */
  const opened = new Map<string, number>();
  let settings: EffectiveSettings = fromInitialization(undefined);
  let live: LiveValues = makeLive(settings);

  function makeLive(s: EffectiveSettings): LiveValues {
    const values =
      options.liveValues?.(s) ??
      new LiveValues({ url: s.url, token: s.token, ttlMs: s.ttlMs } satisfies LiveValuesOptions);
    values.onChange(() => revalidateAll());
    return values;
  }

  const log = (message: string): void => {
    try {
      connection.console.error(message);
    } catch {
      // the connection is gone
    }
  };

  /** Runs a handler; an exception is logged and answered with `fallback` instead of reaching the client. */
  function guard<P, R>(name: string, fallback: R, fn: (params: P) => R): (params: P) => R {
    return (params: P) => {
      try {
        return fn(params);
      } catch (e) {
        log(
          `orchion language server: ${name} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
        );
        return fallback;
      }
    };
  }

  function validate(uri: string): void {
    timers.delete(uri);
    const doc = documents.get(uri);
    if (doc === undefined) return;
    const analysis = cache.analysis(doc);
    if (analysis === undefined) {
      if (published.delete(uri)) void connection.sendDiagnostics({ uri, diagnostics: [] });
      return;
    }
    const diagnostics = diagnose(analysis, live.snapshot(), settings.diagnostics).map((d) =>
      toDiagnostic(d, uri),
    );
    published.add(uri);
    void connection.sendDiagnostics({ uri, version: doc.version, diagnostics });
    options.idle?.schedule();
  }

  function schedule(uri: string, delayMs: number): void {
    cancel(uri);
    const run = guard('validation', undefined, () => validate(uri));
    timers.set(uri, setTimeout(run, delayMs));
  }

  function cancel(uri: string): void {
    const pending = timers.get(uri);
    if (pending !== undefined) clearTimeout(pending);
    timers.delete(uri);
  }

  function revalidateAll(): void {
    for (const doc of documents.all()) schedule(doc.uri, 0);
  }

  connection.onInitialize((params): InitializeResult => {
    settings = fromInitialization(params.initializationOptions);
    live = makeLive(settings);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        completionProvider: { triggerCharacters: TRIGGERS },
        hoverProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        documentSymbolProvider: true,
        foldingRangeProvider: true,
        selectionRangeProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        codeLensProvider: { resolveProvider: false },
        semanticTokensProvider: { legend: { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [] }, full: true },
      },
      serverInfo: { name: 'orchion-language-server', version: '0.1.0' },
    };
  });

  connection.onInitialized(() => {
    void live.refresh();
    // After the initialize answer, between messages: compile validators and warm code before the first open.
    const steps = warmUpSteps();
    const step = guard('warm-up', undefined, () => {
      if (steps.next().done === true) options.idle?.schedule();
      else setImmediate(step);
    });
    setImmediate(step);
  });

  connection.onDidChangeConfiguration(
    guard('configuration', undefined, (params) => {
      const next = withConfiguration(settings, params.settings);
      const endpointChanged = next.url !== settings.url || next.token !== settings.token;
      settings = next;
      if (endpointChanged) {
        live = makeLive(settings);
        void live.refresh();
      }
      revalidateAll();
    }),
  );

  documents.onDidOpen(
    guard('open', undefined, (e) => {
      const uri = e.document.uri;
      opened.set(uri, e.document.version);
      // The first version is validated at once, in this message's turn (a timer would add a millisecond or
      // more); edits are debounced.
      cancel(uri);
      const run = guard('validation', undefined, () => validate(uri));
      queueMicrotask(() => run(undefined));
    }),
  );
  documents.onDidChangeContent(
    guard('change', undefined, (e) => {
      // onDidOpen already validates the first version.
      if (e.document.version !== opened.get(e.document.uri))
        schedule(e.document.uri, settings.validationDelayMs);
    }),
  );
  documents.onDidClose(
    guard('close', undefined, (e) => {
      cancel(e.document.uri);
      cache.delete(e.document.uri);
      opened.delete(e.document.uri);
      if (published.delete(e.document.uri))
        void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
    }),
  );

  const pipeline = (uri: string): TextDocument | undefined => {
    const doc = documents.get(uri);
    return doc !== undefined && cache.isPipeline(doc) ? doc : undefined;
  };

  connection.onCompletion(
    guard('completion', null, (params) => {
      const doc = pipeline(params.textDocument.uri);
      if (doc === undefined) return null;
      const analysis = cache.latest(doc) ?? cache.analysis(doc);
      const result = complete({
        doc,
        offset: doc.offsetAt(params.position),
        analysis,
        cluster: live.snapshot(),
      });
      return { isIncomplete: result.incomplete, items: result.items.map(toCompletionItem) };
    }),
  );

  connection.onHover(
    guard('hover', null, (params) => {
      const doc = pipeline(params.textDocument.uri);
      const analysis = doc && cache.analysis(doc);
      if (!doc || !analysis) return null;
      const h = hover(analysis, doc.offsetAt(params.position), live.snapshot());
      return h ? { contents: { kind: 'markdown', value: h.contents }, range: h.range } : null;
    }),
  );

  connection.onDefinition(
    guard('definition', null, (params) => {
      const doc = pipeline(params.textDocument.uri);
      const analysis = doc && cache.analysis(doc);
      if (!doc || !analysis) return null;
      const range = definition(analysis, doc.offsetAt(params.position));
      return range ? { uri: doc.uri, range } : null;
    }),
  );

  connection.onReferences(
    guard('references', null, (params) => {
      const doc = pipeline(params.textDocument.uri);
      const analysis = doc && cache.analysis(doc);
      if (!doc || !analysis) return null;
      return references(analysis, doc.offsetAt(params.position), params.context.includeDeclaration).map(
        (range) => ({
          uri: doc.uri,
          range,
        }),
      );
    }),
  );

  connection.onPrepareRename(
    guard('prepareRename', null, (params) => {
      const doc = pipeline(params.textDocument.uri);
      const analysis = doc && cache.analysis(doc);
      if (!doc || !analysis) return null;
      return prepareRename(analysis, doc.offsetAt(params.position)) ?? null;
    }),
  );

  connection.onRenameRequest((params) => {
    const doc = pipeline(params.textDocument.uri);
    const analysis = doc && cache.analysis(doc);
    if (!doc || !analysis) return null;
    let result;
    try {
      result = rename(analysis, doc.offsetAt(params.position), params.newName);
    } catch (e) {
      log(`orchion language server: rename failed: ${String(e)}`);
      return null;
    }
    // An invalid new name is a request error the client shows to the user.
    if ('error' in result) throw new Error(result.error);
    return { changes: { [doc.uri]: result.edits } };
  });

  connection.onDocumentSymbol(
    guard('documentSymbol', null, (params) => {
      const doc = pipeline(params.textDocument.uri);
      const analysis = doc && cache.analysis(doc);
      return analysis ? documentSymbols(analysis).map(toDocumentSymbol) : null;
    }),
  );

  connection.onFoldingRanges(
    guard('foldingRange', null, (params) => {
      const doc = pipeline(params.textDocument.uri);
      const analysis = doc && cache.analysis(doc);
      return analysis ? foldingRanges(analysis) : null;
    }),
  );

  connection.onSelectionRanges(
    guard('selectionRange', null, (params) => {
      const doc = pipeline(params.textDocument.uri);
      const analysis = doc && cache.analysis(doc);
      if (!doc || !analysis) return null;
      const convert = (n: SelectionRangeNode): { range: SelectionRangeNode['range']; parent?: unknown } =>
        n.parent ? { range: n.range, parent: convert(n.parent) } : { range: n.range };
      return params.positions.map((p) => convert(selectionRange(analysis, doc.offsetAt(p)))) as never;
    }),
  );

  connection.onCodeAction(
    guard('codeAction', null, (params) => {
      const doc = pipeline(params.textDocument.uri);
      const analysis = doc && cache.analysis(doc);
      if (!doc || !analysis) return null;
      const diagnostics = diagnose(analysis, live.snapshot(), settings.diagnostics);
      return codeActions(analysis, params.range, diagnostics).map((a): CodeAction => ({
        title: a.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [toDiagnostic(a.fixes, doc.uri)],
        edit: { changes: { [doc.uri]: a.edits } },
        ...(a.preferred ? { isPreferred: true } : {}),
      }));
    }),
  );

  connection.onCodeLens(
    guard('codeLens', null, (params) => {
      const doc = pipeline(params.textDocument.uri);
      const analysis = doc && cache.analysis(doc);
      if (!doc || !analysis) return null;
      return codeLenses(analysis).map((l) => ({
        range: l.range,
        command: {
          title: l.title,
          command: l.command,
          arguments: l.stepId === undefined ? [doc.uri] : [doc.uri, l.stepId],
        },
      }));
    }),
  );

  connection.languages.semanticTokens.on(
    guard('semanticTokens', { data: [] }, (params) => {
      const doc = pipeline(params.textDocument.uri);
      const analysis = doc && cache.analysis(doc);
      const builder = new SemanticTokensBuilder();
      if (analysis) {
        for (const t of semanticTokens(analysis))
          builder.push(t.line, t.character, t.length, TOKEN_TYPES.indexOf(t.type), 0);
      }
      return builder.build();
    }),
  );

  connection.onShutdown(() => {
    for (const t of timers.values()) clearTimeout(t);
    timers.clear();
  });

  documents.listen(connection);
}
