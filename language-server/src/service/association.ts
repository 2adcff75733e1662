/** Which documents are pipelines: `*.orchion.yaml`/`*.orchion.yml`, or YAML whose `apiVersion` is `orchion/v1`. */

const NAME = /\.orchion\.ya?ml$/i;
const API_VERSION = /^apiVersion:[ \t]*(["']?)orchion\/v1\1[ \t]*(#.*)?$/m;
const KIND = /^kind:[ \t]*["']?([A-Za-z][\w-]*)/m;

export function isPipelineDocument(uri: string, text: string): boolean {
  const kind = KIND.exec(text)?.[1];
  // Other Orchion documents (an AgentConfig) and other tools' files are left alone.
  if (kind !== undefined && kind !== 'Pipeline') return false;
  const path = uri.replace(/[?#].*$/, '');
  return NAME.test(path) || API_VERSION.test(text);
}
