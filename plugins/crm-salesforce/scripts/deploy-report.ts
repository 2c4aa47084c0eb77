/** Turns a Metadata API deploy status into lines a person can act on. */

interface DeployMessageLike {
  componentType?: string;
  fullName?: string;
  fileName?: string;
  lineNumber?: string | number;
  columnNumber?: string | number;
  problem?: string;
  problemType?: string;
}

interface TestFailureLike {
  name?: string;
  methodName?: string;
  message?: string;
  stackTrace?: string;
}

export interface DeployStatusLike {
  id?: string;
  status?: string;
  success?: boolean;
  checkOnly?: boolean;
  errorMessage?: string;
  numberComponentsDeployed?: number;
  numberComponentsTotal?: number;
  numberComponentErrors?: number;
  numberTestsCompleted?: number;
  numberTestsTotal?: number;
  numberTestErrors?: number;
  details?: {
    componentFailures?: DeployMessageLike | DeployMessageLike[];
    runTestResult?: {
      failures?: TestFailureLike | TestFailureLike[];
      codeCoverageWarnings?: { name?: string; message?: string } | { name?: string; message?: string }[];
    };
  };
}

const list = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

export function progressLine(status: DeployStatusLike): string {
  const parts = [`${status.status ?? 'Pending'}`];
  if (status.numberComponentsTotal)
    parts.push(`components ${status.numberComponentsDeployed ?? 0}/${status.numberComponentsTotal}`);
  if (status.numberTestsTotal)
    parts.push(`tests ${status.numberTestsCompleted ?? 0}/${status.numberTestsTotal}`);
  const errors = (status.numberComponentErrors ?? 0) + (status.numberTestErrors ?? 0);
  if (errors) parts.push(`${errors} error(s)`);
  return parts.join(', ');
}

export function failureReport(status: DeployStatusLike): string[] {
  const lines: string[] = [];
  if (status.errorMessage) lines.push(`Deploy error: ${status.errorMessage}`);
  for (const f of list(status.details?.componentFailures)) {
    const where = f.lineNumber
      ? ` (line ${f.lineNumber}${f.columnNumber ? `, column ${f.columnNumber}` : ''})`
      : '';
    const file = f.fileName ? `\n      ${f.fileName}` : '';
    lines.push(
      `  ✗ ${f.componentType ?? 'Component'} ${f.fullName ?? ''}${where}: ${f.problem ?? 'failed'}${file}`,
    );
  }
  for (const t of list(status.details?.runTestResult?.failures)) {
    lines.push(`  ✗ Test ${t.name ?? ''}.${t.methodName ?? ''}: ${t.message ?? 'failed'}`);
    if (t.stackTrace) lines.push(`      ${t.stackTrace}`);
  }
  for (const w of list(status.details?.runTestResult?.codeCoverageWarnings)) {
    lines.push(`  ! Coverage ${w.name ?? ''}: ${w.message ?? ''}`.trimEnd());
  }
  return lines;
}
