import type { Context } from 'hono';
import type { EmulatorApp, Instance } from '../kit/emulator';
import {
  asId,
  boolParam,
  envelope,
  errorResponse,
  type Included,
  include,
  includes,
  jsonBody,
  type KantataError,
  listEnvelope,
  now,
  onlyIds,
  readPage,
  system,
  validation,
} from './envelope';
import {
  insertReference,
  matchesReferenceFilters,
  parseReference,
  withReferences,
} from './external-references';
import { oauthTokenUser } from './oauth';
import type {
  KantataProjectTemplate,
  KantataRole,
  KantataState,
  KantataUser,
  KantataWorkspaceResource,
} from './state';

/** Account-level lookups (users, roles, project templates) and a workspace's resources (its team by role). */

const serializeRole = (r: KantataRole) => ({ ...r });
const serializeUser = (u: KantataUser) => ({ ...u });
const serializeTemplate = (t: KantataProjectTemplate) => ({
  id: t.id,
  title: t.title,
  description: t.description,
  currency: t.currency,
  is_budgeted: t.is_budgeted,
  created_at: t.created_at,
  updated_at: t.updated_at,
});

function serializeResource(state: KantataState, c: Context, r: KantataWorkspaceResource, included: Included) {
  const inc = includes(c);
  const role = r.role_id ? state.roles[r.role_id] : undefined;
  const user = r.user_id ? state.users[r.user_id] : undefined;
  const workspace = state.workspaces[r.workspace_id];
  const out: Record<string, unknown> = {
    id: r.id,
    workspace_id: Number(r.workspace_id),
    workspace_title: workspace?.title ?? null,
    full_name: user?.full_name ?? null,
    role_name: role?.name ?? null,
    role_initials: role
      ? role.name
          .split(/\s+/)
          .map((w) => w[0])
          .join('')
          .slice(0, 3)
          .toUpperCase()
      : null,
    label: user?.full_name ?? `Unnamed ${role?.name ?? 'resource'}`,
    display_label: user?.full_name ?? `Unnamed ${role?.name ?? 'resource'}`,
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
  // The docs: role_id / user_id appear only when `role` / `user` are included.
  if (inc.has('role')) {
    out.role_id = r.role_id;
    if (role) include(included, 'roles', role.id, serializeRole(role));
  }
  if (inc.has('user')) {
    out.user_id = r.user_id;
    if (user) include(included, 'users', user.id, serializeUser(user));
  }
  return withReferences(state, c, 'WorkspaceResource', out, included);
}

export function registerAccountRoutes(app: EmulatorApp<KantataState>) {
  app.get('/api/v1/users/me', (c) => {
    const inst = c.get('instance');
    // A token a person authorized acts as them; the account's configured tokens act as the API user.
    const token = /^Bearer\s+(\S+)/i.exec(c.req.header('authorization') ?? '')?.[1] ?? '';
    const me = inst.state.users[oauthTokenUser(inst, token) ?? inst.state.apiUserId];
    if (!me) return errorResponse(c, 404, [system('User not found')]);
    return c.json(envelope('users', [serializeUser(me)], 1));
  });

  const users = (c: Context) => {
    const inst = c.get('instance') as Instance<KantataState>;
    const only = onlyIds(c);
    const email = c.req.query('by_email_address')?.toLowerCase();
    const rows = Object.values(inst.state.users)
      .filter(
        (u) =>
          (only === undefined || only.has(u.id)) &&
          (email === undefined || u.email_address.toLowerCase() === email),
      )
      .sort((a, b) => Number(a.id) - Number(b.id));
    return c.json(listEnvelope('users', rows, readPage(c), serializeUser));
  };
  app.get('/api/v1/users', users);
  app.get('/api/v1/users.json', users);

  const roles = (c: Context) => {
    const inst = c.get('instance') as Instance<KantataState>;
    const only = onlyIds(c);
    const matching = c.req.query('matching')?.toLowerCase();
    const rows = Object.values(inst.state.roles)
      .filter(
        (r) =>
          (only === undefined || only.has(r.id)) &&
          (matching === undefined || r.name.toLowerCase().includes(matching)) &&
          matchesReferenceFilters(inst.state, c, 'Role', r.id),
      )
      .sort((a, b) => a.name.localeCompare(b.name) * (c.req.query('order') === 'alphabetical:desc' ? -1 : 1));
    const included: Included = {};
    return c.json(
      listEnvelope(
        'roles',
        rows,
        readPage(c),
        (r) => withReferences(inst.state, c, 'Role', serializeRole(r), included),
        included,
      ),
    );
  };
  app.get('/api/v1/roles', roles);
  app.get('/api/v1/roles.json', roles);

  const createRole = async (c: Context) => {
    const inst = c.get('instance') as Instance<KantataState>;
    const raw = (await jsonBody(c))?.role as Record<string, unknown> | undefined;
    if (!raw || typeof raw !== 'object')
      return errorResponse(c, 400, [system('param is missing or the value is empty: role')]);
    if (typeof raw.name !== 'string' || raw.name.trim() === '')
      return errorResponse(c, 422, [validation("Name can't be blank", 'name')]);
    if (
      Object.values(inst.state.roles).some((r) => r.name.toLowerCase() === String(raw.name).toLowerCase())
    ) {
      return errorResponse(c, 422, [validation('Name has already been taken', 'name')]);
    }
    const t = now();
    const role: KantataRole = { id: inst.nextId(), name: raw.name, created_at: t, updated_at: t };
    inst.state.roles[role.id] = role;
    inst.effect('role.create');
    return c.json(envelope('roles', [serializeRole(role)], 1));
  };
  app.post('/api/v1/roles', createRole);
  app.post('/api/v1/roles.json', createRole);

  const templates = (c: Context) => {
    const inst = c.get('instance') as Instance<KantataState>;
    const only = onlyIds(c);
    const title = (c.req.query('by_title') ?? c.req.query('matching'))?.toLowerCase();
    const rows = Object.values(inst.state.projectTemplates)
      .filter(
        (t) =>
          (only === undefined || only.has(t.id)) &&
          (title === undefined || t.title.toLowerCase().includes(title)),
      )
      .sort((a, b) => b.updated_at.localeCompare(a.updated_at) || Number(b.id) - Number(a.id));
    return c.json(listEnvelope('project_templates', rows, readPage(c), serializeTemplate));
  };
  app.get('/api/v1/project_templates', templates);
  app.get('/api/v1/project_templates.json', templates);

  const resources = (c: Context) => {
    const inst = c.get('instance') as Instance<KantataState>;
    const q = (k: string) => c.req.query(k);
    const only = onlyIds(c);
    const onlyUnnamed = boolParam(q('only_unnamed'));
    const withUnnamed = onlyUnnamed || boolParam(q('include_unnamed'));
    const rows = Object.values(inst.state.workspaceResources)
      .filter(
        (r) =>
          (only === undefined || only.has(r.id)) &&
          (onlyUnnamed ? r.user_id === null : withUnnamed || r.user_id !== null) &&
          (q('workspace_id') === undefined || r.workspace_id === q('workspace_id')) &&
          (q('role_id') === undefined || r.role_id === q('role_id')) &&
          (q('user_id') === undefined || r.user_id === q('user_id')) &&
          matchesReferenceFilters(inst.state, c, 'WorkspaceResource', r.id),
      )
      .sort((a, b) => b.updated_at.localeCompare(a.updated_at) || Number(b.id) - Number(a.id));
    const included: Included = {};
    return c.json(
      listEnvelope(
        'workspace_resources',
        rows,
        readPage(c),
        (r) => serializeResource(inst.state, c, r, included),
        included,
      ),
    );
  };
  app.get('/api/v1/workspace_resources', resources);
  app.get('/api/v1/workspace_resources.json', resources);

  const createResource = async (c: Context) => {
    const inst = c.get('instance') as Instance<KantataState>;
    const raw = (await jsonBody(c))?.workspace_resource as Record<string, unknown> | undefined;
    if (!raw || typeof raw !== 'object')
      return errorResponse(c, 400, [system('param is missing or the value is empty: workspace_resource')]);
    const errors: KantataError[] = [];
    const workspaceId = asId(raw.workspace_id);
    if (!workspaceId || !inst.state.workspaces[workspaceId])
      errors.push(validation('Workspace could not be found', 'workspace_id'));
    const userId = raw.user_id == null ? null : asId(raw.user_id);
    if (userId === undefined || (userId !== null && !inst.state.users[userId]))
      errors.push(validation('User could not be found', 'user_id'));
    const roleId = raw.role_id == null ? null : asId(raw.role_id);
    if (roleId === undefined || (roleId !== null && !inst.state.roles[roleId]))
      errors.push(validation('Role could not be found', 'role_id'));
    // The docs: "The role ID is a required attribute to create unnamed resources."
    if (userId === null && roleId === null)
      errors.push(validation('Role is required for an unnamed resource', 'role_id'));
    const ref = raw.external_reference != null ? parseReference(raw.external_reference) : undefined;
    if (ref) errors.push(...ref.errors);
    if (errors.length) return errorResponse(c, 422, errors);
    const t = now();
    const resource: KantataWorkspaceResource = {
      id: inst.nextId(),
      workspace_id: workspaceId!,
      user_id: userId ?? null,
      role_id: roleId ?? null,
      created_at: t,
      updated_at: t,
    };
    inst.state.workspaceResources[resource.id] = resource;
    inst.effect('workspace_resource.create');
    if (ref?.value) insertReference(inst, 'WorkspaceResource', resource.id, ref.value);
    const included: Included = {};
    return c.json(
      envelope(
        'workspace_resources',
        [serializeResource(inst.state, c, resource, included)],
        1,
        undefined,
        included,
      ),
    );
  };
  app.post('/api/v1/workspace_resources', createResource);
  app.post('/api/v1/workspace_resources.json', createResource);
}
