/**
 * The schemas of app-config.ts's context values that are more than a string: comma lists, JSON objects
 * (`-c kafka='{…}'`), secret ARNs, the Kafka cluster and the EMR step's settings.
 */
import { AuthenticationMethod } from 'aws-cdk-lib/aws-lambda-event-sources';
import { z } from 'zod';

export const commaList = z
  .union([z.string(), z.array(z.string())])
  .transform((value) =>
    (typeof value === 'string' ? value.split(',') : value).map((item) => item.trim()).filter(Boolean),
  );

/** A `-c kafka='{"bootstrapServers": [...]}'` arrives as a string; cdk.json gives an object. */
export const jsonObject = z.union([
  z.record(z.string(), z.unknown()),
  z.string().transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'is neither an object nor a JSON object string' });
      return z.NEVER;
    }
  }),
]);

export const secretArn = z
  .string()
  .regex(
    /^arn:[a-z-]+:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+$/,
    'must be a Secrets Manager secret ARN',
  );

export const kafkaSchema = z
  .strictObject({
    /** `host:port` of the brokers Lambda's event source mapping and the ingest producer bootstrap from. */
    bootstrapServers: commaList.pipe(
      z.array(z.string().regex(/^[^\s:/]+:\d{1,5}$/, 'bootstrap servers are host:port')).min(1),
    ),
    /**
     * The broker credentials. Lambda's self-managed Kafka event source needs a secret unless the brokers
     * are reached through a VPC (not supported by this app yet), so it is required here.
     */
    secretArn,
    /** The methods ingest's producer speaks too (src/adapters/transport/kafka/transport.ts). */
    authenticationMethod: z
      .enum([
        AuthenticationMethod.SASL_SCRAM_512_AUTH,
        AuthenticationMethod.SASL_SCRAM_256_AUTH,
        AuthenticationMethod.BASIC_AUTH,
      ])
      .default(AuthenticationMethod.SASL_SCRAM_512_AUTH),
    /** An Amazon MSK cluster: consumers get MSK event sources (which authenticate with SCRAM-512 secrets). */
    mskClusterArn: z
      .string()
      .regex(/^arn:[a-z-]+:kafka:[a-z0-9-]+:\d{12}:cluster\/.+$/, 'must be an MSK cluster ARN')
      .optional(),
  })
  .refine(
    (kafka) =>
      !kafka.mskClusterArn || kafka.authenticationMethod === AuthenticationMethod.SASL_SCRAM_512_AUTH,
    {
      message: 'MSK event sources authenticate with SASL_SCRAM_512_AUTH secrets only',
      path: ['authenticationMethod'],
    },
  );

/** `-c emr=true` (defaults below) or `-c emr='{"coreInstanceCount": 2}'`; needs `kafka` (the job reads it). */
export const emrSettingsSchema = z.strictObject({
  /** EMR on EC2 release of the AWS runtime for Apache Spark 4.0.2 (docs/spark.md). */
  releaseLabel: z
    .string()
    .regex(/^emr-[\w.-]+$/, 'an EMR release label, e.g. emr-spark-8.0.0')
    .default('emr-spark-8.0.0'),
  primaryInstanceType: z.string().min(1).default('m5.xlarge'),
  coreInstanceType: z.string().min(1).default('m5.xlarge'),
  coreInstanceCount: z.coerce.number().int().min(1).max(20).default(1),
  /** A subnet that reaches the Kafka brokers; absent: EMR picks the default VPC. */
  subnetId: z
    .string()
    .regex(/^subnet-[0-9a-f]+$/, 'a subnet id')
    .optional(),
  /** Folder of the connector jars (spark/setup.sh fills it); default below, from TOP_SONGS_CACHE. */
  jarsDir: z.string().min(1).optional(),
});

export const emrSwitch = z
  .union([
    z.boolean(),
    z.enum(['true', 'false', '1', '0']).transform((flag) => flag === 'true' || flag === '1'),
    jsonObject.pipe(emrSettingsSchema),
  ])
  .transform((value) => (value === false ? undefined : value === true ? emrSettingsSchema.parse({}) : value));
