import type { ReactNode } from 'react';
import './Alert.css';

interface AlertProps {
  tone?: 'error' | 'info';
  title: string;
  children?: ReactNode;
  testId?: string;
}

/** A banner announced to assistive technology; errors interrupt, info waits its turn. */
export function Alert({ tone = 'error', title, children, testId }: AlertProps) {
  return (
    <div className={`alert alert--${tone}`} role={tone === 'error' ? 'alert' : 'status'} data-testid={testId}>
      <strong className="alert__title">{title}</strong>
      {children && <span className="alert__body">{children}</span>}
    </div>
  );
}
