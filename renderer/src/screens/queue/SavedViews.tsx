// Saved queue views: the current tab, filters, sort and search under a name the agent
// chooses; applied from a list, deleted after a confirmation. Kept per user by the backend.
import { useCallback, useEffect, useState } from 'react';
import { App, Button, Form, Input, Modal, Popconfirm, Select, Space, Tooltip } from 'antd';
import type { ButtonProps } from 'antd';
import { DeleteOutlined, SaveOutlined } from '@ant-design/icons';
import i18next, { type TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import {
  QUEUE_VIEW_NAME_MAX,
  QueueViewName,
  type QueueSelection,
  type SavedQueueView,
} from '../../../../shared/queue';
import { useReportError } from '../../components/feedback';
import {
  errorCode,
  mapFieldErrors,
  schemaFieldCode,
  toContractError,
  translateErrorCode,
  translateFieldCode,
} from '../../errors';
import { callWorkstation } from '../../workstation';

/** A queue code in the queue's own words, else the shared field or error wording. */
export function queueErrorText(t: TFunction, code: string, kind: 'field' | 'error'): string {
  const own = `queue.errors.${code}`;
  if (/^[A-Z_]+$/.test(code) && i18next.exists(own)) return t(own);
  return kind === 'field' ? translateFieldCode(t, code) : translateErrorCode(t, code);
}

interface Props {
  selection: QueueSelection;
  activeViewId: string | null;
  onApply: (view: SavedQueueView) => void;
  onActiveViewGone: () => void;
}

export function SavedViews({ selection, activeViewId, onApply, onActiveViewGone }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const reportError = useReportError();
  const [views, setViews] = useState<SavedQueueView[]>([]);
  const [saving, setSaving] = useState(false);
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [nameError, setNameError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setViews(await callWorkstation('queue.views.list', {}));
    } catch (error) {
      reportError(error);
    }
  }, [reportError]);

  useEffect(() => {
    void load();
  }, [load]);

  const active = views.find((view) => view.id === activeViewId) ?? null;

  const openSave = () => {
    setName(active?.name ?? '');
    setNameError(null);
    setOpen(true);
  };

  const save = async () => {
    // Checked here by the backend's own rule first: nothing is sent that it would refuse.
    const localCode = schemaFieldCode(QueueViewName, name);
    if (localCode) {
      setNameError(localCode);
      return;
    }
    setSaving(true);
    try {
      const saved = await callWorkstation('queue.views.save', { name, query: selection });
      await load();
      setOpen(false);
      onApply(saved);
      void message.success(t('queue.views.saved', { name: saved.name }));
    } catch (error) {
      const contractError = toContractError(error);
      if (contractError.code === 'VALIDATION') {
        const { byField } = mapFieldErrors(['name'] as const, contractError);
        setNameError(byField.name ?? 'INVALID_VALUE');
      } else if (contractError.code === 'QUEUE_VIEWS_FULL') {
        setNameError(contractError.code);
      } else reportError(error);
    } finally {
      setSaving(false);
    }
  };

  const remove = async (view: SavedQueueView) => {
    try {
      await callWorkstation('queue.views.delete', { id: view.id });
      void message.success(t('queue.views.deleted', { name: view.name }));
    } catch (error) {
      if (errorCode(error) === 'QUEUE_VIEW_NOT_FOUND')
        void message.warning(queueErrorText(t, 'QUEUE_VIEW_NOT_FOUND', 'error'));
      else reportError(error);
    }
    onActiveViewGone();
    await load();
  };

  return (
    <Space size={8} wrap>
      <Select<string>
        aria-label={t('queue.views.label')}
        placeholder={t('queue.views.placeholder')}
        value={active?.id ?? null}
        onChange={(id) => {
          const view = views.find((candidate) => candidate.id === id);
          if (!view) return;
          onApply(view);
          void message.info(t('queue.views.applied', { name: view.name }));
        }}
        options={views.map((view) => ({ value: view.id, label: view.name }))}
        notFoundContent={t('queue.views.empty')}
        style={{ width: 180 }}
        data-testid="queue-views"
      />
      {active ? (
        <Popconfirm
          title={t('queue.views.deleteConfirm', { name: active.name })}
          okText={t('app.confirm')}
          cancelText={t('app.cancel')}
          okButtonProps={
            { danger: true, 'data-testid': 'queue-view-delete-confirm' } as ButtonProps
          }
          onConfirm={() => remove(active)}
        >
          <Tooltip title={t('queue.views.delete', { name: active.name })}>
            <Button
              icon={<DeleteOutlined />}
              aria-label={t('queue.views.delete', { name: active.name })}
              data-testid="queue-view-delete"
            />
          </Tooltip>
        </Popconfirm>
      ) : null}
      <Button icon={<SaveOutlined />} onClick={openSave} data-testid="queue-view-save">
        {t('queue.views.save')}
      </Button>
      <Modal
        open={open}
        title={t('queue.views.saveTitle')}
        okText={t('queue.views.ok')}
        cancelText={t('app.cancel')}
        confirmLoading={saving}
        onOk={() => void save()}
        onCancel={() => setOpen(false)}
        okButtonProps={{ 'data-testid': 'queue-view-save-ok' } as ButtonProps}
        destroyOnHidden
      >
        <Form layout="vertical" onFinish={() => void save()} requiredMark>
          <Form.Item
            label={t('queue.views.name')}
            htmlFor="queue-view-name"
            required
            validateStatus={nameError ? 'error' : undefined}
            help={
              nameError ? (
                <span data-testid="queue-view-name-error">
                  {queueErrorText(t, nameError, 'field')}
                </span>
              ) : (
                t('queue.views.nameHint')
              )
            }
          >
            <Input
              id="queue-view-name"
              autoFocus
              value={name}
              maxLength={QUEUE_VIEW_NAME_MAX}
              showCount
              placeholder={t('queue.views.namePlaceholder')}
              onChange={(event) => {
                setName(event.target.value);
                setNameError(null);
              }}
              data-testid="queue-view-name"
            />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}
