/**
 * What a page shows while its code is fetched (each page is its own chunk, App.tsx), and what it
 * shows when that fetch fails — e.g. a tab left open across a deploy asks for a chunk the new
 * build no longer has: reloading fetches the new index.html and its chunks.
 */
import { Button, Result, Spin } from 'antd';
import { Component, type ReactNode } from 'react';

export function PageLoading({ fullScreen = false }: { fullScreen?: boolean }) {
  return (
    <div className={fullScreen ? 'page-loading page-loading-full' : 'page-loading'} data-testid="page-loading">
      <Spin size="large" tip="页面加载中…">
        <div className="page-loading-box" />
      </Spin>
    </div>
  );
}

export class PageLoadBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  render() {
    if (!this.state.failed) return this.props.children;
    return (
      <Result
        status="warning"
        title="页面加载失败"
        subTitle="网络异常或系统已更新，请刷新后重试。"
        extra={<Button type="primary" onClick={() => window.location.reload()}>刷新页面</Button>}
      />
    );
  }
}
