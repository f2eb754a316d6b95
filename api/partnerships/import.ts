import { z } from 'zod';
import { fileText } from '../../core/fields.js';
import { IMPORT_MAX_CHARS, importPartnerships } from '../../core/partnerships/import.js';
import { route, tagged } from '../http/route.js';

/** A cohort's partnerships from a CSV file over HTTP; the rules are in core/partnerships/import.ts. */
export const importRoutes = tagged('Partnerships', [
  route('POST /cohorts/:id/partnership-imports', {
    operationId: 'importPartnerships',
    summary: "Create a cohort's partnerships from a CSV file",
    description:
      'One partnership per row (columns in the README), all or none: any mistake is a 400 naming each by line and column, and nothing is written. With `dryRun`, nothing is written either way: the answer says what would be created.',
    access: 'manager',
    body: z
      .object({
        csv: fileText(IMPORT_MAX_CHARS).meta({ description: 'The file, UTF-8, with a header line.' }),
        dryRun: z.boolean().default(false),
      })
      .strict(),
    errors: [404, 503],
    responses: {
      200: { description: 'Dry run: every row is valid; what would be created' },
      201: { description: 'Every row created, each with its workflow running' },
    },
    async handle({ params, body, caller, deps }) {
      const result = await importPartnerships(deps, caller, params.id, body.csv, body.dryRun);
      return { status: body.dryRun ? 200 : 201, body: result };
    },
  }),
]);
