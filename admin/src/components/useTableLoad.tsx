/**
 * A ProTable's request with an error state: `load` runs one page's fetch and answers ProTable,
 * recording a failure; `errorAlert` shows it above the table, in Chinese, with a 重试 that
 * reloads the table (ProTable alone would show an empty table, as if there were no rows).
 */
import type { ActionType } from '@ant-design/pro-components';
import { Alert, Button } from 'antd';
import { useCallback, useState, type RefObject } from 'react';
import { ApiError } from '../api/client';

export function useTableLoad(table: RefObject<ActionType | null | undefined>) {
  const [loadError, setLoadError] = useState<string | null>(null);
  const load = useCallback(async <T,>(fetchPage: () => Promise<{ items: T[]; total: number }>) => {
    try {
      const page = await fetchPage();
      setLoadError(null);
      return { data: page.items, total: page.total, success: true };
    } catch (error) {
      setLoadError(error instanceof ApiError ? error.message : '网络异常，请稍后重试');
      return { data: [] as T[], total: 0, success: false };
    }
  }, []);
  const errorAlert = loadError ? (
    <Alert
      type="error"
      showIcon
      message={`加载失败：${loadError}`}
      action={
        <Button size="small" onClick={() => void table.current?.reload()}>
          重试
        </Button>
      }
      style={{ marginBottom: 16 }}
    />
  ) : null;
  return { load, errorAlert };
}
