/** A pino logger whose lines are kept for assertions. */
import pino, { type Logger } from 'pino';

export interface CapturedLogs {
  logger: Logger;
  lines: { level: number; msg: string; [k: string]: unknown }[];
  /** Messages of warnings and worse. */
  warnings(): string[];
}

export function captureLogs(): CapturedLogs {
  const lines: CapturedLogs['lines'] = [];
  const logger = pino(
    { level: 'debug' },
    { write: (s: string) => void lines.push(JSON.parse(s) as CapturedLogs['lines'][number]) },
  );
  return { logger, lines, warnings: () => lines.filter((l) => l.level >= 40).map((l) => l.msg) };
}
