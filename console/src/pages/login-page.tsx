import { useState } from 'preact/hooks';
import { parseToken, saveSession, type Session } from '../auth/session.js';

export function LoginPage({ onSignedIn, notice }: { onSignedIn: (s: Session) => void; notice?: string | undefined }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [checking, setChecking] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const session = parseToken(text);
    if (typeof session === 'string') return setError(session);
    setChecking(true);
    setError(undefined);
    // Ask the server once, so a token signed with another secret is refused here and not on every page.
    try {
      const res = await fetch('/api/segments', { headers: { authorization: `Bearer ${session.token}` } });
      if (res.status === 401) return setError('The server refused this token (signed with another secret, or expired).');
      if (!res.ok && res.status !== 403) return setError(`The server answered ${res.status}; try again.`);
    } catch {
      return setError('The server cannot be reached. Is Sextant running?');
    } finally {
      setChecking(false);
    }
    saveSession(session);
    onSignedIn(session);
  };
  return (
    <main class="login" id="main">
      <form onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">Sign in to Sextant</h1>
        {notice && <p class="notice" role="status">{notice}</p>}
        <label for="token">Admin API token</label>
        <textarea id="token" name="token" rows={5} value={text} onInput={(e) => setText(e.currentTarget.value)} placeholder="eyJhbGciOiJIUzI1NiJ9…" autoFocus aria-describedby="token-help" aria-invalid={error ? 'true' : undefined} />
        <p id="token-help" class="hint">
          Create one with <code>npx sextant token --role marketer</code> (or <code>admin</code>, <code>viewer</code>). It is kept in this tab only.
        </p>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={checking || !text.trim()}>
          {checking ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
