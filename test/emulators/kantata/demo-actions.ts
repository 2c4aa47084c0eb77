/**
 * Acting as people in Kantata, for the sandbox and tests: a consultant logs time and expenses, submits
 * them, an approver approves, a project manager marks a task completed. Every call is a real Kantata OX
 * API call (`{apiBase}` is `https://api.mavenlink.com/api/v1` or an emulator's `{instanceBase}/api/v1`),
 * made with a bearer token; `user_id` says on whose behalf when the token's user has the permission.
 */

export interface KantataActor {
  /** API root, e.g. `http://127.0.0.1:PORT/i/demo/api/v1`. */
  apiBase: string;
  token: string;
}

async function call(actor: KantataActor, method: string, path: string, body?: unknown, query = '') {
  const res = await fetch(`${actor.apiBase}${path}${query}`, {
    method,
    headers: {
      authorization: `Bearer ${actor.token}`,
      accept: 'application/json',
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    const errors = (json.errors as { message?: string; field?: string }[] | undefined) ?? [];
    throw new Error(
      `Kantata ${method} ${path} → ${res.status}: ${errors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message)).join('; ')}`,
    );
  }
  return json as { results: { key: string; id: string }[] } & Record<
    string,
    Record<string, Record<string, unknown>>
  >;
}

const ids = (body: { results: { id: string }[] }) => body.results.map((r) => String(r.id));

/** Staff a person on a project in a role (a named workspace resource), unless they already are. */
export async function staffPerson(
  actor: KantataActor,
  workspaceId: string,
  userId: string,
  roleName: string,
) {
  const roles = await call(
    actor,
    'GET',
    '/roles',
    undefined,
    `?matching=${encodeURIComponent(roleName)}&per_page=200`,
  );
  const role = Object.values(roles.roles ?? {}).find(
    (r) => String(r.name).toLowerCase() === roleName.toLowerCase(),
  );
  if (!role) throw new Error(`Kantata has no role "${roleName}"`);
  const existing = await call(
    actor,
    'GET',
    '/workspace_resources',
    undefined,
    `?workspace_id=${workspaceId}&user_id=${userId}&include=role`,
  );
  const found = Object.values(existing.workspace_resources ?? {})[0];
  if (found) return String(found.id);
  const created = await call(actor, 'POST', '/workspace_resources', {
    workspace_resource: {
      workspace_id: Number(workspaceId),
      user_id: Number(userId),
      role_id: Number(role.id),
    },
  });
  return ids(created)[0]!;
}

/** The account's users by email (the demo consultants are first.last@lumenpartners.example). */
export async function findUserByEmail(actor: KantataActor, email: string): Promise<string | undefined> {
  const body = await call(
    actor,
    'GET',
    '/users',
    undefined,
    `?on_my_account=true&by_email_address=${encodeURIComponent(email)}`,
  );
  const user = Object.values(body?.users ?? {}).find(
    (u) => String(u.email_address).toLowerCase() === email.toLowerCase(),
  );
  return user ? String(user.id) : undefined;
}

export interface TimeInput {
  workspaceId: string;
  userId: string;
  date: string;
  minutes: number;
  notes?: string;
  storyId?: string;
  billable?: boolean;
  /** A rate the person types in (e.g. an old rate), instead of the rate card's. */
  rateInCents?: number;
}

export async function logTime(actor: KantataActor, t: TimeInput): Promise<string> {
  const body = await call(actor, 'POST', '/time_entries', {
    time_entry: {
      workspace_id: Number(t.workspaceId),
      user_id: Number(t.userId),
      date_performed: t.date,
      time_in_minutes: t.minutes,
      billable: t.billable ?? true,
      notes: t.notes ?? '',
      ...(t.storyId ? { story_id: Number(t.storyId) } : {}),
      ...(t.rateInCents !== undefined ? { rate_in_cents: t.rateInCents } : {}),
    },
  });
  return ids(body)[0]!;
}

/** Up to 100 entries in one call (Kantata's bulk create). */
export async function logTimeBulk(actor: KantataActor, entries: TimeInput[]): Promise<string[]> {
  const body = await call(actor, 'POST', '/time_entries', {
    time_entries: entries.map((t) => ({
      workspace_id: Number(t.workspaceId),
      user_id: Number(t.userId),
      date_performed: t.date,
      time_in_minutes: t.minutes,
      billable: t.billable ?? true,
      notes: t.notes ?? '',
      ...(t.storyId ? { story_id: Number(t.storyId) } : {}),
      ...(t.rateInCents !== undefined ? { rate_in_cents: t.rateInCents } : {}),
    })),
  });
  return ids(body);
}

export async function submitTimesheet(
  actor: KantataActor,
  workspaceId: string,
  timeEntryIds: string[],
  title = 'Weekly timesheet',
): Promise<string> {
  const body = await call(actor, 'POST', '/timesheet_submissions', {
    timesheet_submission: {
      workspace_id: Number(workspaceId),
      title,
      line_item_ids: timeEntryIds.map(Number),
    },
  });
  return ids(body)[0]!;
}

export async function approveTimesheet(actor: KantataActor, submissionId: string, note = 'Approved') {
  await call(actor, 'PUT', `/timesheet_submissions/${submissionId}/approve`, {
    resolution: { description: note },
  });
}

export interface ExpenseInput {
  workspaceId: string;
  userId: string;
  date: string;
  category: string;
  amountInCents: number;
  notes?: string;
  billable?: boolean;
}

export async function logExpense(actor: KantataActor, e: ExpenseInput): Promise<string> {
  const body = await call(actor, 'POST', '/expenses', {
    expense: {
      workspace_id: Number(e.workspaceId),
      user_id: Number(e.userId),
      date: e.date,
      category: e.category,
      amount_in_cents: e.amountInCents,
      is_billable: e.billable ?? true,
      notes: e.notes ?? '',
    },
  });
  return ids(body)[0]!;
}

export async function submitExpenseReport(actor: KantataActor, expenseIds: string[], userId?: string) {
  const body = await call(actor, 'POST', '/expense_report_submissions', {
    expense_report_submission: {
      line_item_ids: expenseIds.map(Number),
      ...(userId ? { user_id: Number(userId) } : {}),
    },
  });
  return ids(body)[0]!;
}

export async function approveExpenseReport(actor: KantataActor, submissionId: string, note = 'Approved') {
  await call(actor, 'PUT', `/expense_report_submissions/${submissionId}/approve`, {
    resolution: { description: note },
  });
}

/** Log, submit and approve in one go: what a week of delivery looks like once the approver has signed. */
export async function logApprovedTime(actor: KantataActor, entries: TimeInput[]): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < entries.length; i += 100)
    out.push(...(await logTimeBulk(actor, entries.slice(i, i + 100))));
  const byWorkspace = new Map<string, string[]>();
  for (const [i, e] of entries.entries())
    byWorkspace.set(e.workspaceId, [...(byWorkspace.get(e.workspaceId) ?? []), out[i]!]);
  for (const [workspaceId, list] of byWorkspace)
    await approveTimesheet(actor, await submitTimesheet(actor, workspaceId, list));
  return out;
}

