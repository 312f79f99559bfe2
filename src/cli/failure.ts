// A command's failure as one line for the person at the terminal (exit 1): never a stack.
import { AppError } from '../errors.ts';
import { invoked } from './args.ts';

/** A runtime failure whose message is the line to print. */
export class CliError extends Error {
  override name = 'CliError';
}

/** Any failure as one line: an exposed AppError's detail (and its fields), a config or flow problem with a count of the rest. */
export function failureLine(err: unknown): string {
  if (err instanceof CliError) return err.message;
  if (err instanceof AppError) {
    if (!err.expose) return err.code === 'store_unavailable' ? 'the store cannot be reached right now (DATABASE_URL); try again' : `failed (${err.code})`;
    // A field the detail already words is named there (its pointer put in front), not said twice.
    let detail = err.detail ?? err.code;
    const rest: string[] = [];
    for (const f of err.fields) {
      const field = `${f.pointer || '(document)'}: ${f.detail}`;
      if (detail.includes(field)) continue;
      if (f.pointer && detail.endsWith(`: ${f.detail}`)) detail = `${detail.slice(0, -f.detail.length)}${field}`;
      else rest.push(field);
    }
    return [detail, ...rest].join('; ');
  }
  const message = err instanceof Error ? err.message : String(err);
  const lines = message.split('\n').filter((l) => l.trim());
  const more = lines.length - 1;
  const name = (err as Error | undefined)?.name;
  const hint = name === 'ConfigError' || name === 'FlowError' ? `: run '${invoked()} config check'` : '';
  return `${lines[0] ?? 'failed'}${more > 0 ? ` (and ${more} more problem${more > 1 ? 's' : ''}${hint})` : ''}`;
}
