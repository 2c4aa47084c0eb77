/** "3 h", "2 d": how long something has waited, as an operator reads it. */
export function age(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h`;
  return `${Math.floor(seconds / 86_400)} d`;
}

export function when(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

export const ROLE_LABELS: Record<string, string> = {
  admin: 'Admin',
  'finance-ops': 'Finance ops',
  'delivery-ops': 'Delivery ops',
  viewer: 'Viewer',
};
