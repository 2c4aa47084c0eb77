const ERRORS: Record<string, string> = {
  not_a_member:
    'You signed in, but you are not a member of a firm on Handoff. Ask your firm’s Handoff admin for an invitation.',
  invitation_invalid: 'This invitation has expired or was already used. Ask your admin for a new one.',
  wrong_organisation:
    'You signed in with an account of another organisation than the one your firm connected. Sign in with your work account.',
  refused: 'The sign-in was cancelled or refused. Try again.',
  unavailable: 'The identity provider could not be reached. Try again in a minute.',
  expired: 'The sign-in took too long. Start again.',
};

/** Sign in with the firm's identity provider; an invitation link carries its token through. */
export function SignInPage() {
  const q = new URLSearchParams(location.search);
  const invitation = q.get('invitation') ?? undefined;
  const error = q.get('error');
  const start = (provider: 'entra' | 'salesforce') => {
    const p = new URLSearchParams();
    if (invitation) p.set('invitation', invitation);
    const returnTo = q.get('returnTo');
    if (returnTo?.startsWith('/console/')) p.set('returnTo', returnTo);
    const s = p.toString();
    return `/console/auth/${provider}/start${s ? `?${s}` : ''}`;
  };
  return (
    <main class="sign-in">
      <h1>Sign in to Handoff</h1>
      {invitation && (
        <p>You were invited to your firm’s Handoff console. Sign in with your work account to accept.</p>
      )}
      {error && (
        <p role="alert" class="error">
          {ERRORS[error] ?? q.get('message') ?? 'The sign-in did not complete. Try again.'}
        </p>
      )}
      <ul class="providers">
        <li>
          <a class="button primary" href={start('entra')}>
            Sign in with Microsoft
          </a>
        </li>
        <li>
          <a class="button" href={start('salesforce')}>
            Sign in with Salesforce
          </a>
        </li>
      </ul>
      <p class="hint">Handoff never sees your password: your firm’s identity provider signs you in.</p>
    </main>
  );
}
