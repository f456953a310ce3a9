import { View } from '@tarojs/components';
import type { ReactNode } from 'react';
import type { AsyncState } from '../hooks/use-async';
import { Button, Empty, Skeleton } from './nutui';

interface Props<T> {
  state: AsyncState<T>;
  onRetry: () => void;
  /** When the loaded data counts as empty, and what to say then. */
  isEmpty?: (data: T) => boolean;
  emptyText?: string;
  emptyAction?: ReactNode;
  children: (data: T) => ReactNode;
}

/**
 * Drawn in place of NutUI Empty's default picture, which it loads from a remote CDN: neither a
 * hospital network nor an unlisted mini-program domain can be relied on to reach it.
 */
export function EmptyMark({ error = false }: { error?: boolean }) {
  return <View className={`empty-mark${error ? ' error' : ''}`}>{error ? '!' : '∅'}</View>;
}

/** The three states every screen has: loading (skeleton), error (with retry) and empty. */
export function AsyncView<T>({ state, onRetry, isEmpty, emptyText = '暂无数据', emptyAction, children }: Props<T>) {
  if (state.status === 'loading') {
    return (
      <View className="state state-loading" aria-busy="true">
        <Skeleton rows={3} animated />
        <Skeleton rows={3} animated />
      </View>
    );
  }
  if (state.status === 'error') {
    return (
      <View className="state state-error">
        <Empty status="error" imageSize={72} image={<EmptyMark error />} title="加载失败" description={state.message}>
          <Button type="primary" size="small" onClick={onRetry}>
            重新加载
          </Button>
        </Empty>
      </View>
    );
  }
  if (isEmpty?.(state.data)) {
    return (
      <View className="state state-empty">
        <Empty status="empty" imageSize={72} image={<EmptyMark />} title={emptyText}>
          {emptyAction}
        </Empty>
      </View>
    );
  }
  return <>{children(state.data)}</>;
}
