// 附件: the case's photos and documents. Files are dropped on the card or chosen with the
// keyboard, checked against the shared rules before anything is sent (type by extension,
// size), stored on this workstation and uploaded when the central API answers; images
// show a thumbnail and open in a preview, everything downloads.
import { useCallback, useEffect, useRef, useState, type DragEvent, type ReactNode } from 'react';
import { Alert, App, Button, Card, Empty, Modal, Space, Tag, Tooltip, Typography } from 'antd';
import {
  CloudUploadOutlined,
  DownloadOutlined,
  ExclamationCircleOutlined,
  FileExcelOutlined,
  FileImageOutlined,
  FilePdfOutlined,
  FileTextOutlined,
  FileWordOutlined,
  PaperClipOutlined,
} from '@ant-design/icons';
import type { TFunction } from 'i18next';
import i18next from 'i18next';
import { useTranslation } from 'react-i18next';
import type { AttachmentListItem } from '../../../../shared/attachment-desk';
import {
  ATTACHMENT_MEDIA_TYPES,
  ATTACHMENT_TYPES,
  DEFAULT_ATTACHMENT_MAX_BYTES,
  extensionOf,
  isAttachmentMediaType,
} from '../../../../shared/attachments';
import { errorCode } from '../../errors';
import { formatDateTime } from '../../format';
import { useWorkstationEvent } from '../../hooks';
import { callWorkstation } from '../../workstation';
import '../knowledge/knowledge.css';

type FileKind = 'image' | 'pdf' | 'text' | 'word' | 'excel';

const KIND_ICONS: Record<FileKind, ReactNode> = {
  image: <FileImageOutlined style={{ color: '#2f7d5b' }} />,
  pdf: <FilePdfOutlined style={{ color: '#c0392b' }} />,
  text: <FileTextOutlined style={{ color: '#5b6573' }} />,
  word: <FileWordOutlined style={{ color: '#1f5fd6' }} />,
  excel: <FileExcelOutlined style={{ color: '#1e7b45' }} />,
};

function kindOf(mediaType: string): FileKind {
  if (mediaType.startsWith('image/')) return 'image';
  if (mediaType === 'application/pdf') return 'pdf';
  if (mediaType.includes('wordprocessingml')) return 'word';
  if (mediaType.includes('spreadsheetml')) return 'excel';
  return 'text';
}

/** The accepted type a file name's extension names; else what the browser says. */
function mediaTypeFor(file: File): string {
  const extension = extensionOf(file.name);
  const byExtension = ATTACHMENT_MEDIA_TYPES.find((type) =>
    (ATTACHMENT_TYPES[type] as readonly string[]).includes(extension),
  );
  return byExtension ?? (file.type || 'application/octet-stream');
}

/** What the file picker offers: every accepted extension. */
const ACCEPT = Object.values(ATTACHMENT_TYPES)
  .flat()
  .map((extension) => `.${extension}`)
  .join(',');

export function formatFileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const MAX_SIZE_TEXT = formatFileSize(DEFAULT_ATTACHMENT_MAX_BYTES);

