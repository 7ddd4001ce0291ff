import { AssetHashType, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import {
  type AddToPrincipalPolicyResult,
  PolicyStatement,
  Role,
  ServicePrincipal,
} from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { acknowledgeBucketDeployment } from '../nag.ts';
import { stackOutput } from '../stack-output.ts';
import { viteBuild } from './dashboard-build.ts';

/** `cloudfront`: private bucket behind CloudFront; `bucket`: S3 static website hosting, for emulators. */
export type DashboardSiteMode = 'cloudfront' | 'bucket';

export interface DashboardSiteProps {
  readonly mode: DashboardSiteMode;
  /** The Vite project (frontend/): built at synth, like the functions are bundled (skipped in unit tests). */
  readonly frontendDir: string;
  /** Base URL of the HTTP API, a deploy-time token: written into `config.json` next to index.html. */
  readonly apiUrl: string;
  readonly removalPolicy: RemovalPolicy;
  readonly logRetention: RetentionDays;
}

/**
 * The dashboard as a static site: the Vite build plus a `config.json` carrying the API address, which
 * the dashboard reads at startup (frontend/src/config/runtime-config.ts), so one build fits any stack.
 */
export class DashboardSite extends Construct {
  readonly bucket: Bucket;
  /** With mode `cloudfront`; else undefined. */
  readonly distribution: Distribution | undefined;
  readonly deployment: BucketDeployment;
  /** Where the dashboard opens: `https://<id>.cloudfront.net/`, or the bucket's http website endpoint. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: DashboardSiteProps) {
    super(scope, id);
    const disposable = props.removalPolicy === RemovalPolicy.DESTROY;
    this.bucket = props.mode === 'cloudfront' ? privateBucket(this, props) : websiteBucket(this, props);
    this.distribution =
      props.mode === 'cloudfront' ? distribution(this, this.bucket, props.apiUrl) : undefined;
    this.url = this.distribution
      ? `https://${this.distribution.distributionDomainName}/`
      : this.bucket.bucketWebsiteUrl;
    stackOutput(this, 'DashboardUrl', { value: this.url, description: `The dashboard (site=${props.mode})` });

    const logGroup = new LogGroup(this, 'DeploymentLogs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    const role = new DeploymentRole(this, 'DeploymentRole', this.distribution?.distributionArn);
    logGroup.grantWrite(role);
    this.deployment = new BucketDeployment(this, 'Files', {
      sources: [
        Source.asset(props.frontendDir, {
          assetHashType: AssetHashType.OUTPUT,
          bundling: viteBuild(props.frontendDir),
        }),
        Source.jsonData('config.json', { apiUrl: props.apiUrl }),
      ],
      destinationBucket: this.bucket,
      // Browsers revalidate every file (cheap 304s); CloudFront keeps them until the invalidation below.
      cacheControl: [
        CacheControl.setPublic(),
        CacheControl.maxAge(Duration.seconds(0)),
        CacheControl.sMaxAge(Duration.days(365)),
      ],
      distribution: this.distribution,
      distributionPaths: this.distribution ? ['/*'] : undefined,
      // Disposable stages: deleting the stack deletes the files, so the bucket empties without a second
      // auto-delete custom resource. Other stages keep them, like the bucket.
      retainOnDelete: !disposable,
      // Its own handler (BucketDeployment keeps one per memory size), so that it runs with the role below.
      memoryLimit: 512,
      role,
      logGroup,
    });
    acknowledgeFindings(this, props.mode);
  }
}

/** Private, encrypted, TLS-only; CloudFront reads it through Origin Access Control. */
function privateBucket(scope: Construct, props: DashboardSiteProps): Bucket {
  return new Bucket(scope, 'Bucket', {
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    encryption: BucketEncryption.S3_MANAGED,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy: props.removalPolicy,
  });
}

/**
 * Static website hosting with public read, for emulators without CloudFront. No TLS-only policy: website
 * endpoints speak plain HTTP, which a deny on `aws:SecureTransport: false` would refuse.
 */
function websiteBucket(scope: Construct, props: DashboardSiteProps): Bucket {
  return new Bucket(scope, 'Bucket', {
    websiteIndexDocument: 'index.html',
    publicReadAccess: true,
    blockPublicAccess: BlockPublicAccess.BLOCK_ACLS_ONLY,
    encryption: BucketEncryption.S3_MANAGED,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy: props.removalPolicy,
  });
}

/**
 * CloudFront in front of the private bucket. No error responses rewriting 403/404 to index.html: the
 * dashboard has one page and keeps its state in the query string, so there are no client-side routes.
 */
function distribution(scope: Construct, bucket: Bucket, apiUrl: string): Distribution {
  const headers = new ResponseHeadersPolicy(scope, 'SecurityHeaders', {
    comment: 'Top Songs dashboard: security headers',
    securityHeadersBehavior: {
      // The build has no inline script or style; the page talks to itself (config.json) and the API only.
      contentSecurityPolicy: {
        contentSecurityPolicy: [
          "default-src 'self'",
          `connect-src 'self' ${apiUrl}`,
          "img-src 'self' data:",
          "object-src 'none'",
          "base-uri 'self'",
          "form-action 'none'",
          "frame-ancestors 'none'",
        ].join('; '),
        override: true,
      },
      strictTransportSecurity: {
        accessControlMaxAge: Duration.days(365),
        includeSubdomains: true,
        override: true,
      },
      contentTypeOptions: { override: true },
      frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
      referrerPolicy: {
        referrerPolicy: HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
        override: true,
      },
    },
  });
  return new Distribution(scope, 'Distribution', {
    comment: 'Top Songs dashboard',
    defaultRootObject: 'index.html',
    defaultBehavior: {
      origin: S3BucketOrigin.withOriginAccessControl(bucket),
      viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
      cachePolicy: CachePolicy.CACHING_OPTIMIZED,
      responseHeadersPolicy: headers,
      compress: true,
    },
    // North America and Europe edges only: the cheapest class; other viewers reach the nearest of those.
    priceClass: PriceClass.PRICE_CLASS_100,
    httpVersion: HttpVersion.HTTP2_AND_3,
  });
}

/**
 * The deployment handler's role. BucketDeployment grants cloudfront:CreateInvalidation and
 * GetInvalidation on Resource "*"; both take a distribution ARN, so this role narrows that statement to
 * the site's distribution (nothing in the stack is granted on "*": test/unit/infra/security.test.ts).
 */
class DeploymentRole extends Role {
  readonly distributionArn: string | undefined;

  constructor(scope: Construct, id: string, distributionArn: string | undefined) {
    super(scope, id, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    this.distributionArn = distributionArn;
  }

  override addToPrincipalPolicy(statement: PolicyStatement): AddToPrincipalPolicyResult {
    const invalidation =
      statement.actions.every((action) => action.startsWith('cloudfront:')) &&
      statement.resources.includes('*');
    if (!invalidation || !this.distributionArn) return super.addToPrincipalPolicy(statement);
    return super.addToPrincipalPolicy(
      new PolicyStatement({ actions: statement.actions, resources: [this.distributionArn] }),
    );
  }
}

/** What cdk-nag (AwsSolutions) flags here, and why it is what we mean. */
function acknowledgeFindings(site: DashboardSite, mode: DashboardSiteMode): void {
  Validations.of(site.bucket).acknowledge({
    id: 'AwsSolutions-S1',
    reason:
      mode === 'cloudfront'
        ? 'The bucket holds the public dashboard files only; its one reader is CloudFront (OAC) and its one writer the deployment. Server access logs would need a log bucket of their own for no added insight.'
        : 'site=bucket, for emulators: the bucket holds the public dashboard files only.',
  });
  if (mode === 'bucket') {
    const reason =
      'site=bucket is for emulators without CloudFront (docs/deploy.md): S3 static website hosting must be public-read and is served over plain HTTP. The files are the public dashboard; use site=cloudfront on AWS.';
    Validations.of(site.bucket).acknowledge(
      { id: 'AwsSolutions-S2', reason },
      { id: 'AwsSolutions-S5', reason },
      { id: 'AwsSolutions-S10', reason },
    );
  }
  if (site.distribution) {
    Validations.of(site.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason: 'The charts are public and meant for every region the app charts: no country is excluded.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'Static public files only (the API has its own stage throttling); a web ACL costs more per month than the site at low traffic. Add one when abuse shows up.',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason:
          'Access logs of public static files would need a log bucket with ACLs; the CloudFront console reports and metrics cover a dashboard at this scale.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'No custom domain yet: with the default *.cloudfront.net certificate, CloudFront sets the viewer TLS policy itself. A domain with an ACM certificate and TLSv1.2_2021 is the fix once the site gets one.',
      },
    );
  }
  acknowledgeBucketDeployment(
    site.deployment,
    site.bucket,
    "the site bucket's objects (the build, config.json)",
  );
}
