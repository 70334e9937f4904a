// Never a blank screen: a render error shows a translated notice with a way out.
import { Component, type ErrorInfo, type ReactNode } from 'react';
import { Button, Result } from 'antd';
import i18next from 'i18next';

interface Props {
  children: ReactNode;
  /** When given, a "back" button resets the boundary through this (e.g. to the case list). */
  onReset?: () => void;
}
interface State {
  error: Error | null;
}

export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('Render error', error, info.componentStack);
  }

  private reset = () => {
    this.setState({ error: null });
    this.props.onReset?.();
  };

  override render() {
    if (!this.state.error) return this.props.children;
    const t = i18next.t.bind(i18next);
    return (
      <div className="cw-fullscreen-center" data-testid="error-boundary">
        <Result
          status="error"
          title={t('errors.boundaryTitle')}
          subTitle={t('errors.boundaryText')}
          extra={[
            this.props.onReset ? (
              <Button key="back" onClick={this.reset}>
                {t('app.back')}
              </Button>
            ) : null,
            <Button key="reload" type="primary" onClick={() => window.location.reload()}>
              {t('app.reload')}
            </Button>,
          ]}
        />
      </div>
    );
  }
}
