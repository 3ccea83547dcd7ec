import { parse as parseHcl } from '@cdktn/hcl2json';
import { parse as parseYaml } from 'yaml';
import type { PolicyDocument } from '../../../src/core/iam/build-policy.js';
import { hclString, logicalId, policyName, renderPolicy, terraformLabel } from '../../../src/core/iam/render.js';
import { defined } from '../../helpers/defined.js';

const ctx = { project: 'driver_ranking', commands: ['apply', 'materialize'] as const };

const document: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'Apply',
      Effect: 'Allow',
      Action: ['dynamodb:CreateTable', 'dynamodb:DescribeTable'],
      Resource: ['arn:aws:dynamodb:us-east-1:123456789012:table/driver_ranking.driver_hourly_stats'],
    },
    {
      Sid: 'Materialize',
      Effect: 'Allow',
      Action: ['dynamodb:BatchWriteItem'],
      // IAM's own escapes, a quote, a backslash and an HCL directive opener must all survive
      Resource: ['arn:aws:dynamodb:us-east-1:123456789012:table/odd${*}name${?}', 'quote"back\\slash%{x}\nnewline'],
    },
  ],
};

/** HCL templates spell a literal `${` / `%{` as `$${` / `%%{`; hcl2json keeps that spelling. */
function unescapeTemplates(v: unknown): unknown {
  if (typeof v === 'string') return v.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
  if (Array.isArray(v)) return v.map(unescapeTemplates);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unescapeTemplates(x)]));
  return v;
}

describe('renderPolicy', () => {
  it('json: the document itself', () => {
    const text = renderPolicy(document, 'json', ctx);
    expect(JSON.parse(text)).toEqual(document);
    expect(text.endsWith('\n')).toBe(true);
  });

  it("terraform: an aws_iam_policy that HashiCorp's HCL parser reads back to the same document", async () => {
    const text = renderPolicy(document, 'terraform', ctx);
    const parsed = (await parseHcl('main.tf', text)) as {
      resource: { aws_iam_policy: Record<string, { name: string; description: string; policy: string }[]> };
    };
    const resources = parsed.resource.aws_iam_policy;
    expect(Object.keys(resources)).toEqual(['dynafeast_driver_ranking_apply_materialize']);
    const [resource] = defined(resources['dynafeast_driver_ranking_apply_materialize']);
    expect(defined(resource).name).toBe('dynafeast-driver_ranking-apply-materialize');
    // the policy is an expression: jsonencode(<object>); parse the object on its own to compare values
    const expr = /^\$\{jsonencode\(([\s\S]*)\)\}$/.exec(defined(resource).policy);
    expect(expr).not.toBeNull();
    const inner = (await parseHcl('policy.tf', `policy = ${defined(expr)[1]}\n`)) as { policy: unknown };
    expect(unescapeTemplates(inner.policy)).toEqual(document);
  });

  it('terraform output fails to parse when broken (the check is real)', async () => {
    const text = renderPolicy(document, 'terraform', ctx);
    await expect(parseHcl('main.tf', text.replace('jsonencode({', 'jsonencode('))).rejects.toThrow();
  });

  it('cloudformation: a template whose one resource is an AWS::IAM::ManagedPolicy with the document', () => {
    const text = renderPolicy(document, 'cloudformation', ctx);
    const template = parseYaml(text, { version: '1.1' }) as {
      AWSTemplateFormatVersion: string;
      Resources: Record<string, { Type: string; Properties: { PolicyDocument: unknown; Description: string } }>;
      Outputs: { PolicyArn: { Value: { Ref: string } } };
    };
    expect(template.AWSTemplateFormatVersion).toBe('2010-09-09');
    expect(Object.keys(template.Resources)).toEqual(['DynafeastDriverRankingApplyMaterializePolicy']);
    const resource = defined(template.Resources['DynafeastDriverRankingApplyMaterializePolicy']);
    expect(resource.Type).toBe('AWS::IAM::ManagedPolicy');
    expect(resource.Properties.PolicyDocument).toEqual(document);
    expect(template.Outputs.PolicyArn.Value).toEqual({ Ref: 'DynafeastDriverRankingApplyMaterializePolicy' });
    // a YAML 1.1 reader (CloudFormation's) must not turn the version into a date
    expect(text).toMatch(/Version: "2012-10-17"/);
  });
});

describe('names', () => {
  it('are valid for IAM, Terraform and CloudFormation whatever the project is called', () => {
    const odd = { project: '9 lives/prod', commands: ['read'] as const };
    expect(policyName(odd)).toMatch(/^[\w+=,.@-]{1,128}$/);
    expect(terraformLabel(odd)).toMatch(/^[A-Za-z_][A-Za-z0-9_-]*$/);
    expect(logicalId(odd)).toMatch(/^[A-Za-z0-9]+$/);
  });

  it('hclString escapes quotes, backslashes, control characters and template openers', () => {
    expect(hclString('a"b\\c\n\t\u0001${x}%{y}$z')).toBe('"a\\"b\\\\c\\n\\t\\u0001$${x}%%{y}$z"');
  });
});
