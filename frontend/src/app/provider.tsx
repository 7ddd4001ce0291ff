import { type ReactNode, StrictMode } from 'react';
import { ErrorBoundary } from '../components/ErrorBoundary';

/** App-wide wrappers; the place for future context providers. */
export function AppProvider({ children }: { children: ReactNode }) {
  return (
    <StrictMode>
      <ErrorBoundary>{children}</ErrorBoundary>
    </StrictMode>
  );
}
