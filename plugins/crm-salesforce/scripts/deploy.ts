/**
 * Deploys the Handoff Salesforce package with @salesforce/core (auth) and
 * @salesforce/source-deploy-retrieve (the same engine as `sf project deploy start`).
 *
 *   npm run sf:deploy -- --help
 */
import { AuthInfo, Connection, Org } from '@salesforce/core';
import { DeployArgsError, type DeployOptions, HELP, parseDeployArgs } from './deploy-args';
import { describeComponents, prepareSource } from './deploy-components';
import { type DeployStatusLike, failureReport, progressLine } from './deploy-report';

const SPECIFIED_TESTS = ['HandoffActivationControllerTest'];

async function connect(target: DeployOptions['target']): Promise<Connection> {
  if (target.kind === 'alias') {
    const org = await Org.create({ aliasOrUsername: target.targetOrg });
    return org.getConnection();
  }
  const authInfo = await AuthInfo.create({
    username: target.username,
    oauth2Options: {
      clientId: target.clientId,
      privateKeyFile: target.jwtKeyFile,
      loginUrl: target.instanceUrl,
    },
  });
  return Connection.create({ authInfo });
}

export async function deploy(
  options: DeployOptions,
  log: (line: string) => void = console.log,
): Promise<boolean> {
  const source = await prepareSource({ sourceDir: options.sourceDir, handoffUrl: options.handoffUrl });
  try {
    const names = describeComponents(source.components);
    log(
      `${options.dryRun ? 'Validating (check-only)' : 'Deploying'} ${names.length} components from ${source.sourceDir}:`,
    );
    for (const name of names) log(`  ${name}`);

    const connection = await connect(options.target);
    log(
      `Org: ${connection.getUsername()} at ${connection.instanceUrl} (API ${source.components.sourceApiVersion})`,
    );
    const operation = await source.components.deploy({
      // SDR bundles its own @salesforce/core; the connection is the same jsforce connection underneath.
      usernameOrConnection: connection as never,
      apiOptions: {
        checkOnly: options.dryRun,
        testLevel: options.testLevel,
        runTests: options.testLevel === 'RunSpecifiedTests' ? SPECIFIED_TESTS : undefined,
        rollbackOnError: true,
      },
    });
    let last = '';
    operation.onUpdate((status) => {
      const line = progressLine(status as DeployStatusLike);
      if (line !== last) log(`  … ${line}`);
      last = line;
    });
    // (frequency in ms, timeout in s): the numeric overload spares a direct dependency on @salesforce/kit.
    const result = await operation.pollStatus(3000, options.waitMinutes * 60);
    const status = result.response as DeployStatusLike;
    log(`Deploy ${status.id ?? ''}: ${status.status}`);
    if (status.success) {
      log(
        options.dryRun
          ? 'Validation succeeded; nothing was changed.'
          : 'Deployed. Next: README.md "After the deploy".',
      );
      return true;
    }
    for (const line of failureReport(status)) log(line);
    return false;
  } finally {
    await source.cleanup();
  }
}

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseDeployArgs>;
  try {
    parsed = parseDeployArgs(argv);
  } catch (error) {
    if (error instanceof DeployArgsError) {
      console.error(`${error.message}\n\n${HELP}`);
      return 2;
    }
    throw error;
  }
  if (parsed.help) {
    console.log(HELP);
    return 0;
  }
  return (await deploy(parsed.options)) ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
      process.exitCode = 1;
    },
  );
}
