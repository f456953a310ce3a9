import { View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { AppointmentInfo } from '../../components/appointment-info';
import { AsyncView } from '../../components/async-view';
import { Button } from '../../components/nutui';
import { PageShell } from '../../components/page-shell';
import { useAsync } from '../../hooks/use-async';
import { fetchAppointment } from '../../services/appointments';
import { idParam } from '../../utils/navigation';

export default function Success() {
  const id = idParam('id') ?? 0;
  const { state, reload } = useAsync(() => fetchAppointment(id), [id]);
  return (
    <PageShell>
      <AsyncView state={state} onRetry={() => void reload()}>
        {(a) => (
          <View>
            <View className="result">
              <View className="result-title">预约成功</View>
              <View className="muted">您的就诊序号</View>
              <View className="queue-number">{a.queueNumber} 号</View>
            </View>
            <View className="section">
              <AppointmentInfo appointment={a} />
            </View>
            <View className="section rule">
              <View className="strong">就诊须知</View>
              <View>请携带就诊人身份证（或预约所用证件）、医保卡，以及既往病历、检查报告。</View>
              <View>请在预约时段开始前 15 分钟到达就诊地点，到分诊台签到后按序号候诊。</View>
            </View>
            <View className="actions">
              <Button type="primary" block onClick={() => void Taro.redirectTo({ url: `/pages/appointment/index?id=${a.id}` })}>
                查看预约详情
              </Button>
              <Button type="default" block onClick={() => void Taro.switchTab({ url: '/pages/index/index' })}>
                返回首页
              </Button>
            </View>
          </View>
        )}
      </AsyncView>
    </PageShell>
  );
}
