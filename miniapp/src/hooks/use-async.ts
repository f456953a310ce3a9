import { useDidShow } from '@tarojs/taro';
import { useCallback, useEffect, useRef, useState, type SetStateAction } from 'react';

export type AsyncState<T> =
  | { status: 'loading' }
  | { status: 'error'; message: string }
  | { status: 'ready'; data: T };

/**
 * Loads data for a page and keeps the loading / error / ready state. With `reloadOnShow`, the
 * data is fetched again whenever the page comes back into view (after a booking, a cancel…).
 */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[], options: { reloadOnShow?: boolean } = {}) {
  const [state, setState] = useState<AsyncState<T>>({ status: 'loading' });
  const generation = useRef(0);
  const shown = useRef(false);

  // `deps` say when `load` is a different request, as with useCallback itself.
  const run = useCallback(load, deps);

  const reload = useCallback(
    async (showLoading = true) => {
      const current = ++generation.current;
      if (showLoading) setState({ status: 'loading' });
      try {
        const data = await run();
        if (current === generation.current) setState({ status: 'ready', data });
      } catch (error) {
        if (current === generation.current) setState({ status: 'error', message: error instanceof Error ? error.message : '加载失败' });
      }
    },
    [run],
  );

  useEffect(() => {
    void reload();
  }, [reload]);

  useDidShow(() => {
    // The first show is the initial load above; later ones refresh in place.
    if (shown.current && options.reloadOnShow) void reload(false);
    shown.current = true;
  });

  // A state the page sets (the answer to its own action, e.g. 完成就诊) is newer than a load still
  // in flight (e.g. the refresh on coming back to the page): that load's answer must not replace it.
  const set = useCallback((next: SetStateAction<AsyncState<T>>) => {
    generation.current += 1;
    setState(next);
  }, []);

  return { state, reload, setState: set };
}
