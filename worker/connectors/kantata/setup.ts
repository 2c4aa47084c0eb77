import { ConnectorError } from '../errors';
import type { SetupCheck } from '../ports';
import type { KantataContext } from './context';
import { findTemplate } from './project';
import { ProjectTemplateSchema, RoleSchema } from './schemas';

/**
 * The console's "Test connection" for Kantata, read with the connection's own token: who it acts as, and the
 * project templates and roles activation needs. With the names the firm's deals use (from the CRM), each must
 * exist as activation matches it (templates by title or slug, roles by name ignoring case).
 */

function failed(name: string, e: unknown): SetupCheck {
  if (!(e instanceof ConnectorError)) throw e;
  return { name, ok: false, message: e.message, ...(e.fix ? { fix: e.fix } : {}) };
}

const quoted = (names: string[]) => names.map((n) => `"${n}"`).join(', ');
const NO_CRM = ' Connect Salesforce to compare them with the names your deals use.';

export async function kantataSetupChecks(
  ctx: KantataContext,
  whoAmI: () => Promise<{ userId: string; name: string; email?: string }>,
  expected?: { templates: string[]; roles: string[] },
): Promise<SetupCheck[]> {
  const checks: SetupCheck[] = [];
  try {
    const me = await whoAmI();
    checks.push({
      name: 'Sign-in',
      ok: true,
      message: `Connected as ${me.name}${me.email ? ` (${me.email})` : ''}.`,
    });
  } catch (e) {
    return [failed('Sign-in', e)];
  }
  try {
    const { records } = await ctx.http.list('/project_templates', 'project_templates', ProjectTemplateSchema);
    const known = quoted(records.map((t) => t.title)) || 'none';
    const missing = (expected?.templates ?? []).filter((name) => !findTemplate(records, name));
    checks.push(
      missing.length
        ? {
            name: 'Project templates',
            ok: false,
            message: `Your deals name project templates Kantata does not have: ${quoted(missing)} (Kantata has ${known}).`,
            fix: `Create a Kantata project template titled ${quoted(missing)} (Settings › Project Templates), or set the deals' Project Template to one Kantata has.`,
          }
        : records.length === 0
          ? {
              name: 'Project templates',
              ok: false,
              message: 'Kantata has no project templates: activation creates every project from one.',
              fix: 'Create the project templates your deals name in Kantata (Settings › Project Templates).',
            }
          : {
              name: 'Project templates',
              ok: true,
              message: `${records.length} templates: ${known}.${expected ? '' : NO_CRM}`,
            },
    );
  } catch (e) {
    checks.push(failed('Project templates', e));
  }
  try {
    const { records } = await ctx.http.list('/roles', 'roles', RoleSchema);
    const have = new Set(records.map((r) => r.name.trim().toLowerCase()));
    const missing = (expected?.roles ?? []).filter((name) => !have.has(name.trim().toLowerCase()));
    checks.push(
      missing.length
        ? {
            name: 'Roles',
            ok: false,
            message: `Your rate cards name roles Kantata does not have: ${quoted(missing)}.`,
            fix: `Add the role${missing.length > 1 ? 's' : ''} ${quoted(missing)} in Kantata (Settings › Roles), or rename them on the deals' rates to roles Kantata has.`,
          }
        : {
            name: 'Roles',
            ok: true,
            message: `${records.length} roles${expected ? ', every role your rate cards name among them' : ''}.${expected ? '' : NO_CRM}`,
          },
    );
  } catch (e) {
    checks.push(failed('Roles', e));
  }
  return checks;
}