/** Set a task's (story's) state, e.g. mark a deliverable or milestone `completed`. */
export async function setStoryState(actor: KantataActor, storyId: string, state = 'completed') {
  await call(actor, 'PUT', `/stories/${storyId}`, { story: { state } });
}

/** Create a deliverable under a milestone (child story), for the demo's milestone evidence. */
export async function addDeliverable(
  actor: KantataActor,
  workspaceId: string,
  milestoneId: string,
  title: string,
) {
  const body = await call(actor, 'POST', '/stories', {
    story: {
      workspace_id: Number(workspaceId),
      parent_id: Number(milestoneId),
      title,
      story_type: 'deliverable',
    },
  });
  return ids(body)[0]!;
}

/**
 * EMULATOR STAND-IN, not a Kantata API: register a push subscriber for subscribed events. Kantata itself
 * offers only the pull-based `GET /subscribed_events`. `instanceBase` is the emulator instance's base URL.
 */
export async function subscribeStandInWebhooks(
  instanceBase: string,
  token: string,
  url: string,
  eventTypes: string[] = [],
  secret?: string,
): Promise<{ id: string; secret: string }> {
  const res = await fetch(`${instanceBase}/stand-in/webhook_subscriptions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url, event_types: eventTypes, ...(secret ? { secret } : {}) }),
  });
  if (!res.ok) throw new Error(`stand-in webhook subscription failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string; secret: string };
}
