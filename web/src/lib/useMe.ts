import { useQuery } from '@tanstack/react-query';
import { auth } from '../api/endpoints';

export const ME_KEY = ['me'] as const;

/** The logged-in user with their permissions; the menu and guards read it. */
export function useMe() {
  return useQuery({ queryKey: ME_KEY, queryFn: auth.me, retry: false, staleTime: 60_000 });
}
