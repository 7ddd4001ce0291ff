import type { ReactNode } from 'react';
import './EmptyState.css';

interface EmptyStateProps {
  title: string;
  children?: ReactNode;
  testId?: string;
}

export function EmptyState({ title, children, testId }: EmptyStateProps) {
  return (
    <div className="empty-state" role="status" data-testid={testId}>
      <div className="empty-state__icon" aria-hidden="true">
        ♪
      </div>
      <p className="empty-state__title">{title}</p>
      {children && <p className="empty-state__body">{children}</p>}
    </div>
  );
}
