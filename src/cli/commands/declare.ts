// nonred declare --template: an example declaration payload to edit and then sign.
import type { Command } from 'commander';
import { action, CliError, print } from '../io.js';

export const TEMPLATE = {
  schema: 'nonred/declaration/v1',
  id: 'FC7-2026-001',
  supplier: 'acme-avionics',
  issuedAt: '2026-11-01T09:00:00Z',
  expiresAt: '2027-11-01T00:00:00Z',
  part: { manufacturer: 'Acme Avionics sp. z o.o.', partNumber: 'FC-7', revision: 'C', name: 'FC-7 flight controller', category: 'flight-controller' },
  origin: {
    manufacturedIn: 'PL',
    assembledIn: 'PL',
    manufacturer: { name: 'Acme Avionics sp. z o.o.', domicile: 'PL', ultimateParent: { name: 'Acme Group S.A.', domicile: 'PL' } },
    software: { developerDomicile: 'PL', dataHostedIn: ['PL', 'DE'], dataAdministeredFrom: 'PL' },
  },
  components: [
    { manufacturer: 'STMicroelectronics', partNumber: 'STM32H743VIT6', quantity: 1, category: 'compute', origin: { manufacturedIn: 'MY' } },
  ],
  evidence: [{ kind: 'certificate-of-origin', reference: 'PL/2026/118' }],
};

export function registerDeclare(program: Command): void {
  program.command('declare')
    .description('help write a declaration payload (then sign it with `nonred sign`)')
    .option('--template', 'print an example payload')
    .action(action(async (opts: { template?: boolean }) => {
      if (!opts.template) throw new CliError('use --template to print an example payload');
      print(JSON.stringify(TEMPLATE, null, 2));
    }));
}
