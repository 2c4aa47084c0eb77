import { z } from '@hono/zod-openapi';
import { ExceptionFilterFields } from '../../shared/api/exceptions';

/**
 * The workbench's filters as query parameters, shared by the list and its facets. Values are checked by
 * parseExceptionFilter (each bad one named with its fix); here only their size is bounded.
 */
export const ExceptionFilterQuery = z.object({
  status: z
    .string()
    .max(200)
    .optional()
    .openapi({ description: ExceptionFilterFields.status, example: 'open' }),
  owner: z
    .string()
    .max(600)
    .optional()
    .openapi({ description: ExceptionFilterFields.owner, example: 'finance-ops' }),
  code: z
    .string()
    .max(600)
    .optional()
    .openapi({ description: ExceptionFilterFields.code, example: 'POSTING_RETRIES_EXHAUSTED' }),
  system: z
    .string()
    .max(600)
    .optional()
    .openapi({ description: ExceptionFilterFields.system, example: 'netsuite' }),
  projectKey: z
    .string()
    .max(64)
    .optional()
    .openapi({ description: ExceptionFilterFields.projectKey, example: '006000000000002AAA' }),
  assignee: z.string().max(120).optional().openapi({
    description: ExceptionFilterFields.assignee,
    example: 'emma.lindqvist@handoff-consulting.example',
  }),
  tag: z
    .string()
    .max(40)
    .optional()
    .openapi({ description: ExceptionFilterFields.tag, example: 'month-end' }),
  olderThanHours: z
    .string()
    .max(12)
    .optional()
    .openapi({ description: ExceptionFilterFields.olderThanHours, example: '24' }),
  overdue: z
    .string()
    .max(5)
    .optional()
    .openapi({ description: ExceptionFilterFields.overdue, example: 'true' }),
  q: z.string().max(200).optional().openapi({ description: ExceptionFilterFields.q, example: 'Ben Okafor' }),
});

/** The same filters in a job's body: list filters as a comma-separated string or an array. */
const listValue = z.union([z.string().max(600), z.array(z.string().max(120)).max(20)]);
export const ExceptionFilterBody = z
  .object({
    status: listValue.optional(),
    owner: listValue.optional(),
    code: listValue.optional(),
    system: listValue.optional(),
    projectKey: z.string().max(64).optional(),
    assignee: z.string().max(120).optional(),
    tag: z.string().max(40).optional(),
    olderThanHours: z
      .number()
      .min(0)
      .max(24 * 3650)
      .optional(),
    overdue: z.boolean().optional(),
    q: z.string().max(200).optional(),
  })
  .strict()
  .openapi('ExceptionFilter', { description: 'The filters of GET /v1/exceptions; all combine with AND.' });
