import { fail, type ProbeOutcome } from '../../ports/connection-probe.ts';
import { UNREACHABLE_ERRNOS } from '../network-errors.ts';
import { errorCodes, hasAny, oneLine, UNKNOWN_HOST } from './error-codes.ts';

/** What an AWS SDK client's failure means, for a service at an endpoint named by `setting`. */
export function awsRefusal(
  error: unknown,
  where: { readonly service: string; readonly setting: string; readonly start: string },
): ProbeOutcome {
  const codes = errorCodes(error);
  const detail = oneLine(error);
  if (hasAny(codes, UNKNOWN_HOST)) {
    return fail(detail, `the ${where.service} endpoint's host does not resolve: check ${where.setting}`);
  }
  if (hasAny(codes, UNREACHABLE_ERRNOS) || codes.has('TimeoutError') || codes.has('AbortError')) {
    return fail(
      detail,
      `is the ${where.service} endpoint running? ${where.start}, or check ${where.setting}`,
    );
  }
  if (codes.has('CredentialsProviderError')) {
    return fail(
      detail,
      'no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)',
    );
  }
  if (
    hasAny(codes, [
      'InvalidAccessKeyId',
      'SignatureDoesNotMatch',
      'InvalidClientTokenId',
      'UnrecognizedClientException',
      'AccessDenied',
      'AccessDeniedException',
      'ExpiredToken',
    ])
  ) {
    return fail(
      detail,
      `${where.service} refused the AWS credentials: check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) and AWS_REGION`,
    );
  }
  return fail(detail, `check ${where.setting}, AWS_REGION and the AWS credentials`);
}
