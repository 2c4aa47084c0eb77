import { z } from 'zod';

/** Any Salesforce record id, 15 (case-sensitive) or 18 characters. */
export const SalesforceIdSchema = z
  .string()
  .regex(/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/, 'Must be a 15 or 18 character Salesforce record id')
  .meta({ example: '006000000000001AAA' });

/** A Salesforce Opportunity id (key prefix 006): the contract key Handoff files everything under. */
export const OpportunityIdSchema = z
  .string()
  .regex(/^006[a-zA-Z0-9]{12}(?:[a-zA-Z0-9]{3})?$/, 'The opportunity id (006...)')
  .meta({ example: '006000000000001AAA' });

/** A Salesforce org id (key prefix 00D). */
export const SalesforceOrgIdSchema = z
  .string()
  .regex(/^00D[a-zA-Z0-9]{12}(?:[a-zA-Z0-9]{3})?$/, 'A Salesforce org id starts with 00D')
  .meta({ example: '00D5g000004Xy1zEAC' });

/** A Microsoft Entra id (a tenant id or a user's object id): a GUID. */
export const EntraIdSchema = z
  .string()
  .regex(
    /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
    'A Microsoft Entra id is a GUID, e.g. 72f988bf-86f1-41af-91ab-2d7cd011db47',
  )
  .meta({ example: '72f988bf-86f1-41af-91ab-2d7cd011db47' });
