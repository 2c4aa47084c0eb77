/**
 * The keys tests run with: each a current key with an id and a previous one still accepted (the state of a
 * deployment in the middle of a rotation), so rotation tests can write with the previous key and rotate.
 */
export const TEST_KEYRINGS = {
  SECRETS_KEY_ID: 'test-2',
  SECRETS_KEY_PREVIOUS: `test-1:${Buffer.from('handoff-previous-secrets-key-32b').toString('base64')}`,
  EMBED_SIGNING_KEY: Buffer.from('handoff-test-embed-signing-key32').toString('base64'),
  EMBED_SIGNING_KEY_ID: 'embed-2',
  EMBED_SIGNING_KEY_PREVIOUS: `embed-1:${Buffer.from('handoff-previous-embed-key-32byt').toString('base64')}`,
};
