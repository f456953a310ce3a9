import { Text, View } from '@tarojs/components';
import { useState } from 'react';
import { AsyncView } from '../../components/async-view';
import { LoginRequired } from '../../components/login-required';
import { Button } from '../../components/nutui';
import { PageShell } from '../../components/page-shell';
import { useAsync } from '../../hooks/use-async';
import { useSession } from '../../hooks/use-session';
import { fetchMessages, markAllMessagesRead, markMessageRead } from '../../services/messages';
import type { InboxMessage, InboxPage } from '../../services/types';
import { go } from '../../utils/navigation';
import { formatInstant } from '../../utils/time';

/** 消息: newest first; tapping one marks it read and opens its appointment when it has one. */
export default function Messages() {
  const session = useSession();
  const { state, reload } = useAsync<InboxPage>(
    () => (session ? fetchMessages() : Promise.resolve({ items: [], nextCursor: null })),
    [session?.account.id],
    { reloadOnShow: true },
  );
  // Older pages loaded with 加载更多, and read marks made on this page, on top of the first page.
  const [older, setOlder] = useState<InboxMessage[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const [readNow, setReadNow] = useState<Set<number>>(new Set());
  const [loadingMore, setLoadingMore] = useState(false);

  const open = async (m: InboxMessage) => {
    if (!m.readAt && !readNow.has(m.id)) {
      setReadNow((s) => new Set(s).add(m.id));
      void markMessageRead(m.id).catch(() => undefined);
    }
    if (m.appointmentId) go(`/pages/appointment/index?id=${m.appointmentId}`);
  };

  const readAll = async () => {
    await markAllMessagesRead();
    setReadNow(new Set());
    setOlder([]);
    setCursor(undefined);
    await reload(false);
  };

  const loadMore = async (from: string) => {
    setLoadingMore(true);
    try {
      const page = await fetchMessages(from);
      setOlder((o) => [...o, ...page.items]);
      setCursor(page.nextCursor);
    } finally {
      setLoadingMore(false);
    }
  };

  if (!session) {
    return (
      <PageShell>
        <LoginRequired reason="登录后可查看预约、停诊、退款等消息" />
      </PageShell>
    );
  }

  return (
    <PageShell>
      <AsyncView state={state} onRetry={() => void reload()} isEmpty={(page) => page.items.length === 0} emptyText="暂无消息">
        {(page) => {
          const items = [...page.items, ...older];
          const next = cursor === undefined ? page.nextCursor : cursor;
          const unread = items.some((m) => !m.readAt && !readNow.has(m.id));
          return (
            <>
              {unread && (
                <View className="link-row" onClick={() => void readAll()}>
                  <Text />
                  <Text>全部标为已读</Text>
                </View>
              )}
              {items.map((m) => {
                const isUnread = !m.readAt && !readNow.has(m.id);
                return (
                  <View className="section" key={m.id} onClick={() => void open(m)}>
                    <View className="row">
                      <View className="strong">
                        {m.title} {isUnread && <Text className="badge danger">未读</Text>}
                      </View>
                      <View className="muted">{formatInstant(m.createdAt)}</View>
                    </View>
                    <View className={isUnread ? '' : 'muted'}>{m.text}</View>
                    {m.appointmentId && <View className="link-row" style={{ padding: '8px 0 0' }}>查看预约详情 ›</View>}
                  </View>
                );
              })}
              {next && (
                <View className="actions">
                  <Button block loading={loadingMore} onClick={() => void loadMore(next)}>
                    加载更多
                  </Button>
                </View>
              )}
            </>
          );
        }}
      </AsyncView>
    </PageShell>
  );
}
