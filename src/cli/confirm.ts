/**
 * The `confirm` callback core asks before destroying data (CONTRIBUTING.md convention 4): `--yes` answers for the user,
 * a terminal gets a prompt, anything else is refused with the reason and the flag to pass.
 */
import { createInterface } from 'node:readline/promises';
import type { ConfirmFn } from '../core/plan/apply-plan.js';
import { DynafeastError } from '../core/errors.js';

export function cliConfirm(opts: { yes: boolean; json: boolean }): ConfirmFn {
  return async (request) => {
    if (opts.yes) return true;
    if (!process.stdin.isTTY || !process.stderr.isTTY || opts.json) {
      throw new DynafeastError(
        'usage.confirmationRequired',
        `${request.operation} would delete data and needs confirmation: ${request.tables.map((t) => t.table).join(', ')}`,
        {
          hint: 'not running on a terminal, so nobody can be asked: pass --yes to confirm',
        },
      );
    }
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      const answer = await rl.question(`${request.question} [y/N] `);
      return /^y(es)?$/i.test(answer.trim());
    } finally {
      rl.close();
    }
  };
}
