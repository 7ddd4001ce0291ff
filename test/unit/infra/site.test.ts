import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { AppConfigError } from '../../../lib/config/app-config.ts';
import { DashboardSite } from '../../../lib/constructs/dashboard-site.ts';
import { projectRoot } from '../../../lib/project-root.ts';
import {
  assemblyDir,
  privateBucketProperties,
  referencedId,
  resourcesOf,
  synth,
  unsynthesized,
} from './synth.ts';

type Resource = { Type: string; Properties?: Record<string, unknown> };

/** The one resource of a type whose logical id starts with `prefix`. */
function only(resources: Record<string, Resource>, prefix: string): [string, Resource] {
  const matches = Object.entries(resources).filter(([id]) => id.startsWith(prefix));
  expect(matches.map(([id]) => id)).toHaveLength(1);
  return matches[0]!;
}

/**
 * A `Source.data` file as CloudFormation will write it: the staged text, split at its deploy-time markers,
 * with each marker replaced by the value the custom resource substitutes (`SourceMarkers`).
 */
function deployedFile(outdir: string, deployment: Resource, name: string): unknown[] {
  const properties = deployment.Properties!;
  const keys = properties.SourceObjectKeys as string[];
  const markers = (properties.SourceMarkers ?? []) as Record<string, unknown>[];
  const index = keys.findIndex((key) => existsSync(join(outdir, `asset.${key.replace(/\.zip$/, '')}`, name)));
  expect(index, `a source holding ${name}`).toBeGreaterThanOrEqual(0);
  const text = readFileSync(join(outdir, `asset.${keys[index]!.replace(/\.zip$/, '')}`, name), 'utf8');
  return joined(text.split(/(<<marker:0xbaba:\d+>>)/).map((part) => markers[index]?.[part] ?? part));
}

/** A list of strings and tokens with adjacent strings merged and empty ones dropped, to compare texts. */
function joined(pieces: unknown[]): unknown[] {
  return pieces.reduce<unknown[]>((merged, piece) => {
    const last = merged.at(-1);
    if (typeof piece === 'string' && typeof last === 'string') merged[merged.length - 1] = last + piece;
    else if (piece !== '') merged.push(piece);
    return merged;
  }, []);
}

/** A CloudFormation string (plain, or Fn::Join with '') as its pieces. */
function pieces(value: unknown): unknown[] {
  return typeof value === 'object' && value !== null && 'Fn::Join' in value
    ? (value['Fn::Join'] as [string, unknown[]])[1]
    : [value];
}

