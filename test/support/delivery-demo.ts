/**
 * A week of delivery on a provisioned project, acted out through the PSA's API as the people would:
 * consultants are staffed, log time and expenses, an approver approves, the PM completes a milestone.
 * Used by the sandbox and the tests.
 */
import {
  approveExpenseReport,
  findUserByEmail,
  type KantataActor,
  logApprovedTime,
  logExpense,
  setStoryState,
  staffPerson,
  submitExpenseReport,
  type TimeInput,
} from '../emulators/kantata/demo-actions';
import { DEMO_CONSULTANTS } from '../emulators/kantata/seeds';

export function kantataActor(instanceBaseUrl: string, token: string): KantataActor {
  return { apiBase: `${instanceBaseUrl}/api/v1`, token };
}

async function staffTeam(actor: KantataActor, workspaceId: string) {
  const ids: Record<string, string> = {};
  for (const c of DEMO_CONSULTANTS) {
    const userId = await findUserByEmail(actor, c.email);
    if (!userId) throw new Error(`No Kantata user ${c.email}`);
    await staffPerson(actor, workspaceId, userId, c.role);
    ids[c.name] = userId;
  }
  return ids;
}

/**
 * T&M (Globex): four people log approved time; Ben types in the Senior Consultant rate that the contract
 * superseded (195.00 instead of 210.00), so his entry is held for the rate.
 */
export async function tmWeek(actor: KantataActor, workspaceId: string, weekStart = '2026-11-16') {
  const people = await staffTeam(actor, workspaceId);
  const day = (n: number) =>
    new Date(Date.parse(`${weekStart}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
  const entries: TimeInput[] = [
    {
      workspaceId,
      userId: people['Ava Chen']!,
      date: day(0),
      minutes: 240,
      notes: 'Steering committee and planning',
    },
    { workspaceId, userId: people['Chloe Martin']!, date: day(0), minutes: 480, notes: 'Pipeline build' },
    { workspaceId, userId: people['Dev Patel']!, date: day(1), minutes: 360, notes: 'Data profiling' },
    {
      workspaceId,
      userId: people['Ben Ortiz']!,
      date: day(1),
      minutes: 480,
      notes: 'Architecture (old rate typed in)',
      rateInCents: 19_500,
    },
    { workspaceId, userId: people['Chloe Martin']!, date: day(2), minutes: 450, notes: 'Pipeline build' },
  ];
  return logApprovedTime(actor, entries);
}

/** Fixed fee (Northwind): time is cost; travel runs over the USD 12,000 allowance on the second trip. */
export async function fixedFeeWeek(actor: KantataActor, workspaceId: string, weekStart = '2026-11-16') {
  const people = await staffTeam(actor, workspaceId);
  const time = await logApprovedTime(actor, [
    { workspaceId, userId: people['Ava Chen']!, date: weekStart, minutes: 300, notes: 'Discovery workshops' },
    {
      workspaceId,
      userId: people['Ben Ortiz']!,
      date: weekStart,
      minutes: 480,
      notes: 'Current-state assessment',
    },
  ]);
  const ben = people['Ben Ortiz']!;
  const expenses = [
    await logExpense(actor, {
      workspaceId,
      userId: ben,
      date: weekStart,
      category: 'Travel',
      amountInCents: 780_000,
      notes: 'Flights, discovery on site',
    }),
    await logExpense(actor, {
      workspaceId,
      userId: ben,
      date: weekStart,
      category: 'Lodging',
      amountInCents: 540_000,
      notes: 'Hotel, two weeks on site',
    }),
    await logExpense(actor, {
      workspaceId,
      userId: ben,
      date: weekStart,
      category: 'Meals',
      amountInCents: 12_500,
      notes: 'Team lunch',
    }),
  ];
  await approveExpenseReport(actor, await submitExpenseReport(actor, expenses, ben));
  return { time, expenses };
}

/** The PM marks a milestone (by name) completed in the PSA. */
export async function completeMilestone(
  actor: KantataActor,
  workspaceId: string,
  name: string,
): Promise<string> {
  const res = await fetch(`${actor.apiBase}/stories?workspace_id=${workspaceId}&per_page=200`, {
    headers: { authorization: `Bearer ${actor.token}` },
  });
  const body = (await res.json()) as {
    stories?: Record<string, { id: string; title: string; story_type: string }>;
  };
  const story = Object.values(body.stories ?? {}).find(
    (s) => s.story_type === 'milestone' && s.title === name,
  );
  if (!story) throw new Error(`No milestone "${name}" in workspace ${workspaceId}`);
  await setStoryState(actor, String(story.id), 'completed');
  return String(story.id);
}
