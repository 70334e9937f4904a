// 知识库: articles and standard scripts (话术) beside the case or the intake, searched as the
// agent types (in Chinese, from this workstation's copy: offline too), opened in place, and
// put into the note box of the case with one key press.
import {
  useCallback,
  useEffect,
  useRef,
  useState,
  type KeyboardEvent,
  type ReactNode,
} from 'react';
import { App, Button, Drawer, Empty, Input, Select, Space, Spin, Tag, Typography } from 'antd';
import {
  ArrowLeftOutlined,
  BookOutlined,
  CopyOutlined,
  EditOutlined,
  FileTextOutlined,
  MessageOutlined,
} from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import {
  KNOWLEDGE_CATEGORIES,
  type KnowledgeArticle,
  type KnowledgeCategory,
  type KnowledgeHit,
} from '../../../../shared/knowledge';
import { translateError } from '../../errors';
import { formatDateTime } from '../../format';
import { callWorkstation } from '../../workstation';
import { onKnowledgePanelRequested, useInsertTargetNow } from './note-insert';
import './knowledge.css';

/** The key that opens the panel wherever a launcher is on screen (as in many desk tools). */
const OPEN_KEY = 'F3';
/** Typing pauses this long before the search runs. */
const SEARCH_DELAY_MS = 150;

/** A button (and the F3 key) that opens the knowledge panel; `block` fills a side column. */
export function KnowledgeLauncher({ block = false }: { block?: boolean }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);

  useEffect(() => {
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (event.key !== OPEN_KEY || event.altKey || event.ctrlKey || event.metaKey) return;
      // The browser's own F3 (find again) would steal the key.
      event.preventDefault();
      setOpen(true);
    };
    window.addEventListener('keydown', onKey);
    const stopListening = onKnowledgePanelRequested(() => setOpen(true));
    return () => {
      window.removeEventListener('keydown', onKey);
      stopListening();
    };
  }, []);

  return (
    <>
      <Button
        icon={<BookOutlined />}
        block={block}
        onClick={() => setOpen(true)}
        aria-keyshortcuts={OPEN_KEY}
        title={t('knowledgePanel.openWithKey')}
        data-testid="knowledge-open"
      >
        {t('knowledgePanel.open')}
        <kbd className="cw-kbd">{OPEN_KEY}</kbd>
      </Button>
      <KnowledgePanel open={open} onClose={() => setOpen(false)} />
    </>
  );
}

