// Terminal conventions of the nonred command: results on stdout (an id alone where one is
// created), messages on stderr, colour only on a terminal, errors as one line and a
// non-zero exit — never a stack trace.
import pc from 'picocolors';

export const EXIT = { ok: 0, fail: 1, incomplete: 2, error: 3 } as const;

export class CliError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT.error) {
    super(message);
  }
}

const colourOn = (stream: NodeJS.WriteStream) => stream.isTTY === true && !process.env.NO_COLOR;
export const out = pc.createColors(colourOn(process.stdout));
export const err = pc.createColors(colourOn(process.stderr));

export function print(line = ''): void {
  process.stdout.write(`${line}\n`);
}

export function note(line: string): void {
  process.stderr.write(`${line}\n`);
}

export function warn(line: string): void {
  process.stderr.write(`${err.yellow('warning:')} ${line}\n`);
}

/** Runs a command body; any error becomes one line on stderr and an exit code. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<number | void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      const code = await fn(...args);
      process.exitCode = code ?? EXIT.ok;
    } catch (e) {
      const message = e instanceof CliError ? e.message
        : e instanceof Error && 'code' in e && typeof (e as { code?: unknown }).code === 'string' && (e as { code: string }).code.startsWith('E')
          ? `${(e as { code: string }).code}: ${e.message}`
          : e instanceof Error ? e.message : String(e);
      note(`${err.red('nonred:')} ${message.split('\n')[0]}`);
      process.exitCode = e instanceof CliError ? e.exitCode : EXIT.error;
    }
  };
}
