// The application: who is signed in decides between the sign-in screen and the shell.
import { useCallback, useEffect, useState } from 'react';
import { Button, Result, Spin } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Session } from '../../shared/contract';
import { SessionLostContext } from './components/feedback';
import { ErrorBoundary } from './components/ErrorBoundary';
import { errorCode, translateErrorCode } from './errors';
import { useWorkstationEvent } from './hooks';
import { SignInScreen } from './screens/SignInScreen';
import { Shell } from './screens/Shell';
import { callWorkstation } from './workstation';

type Phase =
  | { kind: 'loading' }
  | { kind: 'failed'; code: string }
  | { kind: 'signedOut'; notice: 'sessionLost' | null }
  | { kind: 'signedIn'; session: Session };

export function App() {
  const { t } = useTranslation();
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });

  const loadSession = useCallback(async () => {
    setPhase({ kind: 'loading' });
    try {
      const session = await callWorkstation('session.current', {});
      setPhase(session ? { kind: 'signedIn', session } : { kind: 'signedOut', notice: null });
    } catch (error) {
      const code = errorCode(error);
      setPhase(
        code === 'UNAUTHENTICATED' || code === 'NOT_SIGNED_IN'
          ? { kind: 'signedOut', notice: null }
          : { kind: 'failed', code },
      );
    }
  }, []);

  useEffect(() => {
    void loadSession();
  }, [loadSession]);

  const onSessionLost = useCallback(() => {
    setPhase((current) =>
      current.kind === 'signedIn' ? { kind: 'signedOut', notice: 'sessionLost' } : current,
    );
  }, []);

  // The backend may end the session on its own (token refused): check, then leave the shell.
  useWorkstationEvent('sync.status', (status) => {
    if (status.state !== 'signed_out' || phase.kind !== 'signedIn') return;
    callWorkstation('session.current', {})
      .then((session) => {
        if (!session) onSessionLost();
      })
      .catch(() => undefined);
  });

  let screen;
  switch (phase.kind) {
    case 'loading':
      screen = (
        <div className="cw-fullscreen-center" data-testid="app-loading">
          <Spin size="large" description={t('app.loading')} />
        </div>
      );
      break;
    case 'failed':
      screen = (
        <div className="cw-fullscreen-center" data-testid="app-failed">
          <Result
            status="warning"
            title={t('app.startupFailed')}
            subTitle={translateErrorCode(t, phase.code)}
            extra={
              <Button type="primary" onClick={() => void loadSession()}>
                {t('app.retry')}
              </Button>
            }
          />
        </div>
      );
      break;
    case 'signedOut':
      screen = (
        <SignInScreen
          notice={phase.notice}
          onSignedIn={(session) => setPhase({ kind: 'signedIn', session })}
        />
      );
      break;
    case 'signedIn':
      screen = (
        <Shell
          session={phase.session}
          onSignedOut={() => setPhase({ kind: 'signedOut', notice: null })}
        />
      );
      break;
  }

  return (
    <SessionLostContext.Provider value={onSessionLost}>
      <ErrorBoundary>{screen}</ErrorBoundary>
    </SessionLostContext.Provider>
  );
}