describe('the dashboard site (site=cloudfront, the default)', () => {
  const { app, stack, template, config } = synth();
  const [bucketId] = only(resourcesOf(template, 'AWS::S3::Bucket'), 'DashboardBucket');
  const [distributionId, distribution] = only(
    resourcesOf(template, 'AWS::CloudFront::Distribution'),
    'DashboardDistribution',
  );
  const [, deployment] = only(resourcesOf(template, 'Custom::CDKBucketDeployment'), 'DashboardFiles');
  const distributionConfig = distribution.Properties!.DistributionConfig as Record<string, unknown>;

  it('is the default', () => {
    expect(config.site).toBe('cloudfront');
  });

  it('keeps its files in a private, encrypted, TLS-only bucket that only the distribution reads', () => {
    const bucket = resourcesOf(template, 'AWS::S3::Bucket')[bucketId]!;
    expect(bucket.Properties).toMatchObject(privateBucketProperties);
    expect(bucket.Properties!.WebsiteConfiguration).toBeUndefined();
    const [, policy] = only(resourcesOf(template, 'AWS::S3::BucketPolicy'), 'DashboardBucket');
    const statements = (policy.Properties!.PolicyDocument as { Statement: Record<string, unknown>[] })
      .Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    const allows = statements.filter((statement) => statement.Effect === 'Allow');
    expect(allows).toEqual([
      expect.objectContaining({
        Action: 's3:GetObject',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Condition: { StringEquals: { 'AWS:SourceArn': expect.anything() } },
      }),
    ]);
    expect(JSON.stringify(allows[0]!.Condition)).toContain(distributionId);
  });

  it('serves index.html at the root through Origin Access Control, over HTTPS, with security headers', () => {
    expect(distributionConfig.DefaultRootObject).toBe('index.html');
    const [origin] = distributionConfig.Origins as Record<string, unknown>[];
    expect(referencedId(origin!.DomainName)).toBe(bucketId);
    expect(origin!.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
    const [oacId, oac] = only(resourcesOf(template, 'AWS::CloudFront::OriginAccessControl'), 'Dashboard');
    expect(referencedId(origin!.OriginAccessControlId)).toBe(oacId);
    expect(oac.Properties!.OriginAccessControlConfig).toMatchObject({
      OriginAccessControlOriginType: 's3',
      SigningBehavior: 'always',
      SigningProtocol: 'sigv4',
    });

    const behavior = distributionConfig.DefaultCacheBehavior as Record<string, unknown>;
    expect(behavior).toMatchObject({
      ViewerProtocolPolicy: 'redirect-to-https',
      AllowedMethods: ['GET', 'HEAD'],
    });
    const [headersId, headers] = only(
      resourcesOf(template, 'AWS::CloudFront::ResponseHeadersPolicy'),
      'Dashboard',
    );
    expect(referencedId(behavior.ResponseHeadersPolicyId)).toBe(headersId);
    const security = (
      headers.Properties!.ResponseHeadersPolicyConfig as Record<string, Record<string, unknown>>
    ).SecurityHeadersConfig!;
    expect(security).toMatchObject({
      StrictTransportSecurity: { AccessControlMaxAgeSec: 31_536_000, Override: true },
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY' },
    });
    // The page may call the API (and itself: config.json), nothing else.
    const csp = joined(
      pieces((security.ContentSecurityPolicy as Record<string, unknown>).ContentSecurityPolicy),
    );
    expect(csp).toEqual(
      joined([
        "default-src 'self'; connect-src 'self' ",
        ...pieces(stack.resolve(stack.api.url)),
        "; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'none'; frame-ancestors 'none'",
      ]),
    );
  });

  it('has no error responses: the dashboard keeps its state in the query string, not in client-side routes', () => {
    expect(distributionConfig.CustomErrorResponses).toBeUndefined();
  });

  it('deploys config.json carrying the HTTP API URL, next to the build', () => {
    const configJson = deployedFile(app.outdir, deployment, 'config.json');
    expect(configJson).toEqual(joined(['{"apiUrl":"', ...pieces(stack.resolve(stack.api.url)), '"}']));
    expect((deployment.Properties!.SourceMarkersConfig as unknown[])[1]).toEqual({ jsonEscape: true });
    // The build: skipped here (as function bundling is), so a placeholder stands in for it.
    expect(deployment.Properties!.SourceObjectKeys).toHaveLength(2);
  });

  it('invalidates the distribution after each deployment, with a grant on that distribution only', () => {
    expect(deployment.Properties).toMatchObject({
      DestinationBucketName: { Ref: bucketId },
      DistributionId: { Ref: distributionId },
      DistributionPaths: ['/*'],
      SystemMetadata: { 'cache-control': 'public, max-age=0, s-maxage=31536000' },
      Prune: true,
    });
    const statements = Object.values(resourcesOf(template, 'AWS::IAM::Policy')).flatMap(
      (policy) => (policy.Properties!.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
    );
    const invalidations = statements.filter((statement) =>
      [statement.Action].flat().includes('cloudfront:CreateInvalidation'),
    );
    expect(invalidations).toHaveLength(1);
    expect(JSON.stringify(invalidations[0]!.Resource)).toContain(`"Ref":"${distributionId}"`);
  });

  it('outputs DashboardUrl, the distribution address', () => {
    template.hasOutput('DashboardUrl', {
      Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }, '/']] },
    });
  });

  it('empties and deletes itself in dev, and keeps the bucket and its files in other stages', () => {
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
    expect(deployment.Properties!.RetainOnDelete).toBe(false);
    const prod = synth({ stage: 'prod' }).template;
    const [, prodBucket] = only(resourcesOf(prod, 'AWS::S3::Bucket'), 'DashboardBucket');
    expect(prodBucket).toMatchObject({ DeletionPolicy: 'Retain' });
    const [, prodDeployment] = only(resourcesOf(prod, 'Custom::CDKBucketDeployment'), 'DashboardFiles');
    expect(prodDeployment.Properties!.RetainOnDelete).toBe(true);
  });
});

