// Loads the extension's secondary bundles on first use, so activation only pays for dist/extension.js.
import { join } from 'node:path';
import type * as PipelineTools from '../pipeline/index';
import type * as LanguageClientModule from '../language-client/index';

let pipeline: typeof PipelineTools | undefined;
let languageClient: typeof LanguageClientModule | undefined;

function load<T>(file: string): T {
  // A computed path: esbuild leaves this require alone, the bundle next to this one is loaded at run time.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(join(__dirname, file)) as T;
}

/** The pipeline parser and what is built on it (dist/pipeline-tools.js). */
export function pipelineTools(): typeof PipelineTools {
  return (pipeline ??= load<typeof PipelineTools>('pipeline-tools.js'));
}

/** vscode-languageclient and the client setup (dist/language-client.js). */
export function languageClientModule(): typeof LanguageClientModule {
  return (languageClient ??= load<typeof LanguageClientModule>('language-client.js'));
}
