import type { ReactNode } from 'react';
import './Card.css';

interface CardProps {
  title?: ReactNode;
  actions?: ReactNode;
  className?: string;
  testId?: string;
  children: ReactNode;
}

export function Card({ title, actions, className, testId, children }: CardProps) {
  return (
    <section className={className ? `card ${className}` : 'card'} data-testid={testId}>
      {(title || actions) && (
        <header className="card__header">
          {title && <h2 className="card__title">{title}</h2>}
          {actions && <div className="card__actions">{actions}</div>}
        </header>
      )}
      {children}
    </section>
  );
}
