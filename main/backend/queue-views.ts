// The queue views an agent saved ("我的紧急未超时", "本周回访"), kept per user in the cache's
// meta table: they belong to this workstation like the cache itself, work offline, and go
// with the cache when a revoked workstation is wiped.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { QUEUE_VIEWS_MAX, SavedQueueView, type QueueSelection } from '../../shared/queue';
import type { CaseStore } from './case-store';

const StoredViews = z.array(SavedQueueView);

export class QueueViewsError extends Error {
  constructor(
    readonly code: 'QUEUE_VIEW_NOT_FOUND' | 'QUEUE_VIEWS_FULL',
    message: string,
  ) {
    super(message);
  }
}

export class QueueViews {
  constructor(private readonly store: Pick<CaseStore, 'getMeta' | 'setMeta'>) {}

  /** The user's views in the order they were first saved. */
  list(userId: string): SavedQueueView[] {
    const raw = this.store.getMeta(metaKey(userId));
    if (!raw) return [];
    try {
      const parsed = StoredViews.safeParse(JSON.parse(raw));
      // A value an older build wrote in another shape is dropped, not allowed to break the queue.
      return parsed.success ? parsed.data : [];
    } catch {
      return [];
    }
  }

  /** Saves under `name`; the user's view of the same name is replaced and keeps its id. */
  save(userId: string, name: string, query: QueueSelection, now: Date): SavedQueueView {
    const views = this.list(userId);
    const existing = views.findIndex((view) => view.name === name);
    const view: SavedQueueView = {
      id: existing >= 0 ? views[existing]!.id : randomUUID(),
      name,
      query,
      savedAt: now.toISOString(),
    };
    if (existing >= 0) views[existing] = view;
    else if (views.length >= QUEUE_VIEWS_MAX)
      throw new QueueViewsError('QUEUE_VIEWS_FULL', `At most ${QUEUE_VIEWS_MAX} saved views`);
    else views.push(view);
    this.store.setMeta(metaKey(userId), JSON.stringify(views));
    return view;
  }

  delete(userId: string, id: string): void {
    const views = this.list(userId);
    const kept = views.filter((view) => view.id !== id);
    if (kept.length === views.length)
      throw new QueueViewsError('QUEUE_VIEW_NOT_FOUND', 'No such saved view for this user');
    this.store.setMeta(metaKey(userId), JSON.stringify(kept));
  }
}

function metaKey(userId: string): string {
  return `queueViews:${userId}`;
}
