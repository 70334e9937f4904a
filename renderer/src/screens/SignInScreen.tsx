// Sign-in: username and password; errors come back as codes and are shown translated.
import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { contract, type Session } from '../../../shared/contract';
import { LanguageSwitch } from '../components/LanguageSwitch';
import { Logo } from '../components/Logo';
import {
  errorCode,
  mapFieldErrors,
  schemaFieldCode,
  toContractError,
  translateErrorCode,
  translateFieldCode,
} from '../errors';
import { callWorkstation } from '../workstation';

const FIELDS = ['username', 'password'] as const;
type Field = (typeof FIELDS)[number];
const SCHEMA = contract['session.signIn'].input.shape;

export const DEMO_ACCOUNT = { username: 'agent01', password: 'demo1234' };

interface Props {
  notice: 'sessionLost' | null;
  onSignedIn: (session: Session) => void;
}

export function SignInScreen({ notice, onSignedIn }: Props) {
  const { t } = useTranslation();
  const [values, setValues] = useState<Record<Field, string>>({ username: '', password: '' });
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<Field, string>>>({});
  const [errorCodeShown, setErrorCodeShown] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);

  const change = (field: Field, value: string) => {
    setValues((v) => ({ ...v, [field]: value }));
    if (fieldErrors[field]) setFieldErrors((e) => ({ ...e, [field]: undefined }));
  };

  const submit = async () => {
    if (submitting) return;
    const local: Partial<Record<Field, string>> = {};
    for (const field of FIELDS) {
      const code = schemaFieldCode(SCHEMA[field], values[field]);
      if (code) local[field] = code;
    }
    setFieldErrors(local);
    if (Object.keys(local).length > 0) return;
    setSubmitting(true);
    setErrorCodeShown(null);
    try {
      const session = await callWorkstation('session.signIn', values);
      onSignedIn(session);
    } catch (error) {
      const contractError = toContractError(error);
      if (contractError.code === 'VALIDATION') {
        setFieldErrors(mapFieldErrors(FIELDS, contractError).byField);
      }
      setErrorCodeShown(errorCode(error));
      setSubmitting(false);
    }
  };

  const itemProps = (field: Field) => ({
    label: t(`signIn.${field}`),
    validateStatus: fieldErrors[field] ? ('error' as const) : undefined,
    help: fieldErrors[field] ? translateFieldCode(t, fieldErrors[field]) : undefined,
    htmlFor: `signin-${field}`,
  });

  return (
    <div className="cw-signin" data-testid="signin-screen">
      <div style={{ position: 'absolute', top: 16, right: 24 }}>
        <LanguageSwitch />
      </div>
      <div className="cw-signin-brand">
        <Logo />
        <div>
          <div className="cw-signin-brand-name">{t('app.name')}</div>
          <div className="cw-signin-brand-sub">{t('app.tagline')}</div>
        </div>
      </div>
      <Card className="cw-signin-card" styles={{ body: { padding: '28px 32px 24px' } }}>
        <Typography.Title level={4} style={{ marginTop: 0, marginBottom: 4 }}>
          {t('signIn.title')}
        </Typography.Title>
        <Typography.Paragraph type="secondary" style={{ marginBottom: 20 }}>
          {t('signIn.subtitle')}
        </Typography.Paragraph>
        {notice === 'sessionLost' && !errorCodeShown ? (
          <Alert
            type="warning"
            showIcon
            title={t('signIn.sessionLost')}
            style={{ marginBottom: 16 }}
          />
        ) : null}
        {errorCodeShown ? (
          <Alert
            type="error"
            showIcon
            data-testid="signin-error"
            data-code={errorCodeShown}
            title={translateErrorCode(t, errorCodeShown)}
            style={{ marginBottom: 16 }}
          />
        ) : null}
        <Form
          layout="vertical"
          requiredMark={false}
          onFinish={() => void submit()}
          data-testid="signin-form"
        >
          <Form.Item {...itemProps('username')}>
            <Input
              id="signin-username"
              data-testid="signin-username"
              size="large"
              autoFocus
              autoComplete="username"
              prefix={<UserOutlined style={{ color: '#8591a0' }} />}
              placeholder={t('signIn.usernamePlaceholder')}
              value={values.username}
              onChange={(e) => change('username', e.target.value)}
            />
          </Form.Item>
          <Form.Item {...itemProps('password')}>
            <Input.Password
              id="signin-password"
              data-testid="signin-password"
              size="large"
              autoComplete="current-password"
              prefix={<LockOutlined style={{ color: '#8591a0' }} />}
              placeholder={t('signIn.passwordPlaceholder')}
              value={values.password}
              onChange={(e) => change('password', e.target.value)}
            />
          </Form.Item>
          <Button
            type="primary"
            htmlType="submit"
            size="large"
            block
            loading={submitting}
            data-testid="signin-submit"
          >
            {submitting ? t('signIn.submitting') : t('signIn.submit')}
          </Button>
        </Form>
        <Typography.Paragraph
          type="secondary"
          data-testid="signin-hint"
          style={{ marginTop: 16, marginBottom: 0, textAlign: 'center', fontSize: 13 }}
        >
          {t('signIn.demoHint', DEMO_ACCOUNT)}
        </Typography.Paragraph>
      </Card>
      <div className="cw-signin-footer">{t('signIn.footer')}</div>
    </div>
  );
}
