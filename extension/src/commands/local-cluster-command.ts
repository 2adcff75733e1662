// What Start Local Cluster runs (pure apart from one file check).
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The command line that starts a local cluster in `folder` (pure apart from a file check). */
export function localClusterCommand(configured: string, folder: string | undefined): string {
  if (configured.trim()) return configured.trim();
  if (folder && existsSync(join(folder, 'orchestrator/dist/cli.js')))
    return 'node orchestrator/dist/cli.js up';
  return 'npx orchion up';
}
