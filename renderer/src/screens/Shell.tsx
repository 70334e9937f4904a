// The signed-in frame: header, navigation, the current screen and the sync status bar.
import { useCallback, useState } from 'react';
import { Alert, App, Avatar, Badge, Button, Layout, Menu, Tooltip } from 'antd';
import {
  ExclamationCircleOutlined,
  FormOutlined,
  LogoutOutlined,
  UnorderedListOutlined,
} from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { Session, SyncStatus } from '../../../shared/contract';
import { ErrorBoundary } from '../components/ErrorBoundary';
import { useReportError } from '../components/feedback';
import { LanguageSwitch } from '../components/LanguageSwitch';
import { Logo } from '../components/Logo';
import { StatusBar } from '../components/StatusBar';
import { callWorkstation } from '../workstation';
import { CaseDetailScreen } from './CaseDetailScreen';
import { ConflictsScreen } from './ConflictsScreen';
import { IntakeScreen } from './IntakeScreen';
import { clearDeskHash, NEW_INTAKE_KEY, useIntakeDeskRoutes } from './intake/desk-routes';
import { WalkInReceipt } from './intake/WalkInReceipt';
import { QueueScreen } from './QueueScreen';

export type Route =
  | { name: 'cases' }
  | { name: 'intake'; callNumber?: string }
  | { name: 'receipt'; caseId: string }
  | { name: 'conflicts' }
  | { name: 'case'; caseId: string };

interface Props {
  session: Session;
  onSignedOut: () => void;
}

export function Shell({ session, onSignedOut }: Props) {
  const { t } = useTranslation();
  const { modal, message } = App.useApp();
  const reportError = useReportError();
  const [route, setRoute] = useState<Route>({ name: 'cases' });
  const [syncStatus, setSyncStatus] = useState<SyncStatus | null>(null);
  const [intakeKey, setIntakeKey] = useState(0);

  const goCases = useCallback(() => setRoute({ name: 'cases' }), []);
  const openCase = useCallback((caseId: string) => setRoute({ name: 'case', caseId }), []);
  const newIntake = useCallback(() => {
    setIntakeKey((k) => k + 1);
    setRoute({ name: 'intake' });
  }, []);
  // F2, screen pops (#/call?number=…) and walk-in receipts (#/receipt/<id>).
  useIntakeDeskRoutes({
    onNewIntake: newIntake,
    onCall: (callNumber) => {
      setIntakeKey((k) => k + 1);
      setRoute({ name: 'intake', callNumber });
    },
    onReceipt: (caseId) => setRoute({ name: 'receipt', caseId }),
  });

  const signOut = () => {
    modal.confirm({
      title: t('header.signOutConfirm'),
      okText: t('header.signOut'),
      cancelText: t('app.cancel'),
      okButtonProps: { 'data-testid': 'sign-out-confirm' } as Record<string, string>,
      onOk: async () => {
        try {
          await callWorkstation('session.signOut', {});
          void message.success(t('header.signedOut'));
          onSignedOut();
        } catch (error) {
          reportError(error);
        }
      },
    });
  };

  const user = session.user;
  const selectedNav = route.name === 'case' ? 'cases' : route.name;

  let content;
  switch (route.name) {
    case 'cases':
      content = (
        <QueueScreen session={session} onOpenCase={openCase} onNewComplaint={newIntake} />
      );
      break;
    case 'intake':
      content = (
        <IntakeScreen
          key={intakeKey}
          onOpenCase={openCase}
          onLogAnother={newIntake}
          session={session}
          callNumber={route.callNumber}
        />
      );
      break;
    case 'receipt':
      content = (
        <WalkInReceipt
          caseId={route.caseId}
          session={session}
          onBack={() => {
            clearDeskHash();
            newIntake();
          }}
        />
      );
      break;
    case 'conflicts':
      content = <ConflictsScreen onOpenCase={openCase} />;
      break;
    case 'case':
      content = (
        <CaseDetailScreen
          caseId={route.caseId}
          session={session}
          onBack={goCases}
          onOpenCase={openCase}
        />
      );
      break;
  }

  return (
    <Layout className="cw-shell" data-testid="shell">
      <Layout.Header className="cw-header">
        <div className="cw-brand">
          <Logo />
          <div>
            <div className="cw-brand-name">{t('app.name')}</div>
            <div className="cw-brand-sub">{t('app.tagline')}</div>
          </div>
        </div>
        <span className="cw-header-spacer" />
        <div className="cw-header-user" data-testid="header-user">
          <Avatar size={32} style={{ background: '#3d6fb3', flex: 'none' }}>
            {user.displayName.slice(0, 1)}
          </Avatar>
          <div>
            <div className="cw-header-user-name" data-testid="header-user-name">
              {user.displayName}
            </div>
            <div className="cw-header-user-role" data-testid="header-user-role">
              {t(`roles.${user.role}`)} ·{' '}
              {t('header.workstation', { code: session.workstationCode })}
            </div>
          </div>
        </div>
        <span className="cw-header-divider" />
        <LanguageSwitch />
        <Tooltip title={t('header.signOut')}>
          <Button
            type="text"
            icon={<LogoutOutlined />}
            onClick={signOut}
            data-testid="sign-out"
            style={{ color: 'rgba(255,255,255,0.85)' }}
          >
            {t('header.signOut')}
          </Button>
        </Tooltip>
      </Layout.Header>
      <Layout>
        <Layout.Sider
          width={208}
          theme="light"
          className="cw-sider"
          breakpoint="lg"
          collapsedWidth={64}
        >
          <Menu
            mode="inline"
            selectedKeys={[selectedNav]}
            data-testid="nav"
            items={[
              {
                key: 'cases',
                icon: <UnorderedListOutlined />,
                label: <span data-testid="nav-my-cases">{t('queue.nav')}</span>,
              },
              {
                key: 'intake',
                icon: <FormOutlined />,
                label: (
                  <span data-testid="nav-new-complaint">
                    {t('nav.newComplaint')} <kbd className="cw-nav-kbd">{NEW_INTAKE_KEY}</kbd>
                  </span>
                ),
              },
              {
                key: 'conflicts',
                icon: <ExclamationCircleOutlined />,
                label: (
                  <span data-testid="nav-conflicts">
                    {t('nav.conflicts')}{' '}
                    <Badge
                      count={syncStatus?.rejected ?? 0}
                      size="small"
                      data-testid="nav-conflicts-count"
                    />
                  </span>
                ),
              },
            ]}
            onClick={({ key }) =>
              key === 'intake'
                ? newIntake()
                : key === 'conflicts'
                  ? setRoute({ name: 'conflicts' })
                  : goCases()
            }
          />
        </Layout.Sider>
        <Layout.Content className="cw-content">
          <div className="cw-page">
            {syncStatus?.state === 'offline' ? (
              <Alert
                type="warning"
                showIcon
                banner
                title={t('sync.offlineNotice')}
                data-testid="offline-banner"
                style={{ marginBottom: 16, borderRadius: 6 }}
              />
            ) : null}
            <ErrorBoundary
              key={route.name === 'case' ? route.caseId : route.name}
              onReset={goCases}
            >
              {content}
            </ErrorBoundary>
          </div>
        </Layout.Content>
      </Layout>
      <Layout.Footer className="cw-footer">
        <StatusBar onStatus={setSyncStatus} />
      </Layout.Footer>
    </Layout>
  );
}
