import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router-dom';
import { auth } from '../api/endpoints';

/** Ends the session and forgets every cached answer, even if the server is unreachable. */
export function useLogout(): () => Promise<void> {
  const qc = useQueryClient();
  const navigate = useNavigate();
  return async () => {
    try {
      await auth.logout();
    } catch {
      // the cookie may already be gone; leaving is still right
    } finally {
      qc.clear();
      void navigate('/login', { replace: true });
    }
  };
}
