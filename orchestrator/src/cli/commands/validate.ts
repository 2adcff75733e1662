// `orchion validate FILE…`: checks pipeline files locally with the same parser the orchestrator uses.
import { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { formatDiagnostic, hasErrors, parsePipeline } from '@orchion/schemas';

export function validateCommand(): Command {
  return new Command('validate')
    .description('check pipeline files (prints FILE:LINE:COL: severity: message [code])')
    .argument('<files...>', 'pipeline YAML files')
    .action(async (files: string[]) => {
      let failed = false;
      for (const file of files) {
        let text: string;
        try {
          text = await readFile(file, 'utf8');
        } catch (err) {
          console.error(
            `${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
          );
          failed = true;
          continue;
        }
        const { diagnostics } = parsePipeline(text);
        for (const d of diagnostics) console.log(formatDiagnostic(file, d));
        if (hasErrors(diagnostics)) failed = true;
        else if (diagnostics.length === 0) console.log(`${file}: ok`);
      }
      if (failed) process.exitCode = 1;
    });
}
