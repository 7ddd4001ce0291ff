import { z } from 'zod';
import { readSecretString } from './secret-string.ts';

/**
 * The catalog generator's OpenAI key, as the stack creates its secret: the JSON document `{"api_key": ""}`,
 * which the operator fills in (`{"api_key": "sk-…"}`). Empty means "no key yet": the generator then falls
 * back to the seeded catalog, labelled so.
 */
const openAiKeyDocument = z.object({ api_key: z.string() });

export class OpenAiSecretError extends Error {
  override name = 'OpenAiSecretError';
}

/** The key in the secret's value, or undefined while it is empty. Never echoes the value. */
export function openAiKeyFromSecret(value: string, secretId: string): string | undefined {
  let document: unknown;
  try {
    document = JSON.parse(value);
  } catch {
    document = undefined;
  }
  const parsed = openAiKeyDocument.safeParse(document);
  if (!parsed.success) {
    throw new OpenAiSecretError(
      `The OpenAI secret ${secretId} does not hold the JSON {"api_key": "…"}. Put the key in: ` +
        `aws secretsmanager put-secret-value --secret-id ${secretId} --secret-string '{"api_key":"sk-…"}'`,
    );
  }
  return parsed.data.api_key.trim() || undefined;
}

/** Reads the key from Secrets Manager (OPENAI_SECRET_ARN), as deployed catalog-generate does at cold start. */
export async function readOpenAiKeySecret(secretId: string): Promise<string | undefined> {
  return openAiKeyFromSecret(await readSecretString(secretId, 'OpenAI', OpenAiSecretError), secretId);
}
