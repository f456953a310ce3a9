import { View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useMemo, useState } from 'react';
import { AsyncView } from '../../components/async-view';
import { Button, Input } from '../../components/nutui';
import { PageShell } from '../../components/page-shell';
import { useAsync } from '../../hooks/use-async';
import { fetchDepartments } from '../../services/catalogue';
import type { DepartmentNode } from '../../services/types';
import { go } from '../../utils/navigation';

const NOTICES = ['就诊请提前 15 分钟到院，凭证件到分诊台签到', '预约后请按时支付，逾期号源自动释放', '就诊前取消预约，挂号费原路退回'];

/** Top-level departments as groups; a department without sub-departments is its own item. */
function groups(tree: DepartmentNode[], keyword: string) {
  const k = keyword.trim();
  return tree
    .map((top) => {
      const items = top.children.length > 0 ? top.children : [top];
      return { top, items: k ? items.filter((d) => d.name.includes(k) || top.name.includes(k)) : items };
    })
    .filter((group) => group.items.length > 0);
}

export default function Home() {
  const { state, reload } = useAsync(fetchDepartments, []);
  const [keyword, setKeyword] = useState('');
  const shown = useMemo(() => (state.status === 'ready' ? groups(state.data, keyword) : []), [state, keyword]);

  const searchDoctors = (value: string) => {
    const q = value.trim();
    if (q) go(`/pages/department/index?q=${encodeURIComponent(q)}`);
  };

  return (
    <PageShell>
      <View className="banner">
        <View className="banner-name">南阳市第二人民医院</View>
        <View className="banner-sub">网上预约挂号 · 分时段就诊 · 少排队</View>
      </View>
      <View className="notices">
        {NOTICES.map((notice) => (
          <View className="notice" key={notice}>
            {notice}
          </View>
        ))}
      </View>
      <View className="search">
        <Input
          className="search-input"
          placeholder="搜索科室、医生姓名或擅长"
          value={keyword}
          confirmType="search"
          onChange={setKeyword}
          onConfirm={() => searchDoctors(keyword)}
        />
        <Button size="small" type="primary" onClick={() => searchDoctors(keyword)}>
          搜医生
        </Button>
      </View>
      <View className="quick">
        <View className="quick-item" onClick={() => void Taro.switchTab({ url: '/pages/appointments/index' })}>
          <View className="quick-title">我的预约</View>
          <View className="quick-sub">查看、支付、取消</View>
        </View>
        <View className="quick-item" onClick={() => go('/pages/profiles/index')}>
          <View className="quick-title">就诊人</View>
          <View className="quick-sub">添加家人一起管理</View>
        </View>
      </View>
      <View className="section">
        <View className="section-title">选择科室</View>
        <AsyncView
          state={state}
          onRetry={() => void reload()}
          isEmpty={() => shown.length === 0}
          emptyText={keyword ? `没有找到“${keyword}”相关科室，可点“搜医生”按医生查找` : '暂无开放预约的科室'}
        >
          {() =>
            shown.map(({ top, items }) => (
              <View className="dept-group" key={top.id}>
                <View className="dept-group-name">{top.name}</View>
                <View className="dept-grid">
                  {items.map((d) => (
                    <View className="dept-item" key={d.id} onClick={() => go(`/pages/department/index?id=${d.id}`)}>
                      {d.name}
                    </View>
                  ))}
                </View>
              </View>
            ))
          }
        </AsyncView>
      </View>
    </PageShell>
  );
}
