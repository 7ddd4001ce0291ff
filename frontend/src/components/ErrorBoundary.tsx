import { Component, type ErrorInfo, type ReactNode } from 'react';
import { Alert } from './Alert';

interface ErrorBoundaryProps {
  children: ReactNode;
}

interface ErrorBoundaryState {
  error: Error | undefined;
}

/** Shows a readable message instead of a blank page when rendering fails. */
export class ErrorBoundary extends Component<ErrorBoundaryProps, ErrorBoundaryState> {
  override state: ErrorBoundaryState = { error: undefined };

  static getDerivedStateFromError(error: Error): ErrorBoundaryState {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo) {
    console.error('Dashboard crashed', error, info.componentStack);
  }

  override render() {
    if (this.state.error) {
      return (
        <div className="page">
          <Alert title="The dashboard hit an unexpected error.">
            {this.state.error.message} Reload the page to try again.
          </Alert>
        </div>
      );
    }
    return this.props.children;
  }
}