describe('the site setting', () => {
  it('site=bucket: an S3 website with public read and no CloudFront', () => {
    const { template } = synth({ site: 'bucket' });
    expect(Object.keys(resourcesOf(template, 'AWS::CloudFront::Distribution'))).toEqual([]);
    const [bucketId, bucket] = only(resourcesOf(template, 'AWS::S3::Bucket'), 'DashboardBucket');
    expect(bucket.Properties).toMatchObject({
      WebsiteConfiguration: { IndexDocument: 'index.html' },
      PublicAccessBlockConfiguration: { BlockPublicPolicy: false, RestrictPublicBuckets: false },
    });
    const [, policy] = only(resourcesOf(template, 'AWS::S3::BucketPolicy'), 'DashboardBucket');
    expect((policy.Properties!.PolicyDocument as { Statement: unknown[] }).Statement).toEqual([
      expect.objectContaining({ Effect: 'Allow', Action: 's3:GetObject', Principal: { AWS: '*' } }),
    ]);
    const [, deployment] = only(resourcesOf(template, 'Custom::CDKBucketDeployment'), 'DashboardFiles');
    expect(deployment.Properties!.DistributionId).toBeUndefined();
    template.hasOutput('DashboardUrl', { Value: { 'Fn::GetAtt': [bucketId, 'WebsiteURL'] } });
  });

  it('site=none: neither bucket nor distribution nor upload', () => {
    const { template } = synth({ site: 'none' });
    expect(Object.keys(resourcesOf(template, 'AWS::S3::Bucket'))).toEqual([
      expect.stringMatching(/^LakeBucket/),
    ]);
    expect(Object.keys(resourcesOf(template, 'AWS::CloudFront::Distribution'))).toEqual([]);
    expect(Object.keys(resourcesOf(template, 'Custom::CDKBucketDeployment'))).toEqual([]);
    expect(Object.keys(template.findOutputs('DashboardUrl'))).toEqual([]);
  });

  it('reads TOP_SONGS_SITE, lets context win, and rejects unknown modes', () => {
    expect(unsynthesized({}, { TOP_SONGS_SITE: 'none' }).config.site).toBe('none');
    expect(unsynthesized({ site: 'bucket' }, { TOP_SONGS_SITE: 'none' }).config.site).toBe('bucket');
    expect(() => unsynthesized({ site: 'website' })).toThrow(AppConfigError);
    expect(() => unsynthesized({ site: 'website' })).toThrow(/site/);
  });

  it.each(['cloudfront', 'bucket', 'none'])(
    'site=%s passes the AWS Solutions checks: every finding is fixed or acknowledged with a reason',
    (site) => {
      const { app } = unsynthesized({ site });
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
      expect(() => app.synth()).not.toThrow();
    },
  );
});

describe('the dashboard build at synth', () => {
  const site = (frontendDir: string) => {
    const app = new App({ outdir: assemblyDir() });
    const stack = new Stack(app, 'Site');
    new DashboardSite(stack, 'Dashboard', {
      mode: 'cloudfront',
      frontendDir,
      apiUrl: 'https://api.example.com/',
      removalPolicy: RemovalPolicy.DESTROY,
      logRetention: RetentionDays.ONE_DAY,
    });
    return { app, stack };
  };

  it('runs vite build into the deployed asset', () => {
    const { app, stack } = site(join(projectRoot, 'frontend'));
    const template = Template.fromStack(stack);
    const [, deployment] = only(resourcesOf(template, 'Custom::CDKBucketDeployment'), 'DashboardFiles');
    const [build] = deployment.Properties!.SourceObjectKeys as string[];
    const staged = join(app.outdir, `asset.${build!.replace(/\.zip$/, '')}`);
    expect(readFileSync(join(staged, 'index.html'), 'utf8')).toMatch(
      /<script type="module" [^>]*src="\.\/assets\//,
    );
    expect(readdirSync(join(staged, 'assets')).some((name) => name.endsWith('.js'))).toBe(true);
    expect(deployedFile(app.outdir, deployment, 'config.json')).toEqual([
      '{"apiUrl":"https://api.example.com/"}',
    ]);
  });

  it('stops synth with the reason when the dashboard cannot be built', () => {
    const empty = mkdtempSync(join(tmpdir(), 'top-songs-no-frontend-'));
    expect(() => site(empty)).toThrow(
      /Building the dashboard \(vite build in .*\) failed: vite is not installed/,
    );
  });
});
