// In the forms that write to the customer (a notice, a progress update), the summary takes
// scripts from the knowledge panel: this registers the field as the panel's target and
// offers the way there.
import { Button, type FormInstance } from 'antd';
import { BookOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { appendToNote, requestKnowledgePanel, useInsertTarget } from './note-insert';

/** The events whose `summary` is what the customer is told. */
const NOTICE_EVENTS: ReadonlySet<string> = new Set(['NOTIFY_CUSTOMER', 'RECORD_PROGRESS_UPDATE']);

export function NoticeScriptTarget({ type, form }: { type: string; form: FormInstance }) {
  return NOTICE_EVENTS.has(type) ? <SummaryTarget form={form} /> : null;
}

function SummaryTarget({ form }: { form: FormInstance }) {
  const { t } = useTranslation();
  useInsertTarget('notice', (text) => {
    const current = (form.getFieldValue('summary') as string | undefined) ?? '';
    form.setFieldValue('summary', appendToNote(current, text));
    void form.validateFields(['summary']).catch(() => undefined);
  });
  return (
    <Button
      icon={<BookOutlined />}
      size="small"
      onClick={requestKnowledgePanel}
      aria-keyshortcuts="F3"
      data-testid="notice-knowledge-open"
    >
      {t('knowledgePanel.insertScript')}
    </Button>
  );
}
