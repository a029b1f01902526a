import { useMemo, useState } from 'preact/hooks';
import { createApi } from '../api/api-client.js';
import { clearSession, loadSession, type Session } from '../auth/session.js';
import { LoginPage } from '../pages/login-page.js';
import { AppContext } from './app-context.js';
import { AppShell } from './app-shell.js';
import { usePath } from './router.js';

export function App() {
  const [session, setSession] = useState<Session | undefined>(() => loadSession());
  const [expired, setExpired] = useState(false);
  const [path, navigate] = usePath();
  const signOut = () => {
    clearSession();
    setSession(undefined);
  };
  const api = useMemo(
    () =>
      session &&
      createApi(session.token, () => {
        setExpired(true);
        signOut();
      }),
    [session?.token],
  );
  if (!session || !api) {
    return (
      <LoginPage
        notice={expired ? 'The server refused the token (expired, or signed with another secret). Paste a new one.' : undefined}
        onSignedIn={(s) => {
          setExpired(false);
          setSession(s);
          if (path.startsWith('/login')) navigate('/');
        }}
      />
    );
  }
  return (
    <AppContext.Provider value={{ api, session, navigate }}>
      <AppShell path={path} navigate={navigate} onSignOut={signOut} />
    </AppContext.Provider>
  );
}