export function KnowledgePanel({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const [query, setQuery] = useState('');
  const [category, setCategory] = useState<KnowledgeCategory | undefined>(undefined);
  const [hits, setHits] = useState<KnowledgeHit[] | null>(null);
  const [searchError, setSearchError] = useState<string | null>(null);
  const [article, setArticle] = useState<KnowledgeArticle | null>(null);
  /** After an insertion the note box keeps the focus; otherwise it goes back to the button. */
  const [refocusTrigger, setRefocusTrigger] = useState(true);
  const searchBox = useRef<HTMLInputElement | null>(null);
  const results = useRef<(HTMLButtonElement | null)[]>([]);
  /** The result to give focus back to when the agent returns from an article. */
  const lastOpened = useRef<number>(-1);

  useEffect(() => {
    if (!open) return;
    let live = true;
    const timer = window.setTimeout(() => {
      callWorkstation('knowledge.search', { q: query, category, limit: 30 })
        .then((found) => {
          if (!live) return;
          setHits(found);
          setSearchError(null);
        })
        .catch((error: unknown) => {
          if (live) setSearchError(translateError(t, error));
        });
    }, SEARCH_DELAY_MS);
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [open, query, category, t]);

  const openArticle = async (hit: KnowledgeHit, index: number) => {
    lastOpened.current = index;
    try {
      setArticle(await callWorkstation('knowledge.get', { id: hit.id }));
    } catch (error) {
      setSearchError(t('knowledgePanel.loadFailed', { reason: translateError(t, error) }));
    }
  };

  const backToResults = () => {
    setArticle(null);
    // Back where the agent was in the list.
    window.setTimeout(() => {
      const again = results.current[lastOpened.current];
      (again ?? searchBox.current)?.focus();
    }, 0);
  };

  /** Arrow keys walk the results; from the search box, Down enters the list. */
  const moveFocus = (from: number, event: KeyboardEvent) => {
    const step = event.key === 'ArrowDown' ? 1 : event.key === 'ArrowUp' ? -1 : 0;
    if (step === 0) return;
    event.preventDefault();
    const next = from + step;
    if (next < 0) searchBox.current?.focus();
    else results.current[Math.min(next, (hits?.length ?? 1) - 1)]?.focus();
  };

  return (
    <Drawer
      open={open}
      onClose={onClose}
      placement="right"
      // Above a dialog (a notice being written) that asked for it.
      zIndex={1100}
      size={560}
      title={
        <Space>
          <BookOutlined />
          {t('knowledgePanel.title')}
        </Space>
      }
      closable={{ 'aria-label': t('attachmentsPanel.close') }}
      focusable={{ focusTriggerAfterClose: refocusTrigger }}
      afterOpenChange={(visible) => {
        if (visible && !article) searchBox.current?.focus();
        if (visible) setRefocusTrigger(true);
        // Opened again, it starts at the results (the last search kept), not an old article.
        else setArticle(null);
      }}
      data-testid="knowledge-panel"
      rootClassName="cw-knowledge-drawer"
    >
      {article ? (
        <ArticleView
          article={article}
          onBack={backToResults}
          onInserted={() => {
            setRefocusTrigger(false);
            onClose();
          }}
        />
      ) : (
        <div className="cw-knowledge-search">
          <Space.Compact block>
            <Select<KnowledgeCategory | 'all'>
              aria-label={t('knowledgePanel.categoryLabel')}
              value={category ?? 'all'}
              onChange={(value) => setCategory(value === 'all' ? undefined : value)}
              style={{ width: 170 }}
              data-testid="knowledge-category"
              options={[
                { value: 'all', label: t('knowledgePanel.allCategories') },
                ...KNOWLEDGE_CATEGORIES.map((value) => ({
                  value,
                  label: t(`knowledgePanel.categories.${value}`),
                })),
              ]}
            />
            <Input.Search
              ref={(input) => {
                searchBox.current = input?.input ?? null;
              }}
              aria-label={t('knowledgePanel.searchLabel')}
              placeholder={t('knowledgePanel.searchPlaceholder')}
              allowClear
              value={query}
              onChange={(event) => setQuery(event.target.value)}
              onKeyDown={(event) => moveFocus(-1, event)}
              data-testid="knowledge-search"
            />
          </Space.Compact>
          <div className="cw-knowledge-caption">
            <span aria-live="polite">
              {hits ? t('knowledgePanel.resultCount', { count: hits.length }) : null}
            </span>
            <span>{t('knowledgePanel.offlineNote')}</span>
          </div>
          {searchError ? (
            <Typography.Text type="danger" role="alert">
              {searchError}
            </Typography.Text>
          ) : null}
          {hits === null ? (
            <Spin style={{ display: 'block', margin: '32px auto' }} />
          ) : hits.length === 0 ? (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('knowledgePanel.empty')} />
          ) : (
            <ul
              className="cw-knowledge-results"
              aria-label={t('knowledgePanel.resultsLabel')}
              data-testid="knowledge-results"
            >
              {hits.map((hit, index) => (
                <li key={hit.id}>
                  <button
                    type="button"
                    className="cw-knowledge-hit"
                    ref={(element) => {
                      results.current[index] = element;
                    }}
                    onClick={() => void openArticle(hit, index)}
                    onKeyDown={(event) => moveFocus(index, event)}
                    data-testid="knowledge-hit"
                    data-kind={hit.kind}
                  >
                    <span className="cw-knowledge-hit-head">
                      <KindTag kind={hit.kind} />
                      <span className="cw-knowledge-hit-title">{highlight(hit.title, query)}</span>
                    </span>
                    <span className="cw-knowledge-hit-excerpt">
                      {highlight(hit.excerpt, query)}
                    </span>
                    <span className="cw-knowledge-hit-meta">
                      {t(`knowledgePanel.categories.${hit.category}`)}
                      {hit.tags.length > 0 ? ` · ${hit.tags.slice(0, 4).join('、')}` : ''}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </Drawer>
  );
}

function KindTag({ kind }: { kind: KnowledgeHit['kind'] }) {
  const { t } = useTranslation();
  return kind === 'script' ? (
    // Darker than antd's green: readable at 4.5:1 on its tint.
    <Tag
      icon={<MessageOutlined />}
      style={{
        marginInlineEnd: 0,
        color: '#135200',
        background: '#f6ffed',
        borderColor: '#b7eb8f',
      }}
    >
      {t('knowledgePanel.kinds.script')}
    </Tag>
  ) : (
    <Tag color="blue" icon={<FileTextOutlined />} style={{ marginInlineEnd: 0 }}>
      {t('knowledgePanel.kinds.article')}
    </Tag>
  );
}

function ArticleView({
  article,
  onBack,
  onInserted,
}: {
  article: KnowledgeArticle;
  onBack: () => void;
  onInserted: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const target = useInsertTargetNow();
  const backButton = useRef<HTMLButtonElement | null>(null);

  useEffect(() => {
    backButton.current?.focus();
  }, [article.id]);

  const insertIntoNote = useCallback(() => {
    if (!target) return;
    target.insert(article.body);
    void message.success(t(`knowledgePanel.insertedInto.${target.kind}`));
    onInserted();
  }, [target, article.body, message, t, onInserted]);

  const copy = async () => {
    await navigator.clipboard.writeText(article.body);
    void message.success(t('knowledgePanel.copied'));
  };

  return (
    <article className="cw-knowledge-article" data-testid="knowledge-article">
      <Button
        type="link"
        icon={<ArrowLeftOutlined />}
        onClick={onBack}
        ref={backButton}
        style={{ paddingInline: 0 }}
        data-testid="knowledge-back"
      >
        {t('knowledgePanel.back')}
      </Button>
      <Space size={6} style={{ display: 'flex', marginTop: 8 }}>
        <KindTag kind={article.kind} />
        <Tag variant="outlined">{t(`knowledgePanel.categories.${article.category}`)}</Tag>
      </Space>
      <Typography.Title level={4} style={{ margin: '10px 0 4px' }}>
        {article.title}
      </Typography.Title>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {article.authorName
          ? t('knowledgePanel.updated', {
              name: article.authorName,
              time: formatDateTime(article.updatedAt),
            })
          : t('knowledgePanel.updatedAt', { time: formatDateTime(article.updatedAt) })}
      </Typography.Text>
      <div
        className={
          article.kind === 'script' ? 'cw-knowledge-body cw-knowledge-script' : 'cw-knowledge-body'
        }
        data-testid="knowledge-body"
      >
        {article.body}
      </div>
      {article.tags.length > 0 ? (
        <div style={{ marginBottom: 12 }}>
          {article.tags.map((tag) => (
            <Tag key={tag}>{tag}</Tag>
          ))}
        </div>
      ) : null}
      <Space wrap>
        {target ? (
          <Button
            type="primary"
            icon={<EditOutlined />}
            onClick={insertIntoNote}
            data-testid="knowledge-insert"
          >
            {t(`knowledgePanel.insertInto.${target.kind}`)}
          </Button>
        ) : null}
        <Button icon={<CopyOutlined />} onClick={() => void copy()} data-testid="knowledge-copy">
          {t('knowledgePanel.copy')}
        </Button>
      </Space>
      {target ? null : (
        <Typography.Paragraph type="secondary" style={{ marginTop: 8, fontSize: 12 }}>
          {t('knowledgePanel.noNoteTarget')}
        </Typography.Paragraph>
      )}
    </article>
  );
}

/** The text with each occurrence of the typed words marked (case-insensitive). */
function highlight(text: string, query: string): ReactNode {
  const words = query
    .trim()
    .split(/\s+/u)
    .filter((word) => word.length > 0)
    .map((word) => word.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&'));
  if (words.length === 0) return text;
  const parts = text.split(new RegExp(`(${words.join('|')})`, 'giu'));
  return parts.map((part, index) =>
    index % 2 === 1 ? <mark key={index}>{part}</mark> : <span key={index}>{part}</span>,
  );
}
