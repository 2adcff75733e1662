// Orchion: Run Pipeline — the language server's "Run pipeline" code lens (arguments: [documentUri]).
import type { Services } from '../services';
import { submitPipelineCommand } from './submit-pipeline';

export function runPipelineCommand(s: Services) {
  const submit = submitPipelineCommand(s);
  return (uri?: unknown, options?: unknown) => submit(uri, options);
}
