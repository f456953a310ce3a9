import { useEffect, useState } from 'react';
import { currentSession, onSessionChange, type StoredSession } from '../services/session';

/** The signed-in patient, or null; re-renders on sign-in, sign-out and token refresh. */
export function useSession(): StoredSession | null {
  const [session, setSession] = useState(currentSession);
  useEffect(() => onSessionChange(setSession), []);
  return session;
}
