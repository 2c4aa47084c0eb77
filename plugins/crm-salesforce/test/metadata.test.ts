import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// Cross-file consistency of the package metadata: the mistakes a deploy would only catch in a real org.
const PLUGIN = resolve(import.meta.dirname, '..');
const MD = join(PLUGIN, 'force-app', 'main', 'default');
const read = (...parts: string[]) => readFileSync(join(MD, ...parts), 'utf8');
const tags = (xml: string, tag: string) =>
  [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))].map((m) => m[1]!);

function fieldFiles(): Map<string, string> {
  const out = new Map<string, string>();
  for (const object of readdirSync(join(MD, 'objects'))) {
    const dir = join(MD, 'objects', object, 'fields');
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir))
      out.set(`${object}.${file.replace('.field-meta.xml', '')}`, readFileSync(join(dir, file), 'utf8'));
  }
  return out;
}

const fields = fieldFiles();
const permissionSets = ['Handoff_User', 'Handoff_Admin'].map((name) => ({
  name,
  xml: read('permissionsets', `${name}.permissionset-meta.xml`),
}));

describe('package metadata', () => {
  it('defines every field DATA-MODEL.md names', () => {
    const model = readFileSync(join(PLUGIN, 'DATA-MODEL.md'), 'utf8');
    const expected = new Set<string>();
    for (const m of model.matchAll(/`(Handoff_[A-Za-z_]+__c)`/g)) {
      const name = m[1]!;
      if (name.startsWith('Handoff_Milestone__c') || name.startsWith('Handoff_Rate__c')) continue;
      expected.add(
        /^Handoff_(Legal_Name|Registration_Number|Tax_|Billing_Subsidiary|Billing_Email)/.test(name)
          ? `Account.${name}`
          : `Opportunity.${name}`,
      );
    }
    for (const [object, list] of [
      [
        'Handoff_Milestone__c',
        'Opportunity__c, Amount__c, Due_Date__c, Clause__c, Deliverables__c, Sequence__c',
      ],
      [
        'Handoff_Rate__c',
        'Opportunity__c, Role__c, Rate__c, Unit__c, Effective_From__c, Effective_To__c, Planned_Hours__c, Person_Name__c, Person_Email__c',
      ],
    ] as const) {
      for (const f of list.split(', ')) expected.add(`${object}.${f}`);
    }
    expect(expected.size).toBeGreaterThan(40);
    expect([...expected].filter((f) => !fields.has(f))).toEqual([]);
    expect(tags(fields.get('Opportunity.Handoff_Activation_Id__c')!, 'externalId')).toEqual(['true']);
    expect(tags(fields.get('Opportunity.Handoff_Status__c')!, 'fullName').slice(1)).toEqual([
      'Queued',
      'Activating',
      'Retrying',
      'Active',
      'Needs fixes',
      'Failed',
    ]);
  });

  it('writes field elements in the order the Metadata API schema expects', () => {
    for (const [name, xml] of fields) {
      const elements = [...xml.matchAll(/^ {4}<([a-zA-Z]+)>/gm)].map((m) => m[1]!);
      expect(elements[0], name).toBe('fullName');
      expect(elements.slice(1), name).toEqual([...elements.slice(1)].sort());
    }
  });

  it('grants field access only to fields that exist and can carry it', () => {
    for (const { name, xml } of permissionSets) {
      for (const field of tags(xml, 'field')) {
        expect(fields.has(field), `${name}: ${field}`).toBe(true);
        // Master-detail (always required) fields refuse field permissions at deploy.
        expect(tags(fields.get(field)!, 'type'), `${name}: ${field}`).not.toContain('MasterDetail');
      }
    }
  });

  it('keeps what Handoff writes back read-only for sellers and editable for admins', () => {
    const editable = (xml: string, field: string) =>
      new RegExp(`<editable>true</editable>\\s*<field>${field.replace('.', '\\.')}</field>`).test(xml);
    const [user, admin] = permissionSets.map((p) => p.xml) as [string, string];
    for (const field of [
      'Opportunity.Handoff_Status__c',
      'Opportunity.Handoff_Activation_Id__c',
      'Opportunity.Handoff_PSA_Project_URL__c',
    ]) {
      expect(editable(user, field), field).toBe(false);
      expect(editable(admin, field), field).toBe(true);
    }
    expect(editable(user, 'Opportunity.Handoff_SOW_Number__c')).toBe(true);
  });

  it('wires the API key through the external credential, its principal and the named credential', () => {
    const ec = read('externalCredentials', 'Handoff.externalCredential-meta.xml');
    const nc = read('namedCredentials', 'Handoff.namedCredential-meta.xml');
    const apex = read('classes', 'HandoffActivationController.cls');
    expect(ec).toMatch(
      /<parameterName>HandoffOrgKey<\/parameterName>\s*<parameterType>NamedPrincipal<\/parameterType>/,
    );
    expect(ec).toMatch(
      /<parameterName>Authorization<\/parameterName>\s*<parameterType>AuthHeader<\/parameterType>\s*<parameterValue>\{!&apos;Bearer &apos; &amp; \$Credential\.Handoff\.ApiKey\}<\/parameterValue>/,
    );
    expect(tags(nc, 'externalCredential')).toEqual(['Handoff']);
    expect(tags(nc, 'generateAuthorizationHeader')).toEqual(['false']);
    expect(apex).toContain("'callout:Handoff/v1/activations'");
    for (const { xml } of permissionSets)
      expect(tags(xml, 'externalCredentialPrincipal')).toEqual(['Handoff-HandoffOrgKey']);
    // No secret in the repo: nothing that looks like a Handoff key.
    expect(`${ec}${nc}`).not.toMatch(/hk_[A-Za-z0-9]/);
  });

  it('points both quick actions at a screen-action LWC that exists', () => {
    for (const object of ['Opportunity', 'Contract']) {
      const qa = read('quickActions', `${object}.Activate_Project.quickAction-meta.xml`);
      expect(tags(qa, 'label')).toEqual(['Activate project']);
      const [component] = tags(qa, 'lightningWebComponent');
      const meta = read('lwc', component!, `${component}.js-meta.xml`);
      expect(meta).toContain('<target>lightning__RecordAction</target>');
      expect(meta).toContain('<actionType>ScreenAction</actionType>');
    }
    const card = read('lwc', 'handoffActivationCard', 'handoffActivationCard.js-meta.xml');
    expect(tags(card, 'object')).toEqual(['Opportunity', 'Contract']);
  });
});
