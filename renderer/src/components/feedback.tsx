// One way to report a failed call: a translated message; a lost session sends the agent to sign in.
import { createContext, useCallback, useContext } from 'react';
import { App } from 'antd';
import { useTranslation } from 'react-i18next';
import { SESSION_LOST_CODES, toContractError, translateErrorCode } from '../errors';

export const SessionLostContext = createContext<() => void>(() => undefined);

export function useReportError(): (error: unknown) => void {
  const { message } = App.useApp();
  const { t } = useTranslation();
  const onSessionLost = useContext(SessionLostContext);
  return useCallback(
    (error: unknown) => {
      const { code } = toContractError(error);
      if (code === 'INTERNAL') console.error(error);
      void message.error({ content: translateErrorCode(t, code), key: `error-${code}` });
      if (SESSION_LOST_CODES.has(code)) onSessionLost();
    },
    [message, t, onSessionLost],
  );
}
