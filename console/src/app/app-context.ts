import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Api } from '../api/api-client.js';
import type { Session } from '../auth/session.js';

export interface AppContextValue {
  api: Api;
  session: Session;
  navigate(path: string): void;
}

export const AppContext = createContext<AppContextValue | undefined>(undefined);

export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('useApp outside the signed-in app');
  return value;
}
