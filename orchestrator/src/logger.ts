// Structured logs with pino: JSON lines, or human-readable when writing to a terminal.
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** Force pretty (true) or JSON (false) output; default: pretty when stderr is a TTY. */
  pretty?: boolean;
  name?: string;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.ORCHION_LOG_LEVEL ?? 'info';
  const base = { name: options.name ?? 'orchion' };
  const redact = { paths: ['req.headers.authorization', '*.token', '*.joinToken'], censor: '[redacted]' };
  if (options.pretty ?? process.stderr.isTTY) {
    const stream = pretty({
      destination: 2,
      colorize: true,
      translateTime: 'HH:MM:ss.l',
      ignore: 'pid,hostname',
    });
    return pino({ level, base, redact }, stream);
  }
  return pino({ level, base, redact }, pino.destination({ dest: 2, sync: false }));
}