/** A refusal in words, naming the file: the panel's own codes, then the shared ones. */
function refusalText(t: TFunction, code: string, name: string): string {
  const key = `attachmentsPanel.errors.${code}`;
  if (/^[A-Z][A-Z0-9_]*$/.test(code) && i18next.exists(key)) {
    return t(key, { name, size: MAX_SIZE_TEXT });
  }
  if (/^[A-Z][A-Z0-9_]*$/.test(code) && i18next.exists(`errors.${code}`)) {
    return `${name}：${t(`errors.${code}`)}`;
  }
  return t('attachmentsPanel.errors.unknown', { name, code });
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  // In slices: String.fromCharCode takes its arguments on the stack.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

function fromBase64(base64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

async function contentUrl(caseId: string, item: AttachmentListItem): Promise<string> {
  const content = await callWorkstation('attachments.content', {
    caseId,
    attachmentId: item.id,
  });
  const blob = new Blob([fromBase64(content.bytesBase64)], { type: content.mediaType });
  return URL.createObjectURL(blob);
}

export function AttachmentsPanel({ caseId, readOnly }: { caseId: string; readOnly: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [items, setItems] = useState<AttachmentListItem[] | null>(null);
  const [problems, setProblems] = useState<string[]>([]);
  const [dragging, setDragging] = useState(false);
  const [adding, setAdding] = useState(false);
  const [thumbnails, setThumbnails] = useState<Record<string, string>>({});
  const [preview, setPreview] = useState<{ item: AttachmentListItem; url: string } | null>(null);
  const picker = useRef<HTMLInputElement | null>(null);
  const urls = useRef<string[]>([]);

  const load = useCallback(async () => {
    try {
      setItems(await callWorkstation('attachments.list', { caseId }));
    } catch {
      setItems([]);
    }
  }, [caseId]);

  useEffect(() => {
    void load();
  }, [load]);

  useWorkstationEvent('case.changed', ({ caseIds }) => {
    if (caseIds.includes(caseId)) void load();
  });

  // Object URLs live as long as the panel.
  useEffect(
    () => () => {
      for (const url of urls.current) URL.revokeObjectURL(url);
    },
    [],
  );

  // Thumbnails of images, once each; one that cannot be had (offline) keeps its icon.
  useEffect(() => {
    for (const item of items ?? []) {
      if (kindOf(item.mediaType) !== 'image' || thumbnails[item.id] !== undefined) continue;
      setThumbnails((current) => ({ ...current, [item.id]: '' }));
      contentUrl(caseId, item)
        .then((url) => {
          urls.current.push(url);
          setThumbnails((current) => ({ ...current, [item.id]: url }));
        })
        .catch(() => undefined);
    }
  }, [items, caseId, thumbnails]);

  const addFiles = async (files: File[]) => {
    if (files.length === 0) return;
    setAdding(true);
    const refused: string[] = [];
    for (const file of files) {
      const mediaType = mediaTypeFor(file);
      // The same checks the backend makes, before reading a byte: a clear answer at once.
      if (!isAttachmentMediaType(mediaType)) {
        refused.push(refusalText(t, 'UNSUPPORTED_MEDIA_TYPE', file.name));
        continue;
      }
      if (file.size > DEFAULT_ATTACHMENT_MAX_BYTES) {
        refused.push(refusalText(t, 'ATTACHMENT_TOO_LARGE', file.name));
        continue;
      }
      try {
        const bytes = new Uint8Array(await file.arrayBuffer());
        const added = await callWorkstation('attachments.add', {
          caseId,
          fileName: file.name,
          mediaType,
          bytesBase64: toBase64(bytes),
        });
        void message.success(t('attachmentsPanel.added', { name: added.fileName }));
      } catch (error) {
        const code = errorCode(error);
        refused.push(refusalText(t, code === 'VALIDATION' ? 'READ_FAILED' : code, file.name));
      }
    }
    setProblems(refused);
    setAdding(false);
    void load();
  };

  const onDrop = (event: DragEvent<HTMLElement>) => {
    event.preventDefault();
    setDragging(false);
    if (readOnly) return;
    void addFiles([...event.dataTransfer.files]);
  };

  const openPreview = async (item: AttachmentListItem) => {
    try {
      const url = thumbnails[item.id] || (await contentUrl(caseId, item));
      if (!thumbnails[item.id]) urls.current.push(url);
      setPreview({ item, url });
    } catch (error) {
      void message.error(refusalText(t, errorCode(error), item.fileName));
    }
  };

  const download = async (item: AttachmentListItem) => {
    try {
      const url = await contentUrl(caseId, item);
      const link = document.createElement('a');
      link.href = url;
      link.download = item.fileName;
      link.click();
      window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      void message.error(refusalText(t, errorCode(error), item.fileName));
    }
  };

  return (
    <Card
      size="small"
      title={
        <Space>
          <PaperClipOutlined />
          {t('attachmentsPanel.title')}
          {items && items.length > 0 ? (
            <Typography.Text type="secondary" style={{ fontWeight: 'normal' }}>
              {t('attachmentsPanel.count', { count: items.length })}
            </Typography.Text>
          ) : null}
        </Space>
      }
      data-testid="attachments-panel"
      onDragOver={(event) => {
        if (readOnly) return;
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      {readOnly ? null : (
        <>
          <button
            type="button"
            className="cw-attachment-drop"
            data-dragging={dragging}
            onClick={() => picker.current?.click()}
            disabled={adding}
            aria-describedby="cw-attachment-rules"
            data-testid="attachments-add"
          >
            <span>
              <CloudUploadOutlined style={{ fontSize: 20, color: '#1f5fd6' }} />{' '}
              <Typography.Text strong>
                {adding ? t('attachmentsPanel.adding', { name: '' }) : t('attachmentsPanel.add')}
              </Typography.Text>
            </span>
            <span>{t('attachmentsPanel.dropHint')}</span>
            <span className="cw-attachment-drop-rules" id="cw-attachment-rules">
              {t('attachmentsPanel.rules', { size: MAX_SIZE_TEXT })}
            </span>
          </button>
          <input
            ref={picker}
            type="file"
            multiple
            accept={ACCEPT}
            hidden
            tabIndex={-1}
            data-testid="attachments-input"
            onChange={(event) => {
              const files = [...(event.target.files ?? [])];
              event.target.value = '';
              void addFiles(files);
            }}
          />
        </>
      )}
      {problems.length > 0 ? (
        <Alert
          type="error"
          showIcon
          role="alert"
          style={{ marginTop: 10 }}
          data-testid="attachments-error"
          closable={{ 'aria-label': t('attachmentsPanel.close') }}
          onClose={() => setProblems([])}
          title={
            problems.length === 1 ? (
              problems[0]
            ) : (
              <ul style={{ margin: 0, paddingInlineStart: 18 }}>
                {problems.map((problem, index) => (
                  <li key={index}>{problem}</li>
                ))}
              </ul>
            )
          }
        />
      ) : null}
      {items && items.length === 0 && readOnly ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('attachmentsPanel.empty')} />
      ) : null}
      {items && items.length > 0 ? (
        <ul
          className="cw-attachment-list"
          aria-label={t('attachmentsPanel.listLabel')}
          data-testid="attachments-list"
        >
          {items.map((item) => {
            const kind = kindOf(item.mediaType);
            const thumbnail = thumbnails[item.id];
            return (
              <li
                key={item.id}
                className="cw-attachment-item"
                data-testid="attachment-item"
                data-state={item.state}
              >
                {kind === 'image' ? (
                  <button
                    type="button"
                    className="cw-attachment-thumb"
                    onClick={() => void openPreview(item)}
                    aria-label={`${t('attachmentsPanel.preview')}：${item.fileName}`}
                    data-testid="attachment-thumbnail"
                  >
                    {thumbnail ? <img src={thumbnail} alt="" /> : KIND_ICONS.image}
                  </button>
                ) : (
                  <span className="cw-attachment-thumb" aria-hidden>
                    {KIND_ICONS[kind]}
                  </span>
                )}
                <div className="cw-attachment-info">
                  <span className="cw-attachment-name" title={item.fileName}>
                    {item.fileName}
                  </span>
                  <span className="cw-attachment-meta">
                    {t(`attachmentsPanel.fileTypes.${kind}`)} · {formatFileSize(item.size)} ·{' '}
                    {t('attachmentsPanel.uploadedBy', {
                      name: item.uploadedByName,
                      time: formatDateTime(item.createdAt),
                    })}
                  </span>
                  {item.state === 'refused' && item.refusal ? (
                    <Typography.Text
                      type="danger"
                      style={{ display: 'block', fontSize: 12 }}
                      data-testid="attachment-refusal"
                    >
                      {t('attachmentsPanel.refusedReason', {
                        reason: refusalText(t, item.refusal.code, item.fileName),
                      })}
                    </Typography.Text>
                  ) : null}
                </div>
                {item.state === 'pending' ? (
                  <Tag color="gold" variant="outlined" data-testid="attachment-pending">
                    {t('attachmentsPanel.pending')}
                  </Tag>
                ) : null}
                {item.state === 'refused' ? (
                  <Tag color="red" icon={<ExclamationCircleOutlined />}>
                    {t('attachmentsPanel.refused')}
                  </Tag>
                ) : null}
                <Space size={0}>
                  {kind === 'image' ? (
                    <Button type="link" size="small" onClick={() => void openPreview(item)}>
                      {t('attachmentsPanel.preview')}
                    </Button>
                  ) : null}
                  <Tooltip title={t('attachmentsPanel.download')}>
                    <Button
                      type="text"
                      size="small"
                      icon={<DownloadOutlined />}
                      aria-label={`${t('attachmentsPanel.download')}：${item.fileName}`}
                      onClick={() => void download(item)}
                      data-testid="attachment-download"
                    />
                  </Tooltip>
                </Space>
              </li>
            );
          })}
        </ul>
      ) : null}
      <Modal
        open={preview !== null}
        title={preview ? t('attachmentsPanel.previewTitle', { name: preview.item.fileName }) : ''}
        onCancel={() => setPreview(null)}
        width={760}
        centered
        footer={
          preview ? (
            <Space>
              <Button icon={<DownloadOutlined />} onClick={() => void download(preview.item)}>
                {t('attachmentsPanel.download')}
              </Button>
              <Button type="primary" onClick={() => setPreview(null)}>
                {t('attachmentsPanel.close')}
              </Button>
            </Space>
          ) : null
        }
      >
        {preview ? (
          <img
            className="cw-attachment-preview"
            src={preview.url}
            alt={preview.item.fileName}
            data-testid="attachment-preview-image"
          />
        ) : null}
      </Modal>
    </Card>
  );
}
