import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeployArgsError, parseDeployArgs } from '../scripts/deploy-args';
import { failureReport, progressLine } from '../scripts/deploy-report';

// @salesforce/core reads and writes state under HOME; keep it away from the real one.
let home: string;
let components: typeof import('../scripts/deploy-components');

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'handoff-deploy-home-'));
  process.env.HOME = home;
  process.env.SF_DISABLE_LOG_FILE = 'true';
  process.env.SF_DISABLE_TELEMETRY = 'true';
  components = await import('../scripts/deploy-components');
});

afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

const JWT = [
  '--client-id',
  '3MVG9xyz',
  '--jwt-key-file',
  'server.key',
  '--username',
  'deploy@acme.com',
  '--instance-url',
  'https://login.salesforce.com',
];

describe('deploy arguments', () => {
  it('reads an sf CLI alias with the defaults', () => {
    expect(parseDeployArgs(['--target-org', 'acme-uat'])).toEqual({
      help: false,
      options: {
        target: { kind: 'alias', targetOrg: 'acme-uat' },
        dryRun: false,
        testLevel: 'RunSpecifiedTests',
        handoffUrl: undefined,
        sourceDir: undefined,
        waitMinutes: 30,
      },
    });
  });

  it('reads the JWT bearer flow, a check-only deploy and the Handoff URL', () => {
    const parsed = parseDeployArgs([
      ...JWT,
      '--dry-run',
      '--test-level',
      'RunLocalTests',
      '--handoff-url',
      'https://api.handoff.example',
      '--wait',
      '10',
    ]);
    expect(parsed).toMatchObject({
      help: false,
      options: {
        target: {
          kind: 'jwt',
          clientId: '3MVG9xyz',
          jwtKeyFile: 'server.key',
          username: 'deploy@acme.com',
          instanceUrl: 'https://login.salesforce.com',
        },
        dryRun: true,
        testLevel: 'RunLocalTests',
        handoffUrl: 'https://api.handoff.example',
        waitMinutes: 10,
      },
    });
  });

  it('answers --help without needing an org', () => {
    expect(parseDeployArgs(['--help'])).toEqual({ help: true });
    expect(parseDeployArgs(['-h'])).toEqual({ help: true });
  });

  it.each([
    [[], /Say which org/],
    [['--client-id', 'x'], /also needs --jwt-key-file, --username, --instance-url/],
    [['--target-org', 'a', '--username', 'u@x.com'], /either --target-org or the JWT flags \(--username\)/],
    [[...JWT.slice(0, 6), '--instance-url', 'login.salesforce.com'], /--instance-url/],
    [
      ['--target-org', 'a', '--handoff-url', 'http://api.handoff.example'],
      /--handoff-url: The Handoff URL must be https/,
    ],
    [['--target-org', 'a', '--test-level', 'RunEverything'], /--test-level/],
    [['--target-org', 'a', '--wait', 'soon'], /--wait/],
    [['--target-org', 'a', '--force'], /Unknown option '--force'/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseDeployArgs(argv as string[])).toThrow(DeployArgsError);
    expect(() => parseDeployArgs(argv as string[])).toThrow(message);
  });
});

describe('component set', () => {
  it('holds the whole package and none of the jest tests', async () => {
    const source = await components.prepareSource();
    const names = components.describeComponents(source.components);
    expect(names).toEqual(
      expect.arrayContaining([
        'ApexClass:HandoffActivationController',
        'ApexClass:HandoffActivationControllerTest',
        'LightningComponentBundle:handoffActivationCard',
        'LightningComponentBundle:handoffActivateAction',
        'LightningComponentBundle:handoffActivationProgress',
        'LightningComponentBundle:handoffActivationService',
        'LightningComponentBundle:handoffErrorPanel',
        'LightningComponentBundle:handoffErrors',
        'CustomObject:Handoff_Milestone__c',
        'CustomObject:Handoff_Rate__c',
        'CustomField:Opportunity.Handoff_Status__c',
        'CustomField:Opportunity.Handoff_Activation_Id__c',
        'CustomField:Account.Handoff_Tax_Number__c',
        'CustomField:Handoff_Milestone__c.Opportunity__c',
        'CustomField:Handoff_Rate__c.Person_Email__c',
        'PermissionSet:Handoff_User',
        'PermissionSet:Handoff_Admin',
        'ExternalCredential:Handoff',
        'NamedCredential:Handoff',
        'QuickAction:Opportunity.Activate_Project',
        'QuickAction:Contract.Activate_Project',
      ]),
    );
    expect(source.components.sourceApiVersion).toBe('62.0');
    const files = source.components
      .getSourceComponents()
      .toArray()
      .flatMap((c) => [...c.walkContent(), c.xml ?? '']);
    expect(files.filter((f) => f.includes('__tests__'))).toEqual([]);
    await source.cleanup();
  });

  it('writes the Handoff URL into a temp copy and leaves the repo placeholder alone', async () => {
    const source = await components.prepareSource({ handoffUrl: 'https://api.handoff.example/' });
    const copied = await readFile(
      join(source.sourceDir, 'main/default/namedCredentials/Handoff.namedCredential-meta.xml'),
      'utf8',
    );
    const original = await readFile(
      join(components.DEFAULT_SOURCE_DIR, 'main/default/namedCredentials/Handoff.namedCredential-meta.xml'),
      'utf8',
    );
    expect(copied).toContain('<parameterValue>https://api.handoff.example/</parameterValue>');
    expect(original).toContain('<parameterValue>https://handoff.example.com</parameterValue>');
    // Still the same component set, now from the copy, with .forceignore applied.
    expect(components.describeComponents(source.components)).toContain('NamedCredential:Handoff');
    expect(source.components.toArray().some((c) => c.fullName.includes('__tests__'))).toBe(false);
    await source.cleanup();
    expect(existsSync(source.sourceDir)).toBe(false);
  });
});

describe('deploy report', () => {
  it('prints each component and test failure with where to look', () => {
    const status = {
      id: '0Af000000000001',
      status: 'Failed',
      success: false,
      numberComponentsDeployed: 40,
      numberComponentsTotal: 42,
      numberComponentErrors: 1,
      numberTestErrors: 1,
      details: {
        componentFailures: {
          componentType: 'ApexClass',
          fullName: 'HandoffActivationController',
          fileName: 'classes/HandoffActivationController.cls',
          lineNumber: '12',
          columnNumber: '5',
          problem: 'Variable does not exist: foo',
        },
        runTestResult: {
          failures: [
            {
              name: 'HandoffActivationControllerTest',
              methodName: 'getActivationReadsByRecordId',
              message: 'Assertion failed',
              stackTrace: 'Class.HandoffActivationControllerTest: line 9',
            },
          ],
        },
      },
    };
    expect(progressLine(status)).toBe('Failed, components 40/42, 2 error(s)');
    expect(failureReport(status)).toEqual([
      '  ✗ ApexClass HandoffActivationController (line 12, column 5): Variable does not exist: foo\n      classes/HandoffActivationController.cls',
      '  ✗ Test HandoffActivationControllerTest.getActivationReadsByRecordId: Assertion failed',
      '      Class.HandoffActivationControllerTest: line 9',
    ]);
  });
});
